"""The `openai` library: chat completions, completions, embeddings and responses, sync and async,
streaming and not, plain and `.with_raw_response` / `.with_streaming_response`.

Tokens in the wire format's meaning: OpenAI's `prompt_tokens` (Responses: `input_tokens`) already
include the cached ones, so they are the event's input_tokens as they are; `cached_tokens` is its
cached part and `cache_write_tokens` its cache-write part; `completion_tokens` (`output_tokens`)
include the reasoning tokens. The model is the one the API reports (`gpt-4o-mini-2024-07-18`),
the requested one only when the answer has none (never on Azure, where the requested "model" is
the name of a deployment).

The provider is the one the client's base URL names (see _endpoints.py): `openai`, `azure`,
`deepseek`, `groq`, `openrouter`, ..., or the host of a server the table does not know.
OpenRouter's `usage.cost` (what the call cost, in USD) is sent as the event's own cost.

Streamed chat completions and completions report usage only when asked with
`stream_options={"include_usage": True}`, which only some servers accept: llmobserve asks only
those (see _endpoints.py) and otherwise leaves the request as it is, taking the usage if the
stream carries it anyway. When the user did not ask, and the server accepts it, llmobserve asks (in
`extra_body` when it can: see _asking_for_usage) and holds back the extra usage-only chunk the API
then sends at the end, so the user sees exactly the chunks they would see without the SDK (that
chunk is read from the raw event, before the library spends time parsing it: see _usage_chunk.py;
the `"usage": null` the API then adds to every chunk is unset again, so even `chunk.to_dict()` is
unchanged). A user who set `include_usage` themselves (in `stream_options` or in `extra_body`) sees
that chunk as always; one who set it to False is not overridden (the call is recorded without
tokens). A stream the user stops reading before its end (`break`, `close()`) has not delivered the
usage chunk yet: it is recorded with the model but without tokens.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llmobserve._client import active_worker
from llmobserve.integrations._calls import Method, ProviderCall, ResultTypes, wrap_async, wrap_sync
from llmobserve.integrations._endpoints import (
    AZURE,
    Endpoint,
    azure_accepts_stream_options,
    endpoint_of,
)
from llmobserve.integrations._patching import Library, Target
from llmobserve.integrations._raw_responses import observe_raw_response
from llmobserve.integrations._reading import (
    count,
    count_items,
    field,
    normalized_usage,
    openai_service_tier,
    text_of,
)
from llmobserve.integrations._streams import Outcome, observe_stream
from llmobserve.integrations._usage_chunk import take_usage_chunk

if TYPE_CHECKING:
    from llmobserve._call import Usage, UsageSource

_CHAT = "openai.resources.chat.completions"
_COMPLETIONS = "openai.resources.completions"
_EMBEDDINGS = "openai.resources.embeddings"
_RESPONSES = "openai.resources.responses"
_BETA_CHAT = "openai.resources.beta.chat.completions"
_BETA_PARSE = (1, 50)  # beta.chat.completions.parse posts itself (before: through create)
_PARSE_GA = (1, 92)  # chat.completions.parse left `beta` (and responses.parse was there)

TARGETS = (
    Target(_CHAT, "Completions", "create", "chat"),
    Target(_CHAT, "AsyncCompletions", "create", "chat", is_async=True),
    Target(_CHAT, "Completions", "parse", "chat", min_version=_PARSE_GA),
    Target(_CHAT, "AsyncCompletions", "parse", "chat", is_async=True, min_version=_PARSE_GA),
    # before that, beta.chat.completions.parse: through chat.completions.create up to 1.49,
    # and posted itself from 1.50 (not recorded by the target above, so recorded here)
    Target(
        _BETA_CHAT,
        "Completions",
        "parse",
        "chat",
        min_version=_BETA_PARSE,
        before_version=_PARSE_GA,
    ),
    Target(
        _BETA_CHAT,
        "AsyncCompletions",
        "parse",
        "chat",
        is_async=True,
        min_version=_BETA_PARSE,
        before_version=_PARSE_GA,
    ),
    Target(_COMPLETIONS, "Completions", "create", "completion"),
    Target(_COMPLETIONS, "AsyncCompletions", "create", "completion", is_async=True),
    Target(_EMBEDDINGS, "Embeddings", "create", "embedding"),
    Target(_EMBEDDINGS, "AsyncEmbeddings", "create", "embedding", is_async=True),
    Target(_RESPONSES, "Responses", "create", "responses", min_version=(1, 66)),
    Target(_RESPONSES, "AsyncResponses", "create", "responses", is_async=True, min_version=(1, 66)),
    Target(_RESPONSES, "Responses", "parse", "responses", min_version=_PARSE_GA),
    Target(
        _RESPONSES, "AsyncResponses", "parse", "responses", is_async=True, min_version=_PARSE_GA
    ),
)

_STREAMED_USAGE_OPERATIONS = ("chat", "completion")  # usage only with stream_options
_RESPONSE_EVENTS = frozenset(
    "response." + state
    for state in ("created", "queued", "in_progress", "completed", "incomplete", "failed")
)


class OpenAICall:
    """Measures one call of a target (the `Instrumentation` of _calls.py)."""

    def __init__(self, operation: str) -> None:
        self.operation = operation

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        endpoint = _endpoint(instance)
        provider = endpoint.provider
        requested = None if provider == AZURE else kwargs.get("model")  # a deployment's name
        call = ProviderCall(provider, self.operation, requested, kwargs)
        if (
            kwargs.get("stream") is True
            and self.operation in _STREAMED_USAGE_OPERATIONS
            and endpoint.asks_for_stream_usage
        ):
            asking = _asking_for_usage(kwargs)
            if asking is not None:
                call.kwargs = asking
                call.hides_usage_chunk = True
        return call

    def end(self, call: ProviderCall, result: Any) -> Any:
        if isinstance(result, _result_types().raw):
            observe_raw_response(result, call, self.end_parsed, self.outcome)
            return result
        return self.end_parsed(call, result)

    def end_parsed(self, call: ProviderCall, result: Any) -> Any:
        if isinstance(result, _result_types().streams):
            if self.operation == "responses":
                observe_stream(result, call, ResponseEventsWatch())
            else:
                chunks = ChunksWatch(call.hides_usage_chunk, call if _reports_cost(call) else None)
                observe_stream(result, call, chunks)
                if chunks.hide_usage_chunk:
                    take_usage_chunk(result, chunks.take)
        else:
            model, usage = self.outcome(result)
            if _reports_cost(call):
                call.cost = reported_cost(field(result, "usage"))
            call.finish(model=model, usage=usage)
        return result

    def outcome(self, result: Any) -> Outcome:
        """Model and usage of a complete answer (a parsed model or its JSON). The usage is read
        later, by the worker, off the caller's thread (see _call.UsageSource)."""
        usage = field(result, "usage")
        model = text_of(field(result, "model"))
        if usage is None:
            return model, None
        tier = openai_service_tier(field(result, "service_tier"))
        if self.operation == "responses":
            searches = count_items(field(result, "output"), "web_search_call")
            return model, functools.partial(responses_usage, usage, tier, searches)
        return model, functools.partial(completion_usage, usage, tier)


