"""google-genai, end to end: the real client -> the fake Gemini API; the SDK -> the real
collector. Provider `google`, the answer's model version, Gemini's tokens in the wire format's
meaning, sync and async, streamed and not."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fakes.gemini_upstream import FakeGemini, GeminiScenario
from google import genai
from google.genai import errors, types

import llmobserve

Spans = list[dict[str, Any]]
MODEL = "gemini-2.0-flash"


@pytest.fixture(scope="module")
def gemini_server() -> Iterator[FakeGemini]:
    server = FakeGemini()
    yield server
    server.close()


@pytest.fixture
def gemini(gemini_server: FakeGemini) -> FakeGemini:
    gemini_server.scenario = GeminiScenario()
    gemini_server.requests.clear()
    return gemini_server


@pytest.fixture
def client(gemini: FakeGemini) -> Iterator[genai.Client]:
    options = types.HttpOptions(
        base_url=gemini.url, retry_options=types.HttpRetryOptions(attempts=1)
    )
    with genai.Client(api_key="gm-test", http_options=options) as c:
        yield c


@pytest.mark.usefixtures("sdk")
def test_generate_content_records_the_model_version_tokens_and_catalog_cost(
    client: genai.Client,
    recorded: Callable[..., Spans],
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    with llmobserve.run("gemini") as frame:
        reply = client.models.generate_content(model=MODEL, contents="Say hello")

    assert reply.text == "Hello there!"
    [call] = recorded(frame)
    assert (call["provider"], call["model"], call["operation"]) == (
        "google",
        "gemini-2.0-flash-001",
        "chat",
    )
    assert (call["input_tokens"], call["output_tokens"]) == (120, 9)
    assert call["cost_source"] == "catalog"
    assert Decimal(call["cost_usd"]) == priced(call) > 0


@pytest.mark.usefixtures("sdk")
def test_cached_tokens_are_part_of_input_and_thoughts_are_output(
    client: genai.Client, gemini: FakeGemini, recorded: Callable[..., Spans]
) -> None:
    gemini.scenario = GeminiScenario(prompt_tokens=2000, cached_tokens=1500, thoughts_tokens=40)
    with llmobserve.run("thinking") as frame:
        client.models.generate_content(model="models/" + MODEL, contents="Think")

    [call] = recorded(frame)
    assert call["input_tokens"] == 2000  # prompt_token_count includes the cached ones
    assert call["cached_input_tokens"] == 1500
    assert (call["output_tokens"], call["reasoning_tokens"]) == (49, 40)


def test_a_streamed_answer_is_recorded_with_the_last_chunks_usage_and_unchanged_chunks(
    start_sdk: Callable[..., None], client: genai.Client, recorded: Callable[..., Spans]
) -> None:
    def texts() -> list[str | None]:
        stream = client.models.generate_content_stream(model=MODEL, contents="Say hello")
        return [chunk.text for chunk in stream]

    without_sdk = texts()
    start_sdk()
    with llmobserve.run("stream") as frame:
        assert texts() == without_sdk == ["Hello", " there", "!"]

    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (
        "gemini-2.0-flash-001",
        120,
        9,
    )


@pytest.mark.usefixtures("sdk")
def test_async_generate_and_stream_are_recorded(
    client: genai.Client, recorded: Callable[..., Spans]
) -> None:
    async def main() -> None:
        try:
            await client.aio.models.generate_content(model=MODEL, contents="Say hello")
            async for _ in await client.aio.models.generate_content_stream(
                model=MODEL, contents="Say hello"
            ):
                pass
        finally:
            await client.aio.aclose()

    with llmobserve.run("async") as frame:
        asyncio.run(main())

    calls = recorded(frame)
    assert [(c["provider"], c["input_tokens"], c["output_tokens"]) for c in calls] == [
        ("google", 120, 9),
        ("google", 120, 9),
    ]


@pytest.mark.usefixtures("sdk")
def test_embed_content_is_recorded_with_its_model_and_usage_missing(
    client: genai.Client, recorded: Callable[..., Spans]
) -> None:
    with llmobserve.run("embed") as frame:
        reply = client.models.embed_content(model="text-embedding-004", contents=["a", "b"])

    assert reply.embeddings is not None and len(reply.embeddings) == 2
    [call] = recorded(frame)
    assert (call["provider"], call["model"], call["operation"]) == (
        "google",
        "text-embedding-004",
        "embedding",
    )
    assert call["usage_missing"] is True  # the Gemini API reports no tokens for embeddings


def test_an_api_error_is_recorded_and_reaches_the_user_unchanged(
    start_sdk: Callable[..., None],
    client: genai.Client,
    gemini: FakeGemini,
    recorded: Callable[..., Spans],
) -> None:
    gemini.scenario = GeminiScenario(fail_status=429)
    start_sdk()
    with llmobserve.run("limited") as frame, pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model=MODEL, contents="Say hello")

    assert raised.value.code == 429
    [call] = recorded(frame)
    assert (call["status"], call["model"]) == ("error", MODEL)
