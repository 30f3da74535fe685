"""openai chat completions, end to end: the real client -> the fake API; the SDK -> the real
collector, read back through the dashboard's API."""

from __future__ import annotations

import asyncio
import copy
import gc
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import openai
import pytest
from fakes.openai_upstream import FakeOpenAI, OpenAIScenario
from support.versions import needs

import llmobserve
from llmobserve.integrations import openai as integration
from llmobserve.integrations._calls import describe_error

MESSAGES = [{"role": "user", "content": "Say hello"}]


def chat(client: openai.OpenAI, **options: Any) -> Any:
    return client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, **options)


def dumps(chunks: list[Any]) -> list[dict[str, Any]]:
    """The chunks as the user's code sees them (`to_dict()` leaves unset fields out)."""
    return [chunk.to_dict() for chunk in chunks]


@pytest.mark.usefixtures("sdk")
def test_chat_completion_records_the_reported_model_tokens_and_catalog_cost(
    openai_client: openai.OpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    with llmobserve.run("answer") as frame:
        reply = chat(openai_client)

    assert reply.choices[0].message.content == "Hello there!"
    [call] = recorded(frame)
    assert call["provider"] == "openai"
    assert call["operation"] == "chat"
    assert call["model"] == "gpt-4o-mini-2024-07-18"  # as reported, not as requested
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)
    assert call["status"] == "ok"
    assert call["cost_source"] == "catalog"
    assert Decimal(call["cost_usd"]) == priced(call) > 0


@pytest.mark.usefixtures("sdk")
def test_cached_and_reasoning_tokens_are_recorded_as_parts_of_input_and_output(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
    priced: Callable[[dict[str, Any]], Decimal],
) -> None:
    openai_upstream.scenario = OpenAIScenario(
        input_tokens=1200, cached_tokens=1024, output_tokens=80, reasoning_tokens=64
    )
    with llmobserve.run("cached") as frame:
        chat(openai_client)

    [call] = recorded(frame)
    assert call["input_tokens"] == 1200  # prompt_tokens already include the cached ones
    assert call["cached_input_tokens"] == 1024
    assert call["output_tokens"] == 80
    assert call["reasoning_tokens"] == 64
    assert Decimal(call["cost_usd"]) == priced(call)


