"""Streams never fail because of the SDK: `stream_options.include_usage` is asked for only from
servers known to accept it, and a stream without usage is recorded as such, never silently
at $0. The fake API here answers 400 to any request with `stream_options`, as some
OpenAI-compatible servers and older Azure API versions do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario

import llmobserve

MESSAGES = [{"role": "user", "content": "Say hello"}]
Spans = list[dict[str, Any]]
REFUSING = OpenAIScenario(refuses_stream_options=True)


def stream(
    client: Any, model: str = "mistral-small-latest", **options: Any
) -> list[dict[str, Any]]:
    chunks = client.chat.completions.create(model=model, messages=MESSAGES, stream=True, **options)
    return [chunk.to_dict() for chunk in chunks]


def sent_stream_options(upstream: FakeOpenAI) -> list[bool]:
    return ["stream_options" in (request.body or {}) for request in upstream.requests]


@pytest.mark.parametrize(
    "base_url",
    ["http://api.mistral.ai/v1", "http://llm.internal:8000/v1", "http://openrouter.ai/api/v1"],
)
def test_a_server_refusing_stream_options_streams_exactly_as_without_the_sdk(
    start_sdk: Callable[..., None],
    client_for: Callable[..., Any],
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., Spans],
    base_url: str,
) -> None:
    openai_upstream.scenario = REFUSING
    client = client_for(base_url)
    without_sdk = stream(client)
    start_sdk()

    with llmobserve.run("refusing") as frame:
        with_sdk = stream(client)

    assert with_sdk == without_sdk
    assert len(with_sdk) == 5
    assert sent_stream_options(openai_upstream) == [False, False]
    [call] = recorded(frame)
    assert call["status"] == "ok"
    assert call["usage_missing"] is True  # the server sent none: unknown, not $0


@pytest.mark.usefixtures("sdk")
@pytest.mark.parametrize("where", ["finish", "chunk"])
def test_usage_a_server_sends_unasked_is_recorded(
    client_for: Callable[..., Any],
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., Spans],
    where: str,
) -> None:
    openai_upstream.scenario = OpenAIScenario(
        refuses_stream_options=True, unasked_stream_usage=where
    )
    with llmobserve.run("unasked") as frame:
        stream(client_for("http://api.mistral.ai/v1"))

    [call] = recorded(frame)
    assert (call["provider"], call["input_tokens"], call["output_tokens"]) == ("mistral", 21, 3)
    assert call["usage_missing"] is False
    assert call["cost_source"] == "catalog"


@pytest.mark.usefixtures("sdk")
def test_usage_is_asked_for_from_a_loopback_server(
    local_openai: openai.OpenAI, openai_upstream: FakeOpenAI, recorded: Callable[..., Spans]
) -> None:
    with llmobserve.run("local") as frame:
        chunks = stream(local_openai, model="gpt-4o-mini")

    assert len(chunks) == 5  # the usage-only chunk we asked for is not shown
    assert sent_stream_options(openai_upstream) == [True]
    [call] = recorded(frame)
    assert call["provider"].startswith("127.0.0.1:")
    assert (call["input_tokens"], call["usage_missing"]) == (21, False)


def test_init_providers_can_forbid_asking_a_host(
    start_sdk: Callable[..., None],
    local_openai: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., Spans],
) -> None:
    openai_upstream.scenario = REFUSING
    start_sdk(providers={openai_upstream.url: {"name": "llama-server", "stream_usage": False}})
    with llmobserve.run("forbidden") as frame:
        assert len(stream(local_openai, model="gpt-4o-mini")) == 5

    assert sent_stream_options(openai_upstream) == [False]
    [call] = recorded(frame)
    assert (call["provider"], call["usage_missing"]) == ("llama-server", True)


def test_init_providers_can_allow_asking_a_host(
    start_sdk: Callable[..., None],
    client_for: Callable[..., Any],
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., Spans],
) -> None:
    start_sdk(providers={"http://api.mistral.ai": {"stream_usage": True}})
    with llmobserve.run("allowed") as frame:
        chunks = stream(client_for("http://api.mistral.ai/v1"))

    assert len(chunks) == 5
    assert sent_stream_options(openai_upstream) == [True]
    [call] = recorded(frame)
    assert (call["provider"], call["input_tokens"]) == ("mistral", 21)


@pytest.mark.parametrize(("api_version", "asks"), [("2024-06-01", False), ("2024-10-21", True)])
def test_azure_is_asked_for_stream_usage_only_from_api_versions_that_accept_it(
    start_sdk: Callable[..., None],
    client_for: Callable[..., Any],
    openai_upstream: FakeOpenAI,
    api_version: str,
    asks: bool,
) -> None:
    openai_upstream.scenario = OpenAIScenario(refuses_stream_options=not asks)
    client = client_for(
        None,
        openai.AzureOpenAI,
        azure_endpoint="http://my-resource.openai.azure.com",
        api_version=api_version,
    )
    without_sdk = stream(client, model="prod-chat")
    start_sdk()

    assert stream(client, model="prod-chat") == without_sdk
    assert sent_stream_options(openai_upstream) == [False, asks]


def test_async_stream_from_a_refusing_server_works_as_without_the_sdk(
    start_sdk: Callable[..., None], openai_upstream: FakeOpenAI, recorded: Callable[..., Spans]
) -> None:
    openai_upstream.scenario = REFUSING

    async def main() -> list[dict[str, Any]]:
        async with openai.AsyncOpenAI(
            api_key="sk-test",
            base_url="http://api.together.xyz/v1",
            max_retries=0,
            http_client=httpx.AsyncClient(proxy=openai_upstream.url),
        ) as client:
            chunks = await client.chat.completions.create(
                model="meta-llama/Llama-3.3-70B-Instruct-Turbo", messages=MESSAGES, stream=True
            )
            return [chunk.to_dict() async for chunk in chunks]

    without_sdk = asyncio.run(main())
    start_sdk()
    with llmobserve.run("async") as frame:
        assert asyncio.run(main()) == without_sdk

    [call] = recorded(frame)
    assert (call["provider"], call["usage_missing"]) == ("together", True)


@pytest.mark.usefixtures("sdk")
def test_a_complete_answer_without_usage_is_marked_usage_missing(
    client_for: Callable[..., Any], openai_upstream: FakeOpenAI, recorded: Callable[..., Spans]
) -> None:
    openai_upstream.scenario = OpenAIScenario(no_usage=True)
    with llmobserve.run("no usage") as frame:
        client_for("http://llm.internal:8000/v1").chat.completions.create(
            model="local-model", messages=MESSAGES
        )

    [call] = recorded(frame)
    assert (call["usage_missing"], call["input_tokens"]) == (True, 0)
