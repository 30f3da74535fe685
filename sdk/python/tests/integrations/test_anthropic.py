"""anthropic messages, end to end: create, stream, the messages.stream helper, raw responses."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import anthropic
import pytest
from fakes.anthropic_upstream import AnthropicScenario, FakeAnthropic
from support.versions import needs

import llmobserve
from llmobserve.integrations._calls import describe_error

MODEL = "claude-haiku-4-5"
REPORTED = "claude-haiku-4-5-20251001"
MESSAGES = [{"role": "user", "content": "Say hello"}]
Recorded = Callable[..., list[dict[str, Any]]]
CACHED = AnthropicScenario(
    input_tokens=50, cache_read_input_tokens=3000, cache_creation_input_tokens=800, output_tokens=90
)


def create(client: anthropic.Anthropic, **options: Any) -> Any:
    return client.messages.create(model=MODEL, max_tokens=256, messages=MESSAGES, **options)


@pytest.mark.usefixtures("sdk")
def test_message_records_the_reported_model_tokens_and_cost(
    anthropic_client: anthropic.Anthropic,
    recorded: Recorded,
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    with llmobserve.run("message") as frame:
        message = create(anthropic_client)

    assert message.content[0].text == "Hello there!"
    [call] = recorded(frame)
    assert (call["provider"], call["operation"], call["model"]) == ("anthropic", "chat", REPORTED)
    assert (call["input_tokens"], call["output_tokens"]) == (14, 4)
    assert call["cost_source"] == "catalog"
    assert Decimal(call["cost_usd"]) == priced(call) > 0


@pytest.mark.usefixtures("sdk")
def test_cache_reads_and_writes_are_added_to_input_tokens(
    anthropic_client: anthropic.Anthropic,
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    anthropic_upstream.scenario = CACHED
    with llmobserve.run("cached") as frame:
        create(anthropic_client)

    [call] = recorded(frame)
    assert call["input_tokens"] == 50 + 3000 + 800
    assert call["cached_input_tokens"] == 3000
    assert call["cache_write_input_tokens"] == 800
    assert call["output_tokens"] == 90
    assert Decimal(call["cost_usd"]) == priced(call)


BILLED = AnthropicScenario(
    input_tokens=50,
    cache_creation_input_tokens=1000,
    cache_creation_1h_input_tokens=600,
    output_tokens=90,
    web_search_requests=3,
    service_tier="priority",
)


@pytest.mark.usefixtures("sdk")
def test_one_hour_cache_writes_web_searches_and_service_tier_are_recorded_and_priced(
    anthropic_client: anthropic.Anthropic,
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    anthropic_upstream.scenario = BILLED
    with llmobserve.run("billed") as frame:
        create(anthropic_client)

    [call] = recorded(frame)
    assert call["cache_write_input_tokens"] == 1000
    assert call["cache_write_1h_input_tokens"] == 600
    assert call["units"] == {"web_search_requests": 3}
    assert call["service_tier"] == "priority"
    assert Decimal(call["cost_usd"]) == priced(call) + Decimal("0.03")
    # haiku 4.5: $1 input, $1.25 5-minute and $2 1-hour writes, $5 output per M; $10 per 1k
    # searches (priority is priced as standard: Anthropic's Priority Tier is a commitment)
    expected = (50 * 1 + 400 * Decimal("1.25") + 600 * 2 + 90 * 5) / Decimal(10**6)
    assert Decimal(call["cost_usd"]) == expected + Decimal("0.03")


def test_streamed_message_records_one_hour_writes_and_web_searches(
    start_sdk: Callable[..., None],
    anthropic_client: anthropic.Anthropic,
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
) -> None:
    anthropic_upstream.scenario = BILLED
    start_sdk()
    with llmobserve.run("stream") as frame:
        for _ in create(anthropic_client, stream=True):
            pass

    [call] = recorded(frame)
    assert (call["cache_write_input_tokens"], call["cache_write_1h_input_tokens"]) == (1000, 600)
    assert call["units"] == {"web_search_requests": 3}
    assert call["service_tier"] == "priority"


@pytest.mark.usefixtures("sdk")
def test_async_message_is_recorded(
    async_anthropic: Callable[[], anthropic.AsyncAnthropic], recorded: Recorded
) -> None:
    async def main() -> None:
        async with async_anthropic() as client:
            await client.messages.create(model=MODEL, max_tokens=256, messages=MESSAGES)

    with llmobserve.run("async") as frame:
        asyncio.run(main())

    assert [(call["model"], call["output_tokens"]) for call in recorded(frame)] == [(REPORTED, 4)]


def test_rate_limit_error_is_recorded_and_reraised(
    start_sdk: Callable[..., None],
    anthropic_client: anthropic.Anthropic,
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
) -> None:
    anthropic_upstream.scenario = AnthropicScenario(fail_status=429)
    start_sdk()
    with llmobserve.run("limited") as frame, pytest.raises(anthropic.RateLimitError) as raised:
        create(anthropic_client)

    assert raised.value.status_code == 429
    [call] = recorded(frame)
    assert (call["status"], call["model"]) == ("error", MODEL)
    assert call["error"] == describe_error(raised.value)
    assert call["error"].startswith("RateLimitError: ")


# -- streams ---------------------------------------------------------------------------------


def test_streamed_message_shows_the_same_events_and_records_usage(
    start_sdk: Callable[..., None],
    anthropic_client: anthropic.Anthropic,
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
) -> None:
    anthropic_upstream.scenario = CACHED
    without_sdk = [event.to_dict() for event in create(anthropic_client, stream=True)]
    start_sdk()

    with llmobserve.run("stream") as frame:
        with_sdk = [event.to_dict() for event in create(anthropic_client, stream=True)]

    assert with_sdk == without_sdk
    [call] = recorded(frame)
    assert call["model"] == REPORTED
    assert (call["input_tokens"], call["cached_input_tokens"]) == (3850, 3000)
    assert (call["cache_write_input_tokens"], call["output_tokens"]) == (800, 90)


@pytest.mark.usefixtures("sdk")
def test_messages_stream_helper_keeps_working_and_is_recorded_once(
    anthropic_client: anthropic.Anthropic, recorded: Recorded
) -> None:
    with llmobserve.run("helper") as frame:
        with anthropic_client.messages.stream(
            model=MODEL, max_tokens=256, messages=MESSAGES
        ) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()

    assert text == "Hello there!"
    assert final.usage.output_tokens == 4
    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (REPORTED, 14, 4)


@pytest.mark.usefixtures("sdk")
def test_async_messages_stream_helper_is_recorded(
    async_anthropic: Callable[[], anthropic.AsyncAnthropic], recorded: Recorded
) -> None:
    async def main() -> str:
        async with async_anthropic() as client:
            async with client.messages.stream(
                model=MODEL, max_tokens=256, messages=MESSAGES
            ) as stream:
                return await stream.get_final_text()

    with llmobserve.run("async helper") as frame:
        assert asyncio.run(main()) == "Hello there!"

    assert [call["output_tokens"] for call in recorded(frame)] == [4]


@pytest.mark.usefixtures("sdk")
def test_messages_stream_helper_failing_to_start_records_an_error(
    anthropic_client: anthropic.Anthropic, anthropic_upstream: FakeAnthropic, recorded: Recorded
) -> None:
    anthropic_upstream.scenario = AnthropicScenario(fail_status=529)
    manager = anthropic_client.messages.stream(model=MODEL, max_tokens=256, messages=MESSAGES)
    with llmobserve.run("overloaded") as frame, pytest.raises(anthropic.APIStatusError):
        with manager:
            pass

    assert [call["status"] for call in recorded(frame)] == ["error"]


@pytest.mark.usefixtures("sdk")
def test_error_event_mid_stream_records_an_error_with_the_input_seen(
    anthropic_client: anthropic.Anthropic, anthropic_upstream: FakeAnthropic, recorded: Recorded
) -> None:
    anthropic_upstream.scenario = AnthropicScenario(error_after=4)
    with llmobserve.run("overloaded") as frame, pytest.raises(anthropic.APIStatusError):
        for _ in create(anthropic_client, stream=True):
            pass

    [call] = recorded(frame)
    assert (call["status"], call["input_tokens"]) == ("error", 14)
    assert call["error"].startswith("APIStatusError: ")
    assert "overloaded_error" in call["error"]


@pytest.mark.usefixtures("sdk")
def test_abandoned_message_stream_records_what_it_saw(
    anthropic_client: anthropic.Anthropic, recorded: Recorded
) -> None:
    with llmobserve.run("abandoned") as frame:
        stream = create(anthropic_client, stream=True)
        first = next(iter(stream))
        del stream
        gc.collect()

    assert first.type == "message_start"
    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (REPORTED, 14, 1)


@needs("anthropic", (0, 77), "messages.parse")
@pytest.mark.usefixtures("sdk")
def test_messages_parse_is_recorded(
    anthropic_client: anthropic.Anthropic, recorded: Recorded
) -> None:
    with llmobserve.run("parse") as frame:
        message = anthropic_client.messages.parse(model=MODEL, max_tokens=256, messages=MESSAGES)

    assert message.content[0].text == "Hello there!"
    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (REPORTED, 14, 4)


@pytest.mark.usefixtures("sdk")
def test_with_raw_response_is_recorded(
    anthropic_client: anthropic.Anthropic, recorded: Recorded
) -> None:
    with llmobserve.run("raw") as frame:
        raw = anthropic_client.messages.with_raw_response.create(
            model=MODEL, max_tokens=256, messages=MESSAGES
        )
        message = raw.parse()

    assert message.model == REPORTED
    assert [call["input_tokens"] for call in recorded(frame)] == [14]


@pytest.mark.usefixtures("sdk")
def test_async_with_raw_response_is_recorded_when_parsed(
    async_anthropic: Callable[[], anthropic.AsyncAnthropic], recorded: Recorded
) -> None:
    async def main() -> Any:
        async with async_anthropic() as client:
            raw = await client.messages.with_raw_response.create(
                model=MODEL, max_tokens=256, messages=MESSAGES
            )
            parsed = raw.parse()  # anthropic < 1: a LegacyAPIResponse, whose parse() is sync
            return await parsed if inspect.isawaitable(parsed) else parsed

    with llmobserve.run("async raw") as frame:
        message = asyncio.run(main())

    assert message.content[0].text == "Hello there!"
    assert [call["output_tokens"] for call in recorded(frame)] == [4]


# -- message batches ---------------------------------------------------------------------------

BATCHES_API = needs("anthropic", (0, 41), "messages.batches")


@BATCHES_API
@pytest.mark.usefixtures("sdk")
def test_each_succeeded_batch_result_read_is_a_call_at_the_batch_tier(
    anthropic_client: anthropic.Anthropic,
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
) -> None:
    anthropic_upstream.scenario = AnthropicScenario(
        input_tokens=1000, output_tokens=200, batch_requests=3, batch_errors=1
    )
    with llmobserve.run("batch") as frame:
        results = list(anthropic_client.messages.batches.results("msgbatch_fake"))

    assert [item.result.type for item in results] == ["errored", "succeeded", "succeeded"]
    calls = recorded(frame)
    assert len(calls) == 2  # errored requests are not billed
    for call in calls:
        assert (call["model"], call["service_tier"]) == (REPORTED, "batch")
        assert (call["input_tokens"], call["output_tokens"]) == (1000, 200)
        # haiku 4.5 at half price: $0.50 input, $2.50 output per M
        assert Decimal(call["cost_usd"]) == (1000 * Decimal("0.5") + 200 * Decimal("2.5")) / 10**6


@BATCHES_API
@pytest.mark.usefixtures("sdk")
def test_async_batch_results_are_recorded(
    async_anthropic: Callable[[], anthropic.AsyncAnthropic],
    anthropic_upstream: FakeAnthropic,
    recorded: Recorded,
) -> None:
    anthropic_upstream.scenario = AnthropicScenario(batch_requests=2)

    async def read() -> list[Any]:
        async with async_anthropic() as client:
            decoder = await client.messages.batches.results("msgbatch_fake")
            return [item async for item in decoder]

    with llmobserve.run("async batch") as frame:
        results = asyncio.run(read())

    assert len(results) == 2
    assert [call["service_tier"] for call in recorded(frame)] == ["batch", "batch"]