@pytest.mark.usefixtures("sdk")
def test_the_requested_model_is_recorded_when_the_answer_names_none(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    openai_upstream.scenario = OpenAIScenario(model="")
    with llmobserve.run("no model") as frame:
        chat(openai_client)

    assert [call["model"] for call in recorded(frame)] == ["gpt-4o-mini"]


@pytest.mark.usefixtures("sdk")
def test_async_chat_completion_is_recorded(
    async_openai: Callable[[], openai.AsyncOpenAI],
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    async def main() -> None:
        async with async_openai() as client:
            await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    with llmobserve.run("async") as frame:
        asyncio.run(main())

    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == (
        "gpt-4o-mini-2024-07-18",
        21,
        3,
    )


def test_rate_limit_error_is_recorded_and_the_same_exception_reaches_the_user(
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    openai_upstream.scenario = OpenAIScenario(fail_status=429)
    with pytest.raises(openai.RateLimitError) as without_sdk:
        chat(openai_client)
    start_sdk()

    with llmobserve.run("limited") as frame, pytest.raises(openai.RateLimitError) as with_sdk:
        chat(openai_client)

    assert str(with_sdk.value) == str(without_sdk.value)
    assert with_sdk.value.status_code == 429
    assert with_sdk.traceback[-1].name == without_sdk.traceback[-1].name  # raised where it was
    [call] = recorded(frame)
    assert call["status"] == "error"
    assert call["error"] == describe_error(with_sdk.value)
    assert call["model"] == "gpt-4o-mini"  # the request's: the API answered none
    assert call["input_tokens"] == call["output_tokens"] == 0


def test_azure_client_is_recorded_as_azure(
    sdk: None,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    client = openai.AzureOpenAI(
        api_key="az-test",
        azure_endpoint=openai_upstream.url,
        api_version="2024-10-21",
        max_retries=0,
    )
    with client, llmobserve.run("azure") as frame:
        chat(client)

    [call] = recorded(frame)
    assert (call["provider"], call["model"]) == ("azure", "gpt-4o-mini-2024-07-18")
    assert call["cost_source"] == "catalog"


# -- streaming -------------------------------------------------------------------------------


def test_streamed_chat_shows_the_user_the_same_chunks_as_without_the_sdk(
    start_sdk: Callable[..., None], openai_client: openai.OpenAI
) -> None:
    without_sdk = dumps(list(chat(openai_client, stream=True)))
    start_sdk()

    with llmobserve.run("stream"):
        with_sdk = dumps(list(chat(openai_client, stream=True)))

    assert with_sdk == without_sdk
    assert len(with_sdk) == 5  # role, three pieces, finish: no usage-only chunk


def events_parsed_by(client_class: type[Any], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """From now on, the data of every server-sent event the library parses into a chunk, in a
    list that fills as `client_class`'s streams are read."""
    parsed: list[Any] = []
    process = client_class._process_response_data

    def counting(self: Any, **kwargs: Any) -> Any:
        parsed.append(kwargs["data"])
        return process(self, **kwargs)

    monkeypatch.setattr(client_class, "_process_response_data", counting)
    return parsed


@pytest.mark.parametrize("compact_json", [True, False], ids=["compact JSON", "spaced JSON"])
def test_the_usage_chunk_is_taken_out_before_the_library_parses_it(
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    recorded: Callable[..., list[dict[str, Any]]],
    compact_json: bool,
) -> None:
    openai_upstream.scenario = OpenAIScenario(compact_json=compact_json)
    without_sdk = dumps(list(chat(openai_client, stream=True)))
    start_sdk()
    parsed = events_parsed_by(openai.OpenAI, monkeypatch)
    with llmobserve.run("cheap") as frame:
        chunks = list(chat(openai_client, stream=True))

    assert len(parsed) == len(chunks) == 5
    assert dumps(chunks) == without_sdk
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


@pytest.mark.usefixtures("sdk")
def test_usage_on_a_chunk_with_choices_reaches_the_user(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    openai_upstream.scenario = OpenAIScenario(usage_on_last_choice=True, compact_json=True)
    with llmobserve.run("usage with choices") as frame:
        chunks = list(chat(openai_client, stream=True))

    assert len(chunks) == 5
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 21
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


def test_the_usage_chunk_is_held_back_where_it_cannot_be_taken_out_early(
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    monkeypatch: pytest.MonkeyPatch,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    without_sdk = dumps(list(chat(openai_client, stream=True)))
    monkeypatch.setattr(integration, "take_usage_chunk", lambda stream, take: False)
    start_sdk()

    with llmobserve.run("fallback") as frame:
        with_sdk = dumps(list(chat(openai_client, stream=True)))

    assert with_sdk == without_sdk
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


@pytest.mark.usefixtures("sdk")
def test_streamed_chat_asks_for_usage_and_records_it(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    openai_upstream.scenario = OpenAIScenario(input_tokens=500, cached_tokens=256)
    with llmobserve.run("stream") as frame:
        text = "".join(c.choices[0].delta.content or "" for c in chat(openai_client, stream=True))

    assert text == "Hello there!"
    assert openai_upstream.requests[-1].body["stream_options"] == {"include_usage": True}
    [call] = recorded(frame)
    assert (call["model"], call["status"]) == ("gpt-4o-mini-2024-07-18", "ok")
    assert (call["input_tokens"], call["cached_input_tokens"], call["output_tokens"]) == (
        500,
        256,
        3,
    )


@pytest.mark.usefixtures("sdk")
def test_usage_chunk_the_user_asked_for_is_passed_through(
    openai_client: openai.OpenAI, recorded: Callable[..., list[dict[str, Any]]]
) -> None:
    with llmobserve.run("own usage") as frame:
        chunks = list(chat(openai_client, stream=True, stream_options={"include_usage": True}))

    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 21
    assert [call["input_tokens"] for call in recorded(frame)] == [21]


@pytest.mark.usefixtures("sdk")
def test_include_usage_false_is_respected_and_the_call_recorded_without_tokens(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    with llmobserve.run("no usage") as frame:
        list(chat(openai_client, stream=True, stream_options={"include_usage": False}))

    assert openai_upstream.requests[-1].body["stream_options"] == {"include_usage": False}
    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"]) == ("gpt-4o-mini-2024-07-18", 0)


@pytest.mark.usefixtures("sdk")
def test_other_stream_options_are_kept_when_usage_is_asked_for(
    openai_client: openai.OpenAI, openai_upstream: FakeOpenAI
) -> None:
    with llmobserve.run("options"):
        list(chat(openai_client, stream=True, stream_options={"include_obfuscation": False}))

    sent = openai_upstream.requests[-1].body["stream_options"]
    assert sent == {"include_obfuscation": False, "include_usage": True}


ASKED = {"include_usage": True}
OWN_USAGE_CASES = {
    # what the user passes: (the stream_options sent with the SDK; None: exactly the user's
    # request, as without the SDK), the input tokens recorded
    "nothing": ({}, ASKED, 21),
    "stream_options None": ({"stream_options": None}, ASKED, 21),
    "stream_options {}": ({"stream_options": {}}, ASKED, 21),
    "other stream_options": (
        {"stream_options": {"include_obfuscation": False}},
        {"include_obfuscation": False, "include_usage": True},
        21,
    ),
    "include_usage False": ({"stream_options": {"include_usage": False}}, None, 0),
    "include_usage True": ({"stream_options": {"include_usage": True}}, None, 21),
    "extra_body": ({"extra_body": {"user_tag": "t-1"}}, ASKED, 21),
    "extra_body and other stream_options": (
        {"extra_body": {"user_tag": "t-1"}, "stream_options": {"include_obfuscation": False}},
        {"include_obfuscation": False, "include_usage": True},
        21,
    ),
    "stream_options in extra_body": (
        {"extra_body": {"stream_options": {"include_obfuscation": False}}},
        None,
        0,
    ),
    "include_usage in extra_body": (
        {"extra_body": {"stream_options": {"include_usage": True}}},
        None,
        21,
    ),
    "extra_body's stream_options over the argument": (
        {
            "stream_options": {"include_usage": True},
            "extra_body": {"stream_options": {"include_usage": False}},
        },
        None,
        0,
    ),
}


@pytest.mark.parametrize(
    ("options", "sent", "tokens"), OWN_USAGE_CASES.values(), ids=OWN_USAGE_CASES.keys()
)
def test_the_request_sent_is_the_users_with_include_usage_added_only_where_they_left_it_out(
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
    options: dict[str, Any],
    sent: dict[str, Any] | None,
    tokens: int,
) -> None:
    given = copy.deepcopy(options)
    chunks_without_sdk = dumps(list(chat(openai_client, stream=True, **options)))
    body_without_sdk = openai_upstream.requests[-1].body
    start_sdk()

    with llmobserve.run("own usage") as frame:
        chunks_with_sdk = dumps(list(chat(openai_client, stream=True, **options)))

    body_with_sdk = openai_upstream.requests[-1].body
    if sent is None:
        assert body_with_sdk == body_without_sdk
    else:
        assert body_with_sdk == {**body_without_sdk, "stream_options": sent}
    assert options == given  # the user's dicts are not changed
    assert chunks_with_sdk == chunks_without_sdk  # the usage chunk only if the user asked
    [call] = recorded(frame)
    assert call["input_tokens"] == tokens


@pytest.mark.usefixtures("sdk")
def test_usage_is_asked_for_in_extra_body_not_as_the_stream_options_argument(
    openai_client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    called_with: list[dict[str, Any]] = []
    post = openai.OpenAI.post

    def spying(self: openai.OpenAI, path: str, **kwargs: Any) -> Any:
        called_with.append(kwargs)
        return post(self, path, **kwargs)

    monkeypatch.setattr(openai.OpenAI, "post", spying)
    with llmobserve.run("extra body"):
        list(chat(openai_client, stream=True))

    [request] = called_with
    # not run through the params transform (openai 1.40 lists every parameter, NOT_GIVEN)
    assert not request["body"].get("stream_options")
    assert request["options"]["extra_json"] == {"stream_options": ASKED}


@pytest.mark.parametrize("compact_json", [True, False], ids=["compact JSON", "spaced JSON"])
def test_async_streamed_chat_shows_the_same_chunks_and_is_recorded(
    start_sdk: Callable[..., None],
    async_openai: Callable[[], openai.AsyncOpenAI],
    openai_upstream: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    recorded: Callable[..., list[dict[str, Any]]],
    compact_json: bool,
) -> None:
    openai_upstream.scenario = OpenAIScenario(compact_json=compact_json)
    parsed = events_parsed_by(openai.AsyncOpenAI, monkeypatch)

    async def chunks() -> list[dict[str, Any]]:
        async with async_openai() as client:
            stream = await client.chat.completions.create(
                model="gpt-4o-mini", messages=MESSAGES, stream=True
            )
            return dumps([chunk async for chunk in stream])

    without_sdk = asyncio.run(chunks())
    start_sdk()
    with llmobserve.run("async stream") as frame:
        with_sdk = asyncio.run(chunks())

    assert openai_upstream.requests[-1].body["stream_options"] == {"include_usage": True}
    assert with_sdk == without_sdk
    assert len(parsed) == 2 * len(with_sdk)  # the usage chunk taken out before parsing
    [call] = recorded(frame)
    assert (call["input_tokens"], call["output_tokens"]) == (21, 3)


@needs("openai", (1, 92), "chat.completions.stream outside `beta`")
@pytest.mark.usefixtures("sdk")
def test_chat_completions_stream_helper_is_recorded_once(
    openai_client: openai.OpenAI, recorded: Callable[..., list[dict[str, Any]]]
) -> None:
    with llmobserve.run("helper") as frame:
        with openai_client.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as s:
            final = s.get_final_completion()

    assert final.choices[0].message.content == "Hello there!"
    assert final.usage is None  # as without the SDK: the user did not ask for usage
    [call] = recorded(frame)
    assert (call["model"], call["input_tokens"]) == ("gpt-4o-mini-2024-07-18", 21)


@pytest.mark.usefixtures("sdk")
def test_stream_used_as_context_manager_keeps_its_response_and_records_once(
    openai_client: openai.OpenAI, recorded: Callable[..., list[dict[str, Any]]]
) -> None:
    with llmobserve.run("with") as frame:
        with chat(openai_client, stream=True) as stream:
            assert isinstance(stream, openai.Stream)
            assert stream.response.status_code == 200
            pieces = list(stream)

    assert len(pieces) == 5
    assert len(recorded(frame)) == 1


@pytest.mark.usefixtures("sdk")
def test_abandoned_stream_records_what_it_saw_once(
    openai_client: openai.OpenAI, recorded: Callable[..., list[dict[str, Any]]]
) -> None:
    with llmobserve.run("abandoned") as frame:
        stream = chat(openai_client, stream=True)
        first = next(iter(stream))
        del stream
        gc.collect()

    assert first.choices[0].delta.role == "assistant"
    [call] = recorded(frame)
    assert (call["model"], call["status"]) == ("gpt-4o-mini-2024-07-18", "ok")
    assert call["input_tokens"] == 0  # the usage chunk was never read


@pytest.mark.usefixtures("sdk")
def test_stream_closed_early_records_once(
    openai_client: openai.OpenAI, recorded: Callable[..., list[dict[str, Any]]]
) -> None:
    with llmobserve.run("closed") as frame:
        stream = chat(openai_client, stream=True)
        next(iter(stream))
        stream.close()
        stream.close()

    [call] = recorded(frame)
    assert call["status"] == "ok"


@pytest.mark.usefixtures("sdk")
def test_async_stream_closed_early_records_once(
    async_openai: Callable[[], openai.AsyncOpenAI], recorded: Callable[..., list[dict[str, Any]]]
) -> None:
    async def main() -> None:
        async with async_openai() as client:
            stream = await client.chat.completions.create(
                model="gpt-4o-mini", messages=MESSAGES, stream=True
            )
            await stream.__anext__()
            await stream.close()
            await stream.close()

    with llmobserve.run("async closed") as frame:
        asyncio.run(main())

    [call] = recorded(frame)
    assert (call["status"], call["model"]) == ("ok", "gpt-4o-mini-2024-07-18")


@pytest.mark.usefixtures("sdk")
def test_stream_dropped_mid_way_records_an_error_with_what_it_saw(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    openai_upstream.scenario = OpenAIScenario(abort_after=2)
    seen = []
    # openai raises APIConnectionError, older releases (1.40) httpx's own error: either way the
    # user's exception is the one recorded
    with llmobserve.run("dropped") as frame, pytest.raises(Exception) as raised:
        for chunk in chat(openai_client, stream=True):
            seen.append(chunk)

    assert isinstance(raised.value, (openai.APIConnectionError, httpx.TransportError))
    assert len(seen) == 2
    [call] = recorded(frame)
    assert call["status"] == "error"
    assert call["error"].startswith(type(raised.value).__name__)
    assert call["model"] == "gpt-4o-mini-2024-07-18"


@pytest.mark.usefixtures("sdk")
def test_error_event_in_a_stream_records_an_error(
    openai_client: openai.OpenAI,
    openai_upstream: FakeOpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    openai_upstream.scenario = OpenAIScenario(error_after=3)
    with llmobserve.run("failed") as frame, pytest.raises(openai.APIError) as raised:
        list(chat(openai_client, stream=True))

    assert "server had an error" in str(raised.value)
    [call] = recorded(frame)
    assert (call["status"], call["error"]) == (
        "error",
        "APIError: The server had an error while processing your request.",
    )
