"""What OpenAI bills beyond text tokens, end to end through the real client and collector: the
answer's service tier, audio tokens of chat completions, and web searches of responses."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from support.versions import needs

import llmobserve

Recorded = Callable[..., list[dict[str, Any]]]
MESSAGES = [{"role": "user", "content": "Say hello"}]
RESPONSES_API = needs("openai", (1, 66), "the Responses API")


@pytest.mark.usefixtures("sdk")
def test_audio_tokens_are_recorded_as_parts_of_input_and_output_and_priced(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Recorded,
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    openai_upstream.scenario = OpenAIScenario(
        model="gpt-audio",
        input_tokens=1000,
        input_audio_tokens=600,
        output_tokens=500,
        output_audio_tokens=400,
    )
    with llmobserve.run("audio") as frame:
        openai_client.chat.completions.create(model="gpt-audio", messages=MESSAGES)

    [call] = recorded(frame)
    assert (call["input_tokens"], call["input_audio_tokens"]) == (1000, 600)
    assert (call["output_tokens"], call["output_audio_tokens"]) == (500, 400)
    assert Decimal(call["cost_usd"]) == priced(call) > 0


@pytest.mark.usefixtures("sdk")
@pytest.mark.parametrize(("answered", "recorded_tier"), [("default", "standard"), ("flex", "flex")])
def test_the_answers_service_tier_is_recorded_in_the_wire_formats_words(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Recorded,
    answered: str,
    recorded_tier: str,
) -> None:
    openai_upstream.scenario = OpenAIScenario(model="gpt-5", service_tier=answered)
    with llmobserve.run("tier") as frame:
        openai_client.chat.completions.create(model="gpt-5", messages=MESSAGES)

    [call] = recorded(frame)
    assert call["service_tier"] == recorded_tier


@pytest.mark.usefixtures("sdk")
def test_a_flex_call_costs_less_than_the_same_call_at_standard(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    costs = {}
    for tier in ("default", "flex"):
        openai_upstream.scenario = OpenAIScenario(
            model="gpt-5", input_tokens=10_000, output_tokens=2_000, service_tier=tier
        )
        with llmobserve.run(tier) as frame:
            openai_client.chat.completions.create(model="gpt-5", messages=MESSAGES)
        [call] = recorded(frame)
        costs[tier] = Decimal(call["cost_usd"])
    # gpt-5: $1.25 / $10 per M; flex: $0.625 / $5 per M
    assert costs == {"default": Decimal("0.0325"), "flex": Decimal("0.01625")}


@pytest.mark.usefixtures("sdk")
def test_streamed_chat_records_the_service_tier(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    openai_upstream.scenario = OpenAIScenario(model="gpt-5", service_tier="priority")
    with llmobserve.run("stream") as frame:
        list(openai_client.chat.completions.create(model="gpt-5", messages=MESSAGES, stream=True))

    [call] = recorded(frame)
    assert call["service_tier"] == "priority"


@RESPONSES_API
@pytest.mark.usefixtures("sdk")
def test_web_search_calls_of_a_response_are_recorded_as_units_and_priced(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    openai_upstream.scenario = OpenAIScenario(
        model="gpt-5", input_tokens=0, output_tokens=0, web_search_calls=2, service_tier="default"
    )
    with llmobserve.run("search") as frame:
        openai_client.responses.create(model="gpt-5", input="news?", tools=[{"type": "web_search"}])

    [call] = recorded(frame)
    assert call["units"] == {"web_search_requests": 2}
    assert call["service_tier"] == "standard"
    assert Decimal(call["cost_usd"]) == Decimal("0.02")  # $10 per 1,000 calls


@RESPONSES_API
@pytest.mark.usefixtures("sdk")
def test_streamed_response_records_its_web_searches(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    openai_upstream.scenario = OpenAIScenario(model="gpt-5", web_search_calls=1)
    with llmobserve.run("search stream") as frame:
        list(openai_client.responses.create(model="gpt-5", input="news?", stream=True))

    [call] = recorded(frame)
    assert call["units"] == {"web_search_requests": 1}