class ChunksWatch:
    """Streamed chat completions and completions: the model of the chunks, the usage of the
    last one (sent only with include_usage; held back when we asked for it).

    `see` runs for every chunk, on the caller's thread: it does as little as it can. The usage
    is read later, by the worker, like a complete answer's (see OpenAICall.outcome)."""

    failure: str | None = None  # a failing chat stream raises (recorded as the error)

    def __init__(self, hide_usage_chunk: bool, costed: ProviderCall | None = None) -> None:
        self.hide_usage_chunk = hide_usage_chunk
        self.costed = costed  # the call whose cost the usage reports (OpenRouter), if any
        self.model: str | None = None
        self.usage: UsageSource | None = None

    def see(self, item: Any) -> bool:
        if self.model is None:
            self.model = text_of(getattr(item, "model", None))
        usage = getattr(item, "usage", None)
        if usage is None:
            if self.hide_usage_chunk:  # the API sent `"usage": null` only because we asked
                fields_set = getattr(item, "__pydantic_fields_set__", None)
                if isinstance(fields_set, set):  # pydantic 2, inline: this runs for every chunk
                    fields_set.discard("usage")
                else:
                    _forget_field(item, "usage")
            return True
        tier = openai_service_tier(getattr(item, "service_tier", None))
        self.usage = functools.partial(completion_usage, usage, tier)
        if self.costed is not None:
            self.costed.cost = reported_cost(usage)
        return not (self.hide_usage_chunk and not getattr(item, "choices", None))

    def take(self, chunk: dict[str, Any]) -> None:
        """The usage-only chunk, as JSON, taken out before the library parsed it."""
        self.model = self.model or text_of(chunk.get("model"))
        tier = openai_service_tier(chunk.get("service_tier"))
        self.usage = functools.partial(completion_usage, chunk.get("usage"), tier)
        if self.costed is not None:
            self.costed.cost = reported_cost(chunk.get("usage"))

    def outcome(self) -> Outcome:
        return self.model, self.usage


class ResponseEventsWatch:
    """Streamed responses: the response carried by `response.created` / `response.completed` /
    `response.incomplete` / `response.failed` events (usage on the final one). A
    `response.failed` event makes the call an error."""

    failure: str | None = None

    def __init__(self) -> None:
        self.model: str | None = None
        self.usage: Usage | None = None

    def see(self, item: Any) -> bool:
        kind = field(item, "type")
        if kind not in _RESPONSE_EVENTS:
            return True
        response = field(item, "response")
        self.model = text_of(field(response, "model")) or self.model
        usage = field(response, "usage")
        if usage is not None:
            tier = openai_service_tier(field(response, "service_tier"))
            searches = count_items(field(response, "output"), "web_search_call")
            self.usage = responses_usage(usage, tier, searches)
        if kind == "response.failed":
            message = field(field(response, "error"), "message")
            self.failure = f"ResponseFailed: {message or 'the response failed'}"
        return True

    def outcome(self) -> Outcome:
        return self.model, self.usage


