"""openai completions, embeddings, responses, and the raw-response variants, end to end."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from support.versions import installed, needs

import llmobserve

pytestmark = pytest.mark.usefixtures("sdk")

MESSAGES = [{"role": "user", "content": "Say hello"}]
RESPONSES_API = needs("openai", (1, 66), "Responses API")
CHAT_PARSE = needs("openai", (1, 92), "chat.completions.parse outside `beta`")
Recorded = Callable[..., list[dict[str, Any]]]


def test_completion_is_recorded(openai_client: openai.OpenAI, recorded: Recorded) -> None:
    with llmobserve.run("completion") as frame:
        openai_client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hello")

    [call] = recorded(frame)
    assert (call["operation"], call["model"]) == ("completion", "gpt-3.5-turbo-instruct")
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)


def test_streamed_completion_hides_the_usage_chunk_it_asked_for(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("completion stream") as frame:
        chunks = list(
            openai_client.completions.create(
                model="gpt-3.5-turbo-instruct", prompt="Say hello", stream=True
            )
        )

    assert openai_upstream.requests[-1].body["stream_options"] == {"include_usage": True}
    assert all(chunk.choices for chunk in chunks)
    assert "".join(chunk.choices[0].text for chunk in chunks) == "Hello there!"
    [call] = recorded(frame)
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)


def test_embedding_records_its_input_tokens_and_cost(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Recorded,
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    openai_upstream.scenario = OpenAIScenario(input_tokens=5000)
    with llmobserve.run("embed") as frame:
        answer = openai_client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])

    assert answer.data[1].embedding == [0.25, -0.5, 0.125]
    [call] = recorded(frame)
    assert (call["operation"], call["model"]) == ("embedding", "text-embedding-3-small")
    assert (call["input_tokens"], call["output_tokens"]) == (5000, 0)
    assert Decimal(call["cost_usd"]) == priced(call) > 0


def test_async_embedding_is_recorded(
    async_openai: Callable[[], openai.AsyncOpenAI], recorded: Recorded
) -> None:
    async def main() -> None:
        async with async_openai() as client:
            await client.embeddings.create(model="text-embedding-3-small", input="a")

    with llmobserve.run("embed async") as frame:
        asyncio.run(main())

    assert [call["operation"] for call in recorded(frame)] == ["embedding"]


# -- responses -------------------------------------------------------------------------------


@RESPONSES_API
def test_response_records_responses_usage(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Recorded,
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    openai_upstream.scenario = OpenAIScenario(
        input_tokens=900, cached_tokens=512, output_tokens=40, reasoning_tokens=16
    )
    with llmobserve.run("responses") as frame:
        answer = openai_client.responses.create(model="gpt-4o-mini", input="Say hello")

    assert answer.output_text == "Hello there!"
    [call] = recorded(frame)
    assert (call["operation"], call["model"]) == ("responses", "gpt-4o-mini-2024-07-18")
    assert (call["input_tokens"], call["cached_input_tokens"]) == (900, 512)
    assert (call["output_tokens"], call["reasoning_tokens"]) == (40, 16)
    assert Decimal(call["cost_usd"]) == priced(call)


@RESPONSES_API
def test_streamed_response_takes_usage_from_response_completed(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("responses stream") as frame:
        events = list(openai_client.responses.create(model="gpt-4o-mini", input="hi", stream=True))

    assert events[-1].type == "response.completed"
    assert len(events) == 10  # every event the API sent
    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (
        "gpt-4o-mini-2024-07-18",
        21,
        3,
    )


@RESPONSES_API
def test_responses_stream_helper_is_recorded_once(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("responses helper") as frame:
        with openai_client.responses.stream(model="gpt-4o-mini", input="hi") as stream:
            text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
            final = stream.get_final_response()

    assert text == final.output_text == "Hello there!"
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


@RESPONSES_API
def test_async_streamed_response_is_recorded(
    async_openai: Callable[[], openai.AsyncOpenAI], recorded: Recorded
) -> None:
    async def main() -> None:
        async with async_openai() as client:
            stream = await client.responses.create(model="gpt-4o-mini", input="hi", stream=True)
            async for _ in stream:
                pass

    with llmobserve.run("responses async") as frame:
        asyncio.run(main())

    assert [call["output_tokens"] for call in recorded(frame)] == [3]


@RESPONSES_API
def test_streamed_response_cut_off_records_an_error(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    openai_upstream.scenario = OpenAIScenario(abort_after=4)
    # openai raises APIConnectionError, older releases (1.91) httpx's own error
    with (
        llmobserve.run("cut") as frame,
        pytest.raises((openai.APIConnectionError, httpx.HTTPError)),
    ):
        list(openai_client.responses.create(model="gpt-4o-mini", input="hi", stream=True))

    [call] = recorded(frame)
    assert (call["status"], call["model"]) == ("error", "gpt-4o-mini-2024-07-18")


@RESPONSES_API
def test_streamed_response_that_failed_is_recorded_as_an_error(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    openai_upstream.scenario = OpenAIScenario(response_failure="The model overloaded")
    with llmobserve.run("failed") as frame:
        events = list(openai_client.responses.create(model="gpt-4o-mini", input="hi", stream=True))

    assert events[-1].type == "response.failed"
    [call] = recorded(frame)
    assert (call["status"], call["error"]) == ("error", "ResponseFailed: The model overloaded")
    assert call["input_tokens"] == 21


@CHAT_PARSE
def test_chat_completions_parse_is_recorded(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("parse") as frame:
        parsed = openai_client.chat.completions.parse(model="gpt-4o-mini", messages=MESSAGES)

    assert parsed.choices[0].message.content == "Hello there!"
    assert [(c["operation"], c["input_tokens"]) for c in recorded(frame)] == [("chat", 21)]


@pytest.mark.skipif(
    installed("openai") >= (1, 92), reason="openai ≥ 1.92 has chat.completions.parse, not beta's"
)
def test_beta_chat_completions_parse_is_recorded_once(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("beta parse") as frame:
        parsed = openai_client.beta.chat.completions.parse(model="gpt-4o-mini", messages=MESSAGES)

    assert parsed.choices[0].message.content == "Hello there!"
    assert [(c["operation"], c["input_tokens"]) for c in recorded(frame)] == [("chat", 21)]


# -- raw responses ---------------------------------------------------------------------------


def test_with_raw_response_is_recorded_when_parsed(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("raw") as frame:
        raw = openai_client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=MESSAGES
        )
        assert raw.headers["content-type"] == "application/json"
        completion = raw.parse()

    assert completion is raw.parse()  # still the library's cached parse
    assert [call["model"] for call in recorded(frame)] == ["gpt-4o-mini-2024-07-18"]


def test_raw_response_never_parsed_is_recorded_from_its_body(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("raw unparsed") as frame:
        raw = openai_client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=MESSAGES
        )
        assert raw.status_code == 200
        del raw
        gc.collect()

    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"]) == ("gpt-4o-mini-2024-07-18", 21)


def test_with_raw_response_stream_is_observed(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("raw stream") as frame:
        raw = openai_client.chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, extra_body={"user_tag": "t-1"}
        )
        chunks = list(raw.parse())

    sent = openai_upstream.requests[-1]
    assert sent.body["stream_options"] == {"include_usage": True}
    assert sent.body["user_tag"] == "t-1"
    assert sent.headers["x-stainless-raw-response"] == "true"
    assert len(chunks) == 5
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


def test_with_streaming_response_stream_asks_for_usage_and_hides_its_chunk(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("streaming response stream") as frame:
        with openai_client.chat.completions.with_streaming_response.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True
        ) as response:
            chunks = list(response.parse())

    assert openai_upstream.requests[-1].body["stream_options"] == {"include_usage": True}
    assert len(chunks) == 5 and all(chunk.choices for chunk in chunks)
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


def test_with_streaming_response_is_recorded_when_parsed(
    openai_client: openai.OpenAI, recorded: Recorded
) -> None:
    with llmobserve.run("streaming response") as frame:
        with openai_client.chat.completions.with_streaming_response.create(
            model="gpt-4o-mini", messages=MESSAGES
        ) as response:
            completion = response.parse()

    assert completion.usage is not None
    assert [call["output_tokens"] for call in recorded(frame)] == [3]


@RESPONSES_API
def test_async_with_raw_response_is_recorded(
    async_openai: Callable[[], openai.AsyncOpenAI], recorded: Recorded
) -> None:
    async def main() -> None:
        async with async_openai() as client:
            raw = await client.responses.with_raw_response.create(model="gpt-4o-mini", input="x")
            raw.parse()

    with llmobserve.run("async raw") as frame:
        asyncio.run(main())

    assert [call["operation"] for call in recorded(frame)] == ["responses"]