def _forget_field(model: Any, name: str) -> None:
    """Make `name` unset again on a pydantic model, so that `to_dict()` / `to_json()` (which leave
    unset fields out) show the chunk exactly as it would be without include_usage."""
    fields_set = getattr(model, "__pydantic_fields_set__", None)  # pydantic 2
    if fields_set is None:
        fields_set = getattr(model, "__fields_set__", None)  # pydantic 1
    if isinstance(fields_set, set):
        fields_set.discard(name)


def completion_usage(usage: Any, service_tier: str | None = None) -> Usage | None:
    """Chat completions, completions, embeddings: `prompt_tokens` include the cached and audio
    ones, `completion_tokens` the reasoning and audio ones."""
    if usage is None:
        return None
    prompt = field(usage, "prompt_tokens_details")
    completion = field(usage, "completion_tokens_details")
    return normalized_usage(
        input_tokens=count(field(usage, "prompt_tokens")),
        cached_input_tokens=count(field(prompt, "cached_tokens")),
        cache_write_input_tokens=count(field(prompt, "cache_write_tokens")),
        output_tokens=count(field(usage, "completion_tokens")),
        reasoning_tokens=count(field(completion, "reasoning_tokens")),
        input_audio_tokens=count(field(prompt, "audio_tokens")),
        output_audio_tokens=count(field(completion, "audio_tokens")),
        service_tier=service_tier,
    )


def responses_usage(
    usage: Any, service_tier: str | None = None, web_search_requests: int = 0
) -> Usage | None:
    """Responses: `input_tokens` include the cached ones, `output_tokens` the reasoning ones;
    each `web_search_call` output item is one web search billed."""
    if usage is None:
        return None
    details = field(usage, "input_tokens_details")
    return normalized_usage(
        input_tokens=count(field(usage, "input_tokens")),
        cached_input_tokens=count(field(details, "cached_tokens")),
        cache_write_input_tokens=count(field(details, "cache_write_tokens")),
        output_tokens=count(field(usage, "output_tokens")),
        reasoning_tokens=count(field(field(usage, "output_tokens_details"), "reasoning_tokens")),
        service_tier=service_tier,
        web_search_requests=web_search_requests,
    )


def _asking_for_usage(kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The keyword arguments to call with so that the stream reports usage; None to call with the
    user's own (they decided about include_usage, or passed something we do not understand).

    When the user passed no stream_options, ours go in `extra_body`, which the library merges
    into the request's JSON as it is, instead of the `stream_options` argument, which it runs
    through its request-params transform (~10 µs of the caller's CPU). The JSON sent is the same:
    the library merges `extra_body` over the arguments, key by key (so a `stream_options` of
    None or {} given as an argument is replaced by ours, as before). A user's own `extra_body` is
    copied, never changed; one that has a `stream_options` wins over any argument, so it is sent
    as it is and we hide nothing (that choice is the user's, as without the SDK).
    """
    options = kwargs.get("stream_options")
    extra_body = kwargs.get("extra_body")
    if extra_body is not None:
        if not isinstance(extra_body, Mapping):
            return None  # the library refuses it: its error, not ours
        if "stream_options" in extra_body:
            return None
    if not options:  # not given: absent, None, openai's omit / NOT_GIVEN (falsy), {}
        usage = {"stream_options": {"include_usage": True}}
        return {**kwargs, "extra_body": usage if extra_body is None else {**extra_body, **usage}}
    if isinstance(options, Mapping) and "include_usage" not in options:
        return {**kwargs, "stream_options": {**options, "include_usage": True}}
    return None


def _endpoint(resource: Any) -> Endpoint:
    """Where the resource's client sends its requests. An AzureOpenAI client is Azure whatever
    its host (a private endpoint, a gateway)."""
    client = getattr(resource, "_client", None)
    worker = active_worker()
    endpoint = endpoint_of(client, () if worker is None else worker.options.providers)
    if endpoint.provider != AZURE and isinstance(client, _azure_classes()):
        return Endpoint(AZURE, azure_accepts_stream_options(client))
    return endpoint


def _reports_cost(call: ProviderCall) -> bool:
    return call.provider == "openrouter"


def reported_cost(usage: Any) -> float | int | None:
    """OpenRouter's `usage.cost`: what the call cost, in USD (credits)."""
    cost = field(usage, "cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost >= 0:
        return cost
    return None


@functools.cache
def _result_types() -> ResultTypes:
    import openai
    from openai import _legacy_response

    return ResultTypes(
        streams=(openai.Stream, openai.AsyncStream),
        raw=(_legacy_response.LegacyAPIResponse, openai.APIResponse, openai.AsyncAPIResponse),
    )


@functools.cache
def _azure_classes() -> tuple[type, ...]:
    import openai

    return (openai.AzureOpenAI, openai.AsyncAzureOpenAI)


def wrap(original: Method, target: Target) -> Method:
    """The wrapper of one target method."""
    instrumentation = OpenAICall(target.operation)
    if target.is_async:
        return wrap_async(original, instrumentation)
    return wrap_sync(original, instrumentation)


LIBRARY = Library(name="openai", min_version=(1, 40), targets=TARGETS, wrap=wrap)
