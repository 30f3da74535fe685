"""The `anthropic` library: `messages.create` (streaming and not) and `messages.parse`, and the
`messages.stream(...)` helper (its `text_stream`, `get_final_message()`, ... keep working: the
helper's own stream object is observed in place), sync and async, plain and raw.

Tokens in the wire format's meaning: Anthropic's `input_tokens` EXCLUDE cache reads and writes,
so the event's input_tokens = input_tokens + cache_read_input_tokens +
cache_creation_input_tokens, of which cached_input_tokens = cache_read_input_tokens and
cache_write_input_tokens = cache_creation_input_tokens. output_tokens include the thinking
tokens (`output_tokens_details.thinking_tokens`, the reasoning_tokens). Of the cache writes,
`cache_creation.ephemeral_1h_input_tokens` were written with the 1-hour TTL
(cache_write_1h_input_tokens); `server_tool_use.web_search_requests` are the web searches billed
(the unit web_search_requests) and `service_tier` says standard, priority or batch. A stream
reports the input side in `message_start` and the cumulative output in `message_delta`.

Message Batches: each succeeded result the user reads from `messages.batches.results(...)` is
recorded as a `chat` call with service_tier `batch` (its `custom_id` in the metadata), when it
is read.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any

from llmobserve._call import FinishedCall, is_enabled, queue_call
from llmobserve._context import current_frame
from llmobserve._log import report_internal_error
from llmobserve.integrations._calls import Method, ProviderCall, ResultTypes, wrap_async, wrap_sync
from llmobserve.integrations._patching import Library, Target
from llmobserve.integrations._raw_responses import observe_raw_response
from llmobserve.integrations._reading import count, field, normalized_usage, text_of
from llmobserve.integrations._streams import Outcome, observe_stream

if TYPE_CHECKING:
    from llmobserve._call import Usage

_MESSAGES = "anthropic.resources.messages"
_BATCHES = "anthropic.resources.messages.batches"
_STREAMING = "anthropic.lib.streaming"
_PARSE = (0, 77)
_BATCH_RESULTS = "batch_results"  # the operation of a Target that reads a batch's results
_BATCHES_API = (0, 41)  # messages.batches left the beta in 0.41

TARGETS = (
    Target(_MESSAGES, "Messages", "create", "chat"),
    Target(_MESSAGES, "AsyncMessages", "create", "chat", is_async=True),
    # messages.parse came in 0.77 (it posts itself, never through create: recorded once)
    Target(_MESSAGES, "Messages", "parse", "chat", min_version=_PARSE),
    Target(_MESSAGES, "AsyncMessages", "parse", "chat", is_async=True, min_version=_PARSE),
    # messages.stream(...) sends its request when the manager is entered.
    Target(_STREAMING, "MessageStreamManager", "__enter__", "chat"),
    Target(_STREAMING, "AsyncMessageStreamManager", "__aenter__", "chat", is_async=True),
    # Message Batches: each succeeded result read is one call, priced at the batch tier.
    Target(_BATCHES, "Batches", "results", _BATCH_RESULTS, min_version=_BATCHES_API),
    Target(
        _BATCHES, "AsyncBatches", "results", _BATCH_RESULTS, is_async=True, min_version=_BATCHES_API
    ),
)


class MessagesCall:
    """Measures one `messages.create` / `messages.parse` call (an `Instrumentation`)."""

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        return ProviderCall("anthropic", "chat", kwargs.get("model"), kwargs)

    def end(self, call: ProviderCall, result: Any) -> Any:
        if isinstance(result, _result_types().raw):
            observe_raw_response(result, call, self.end_parsed, message_outcome)
            return result
        return self.end_parsed(call, result)

    def end_parsed(self, call: ProviderCall, result: Any) -> Any:
        if isinstance(result, _result_types().streams):
            observe_stream(result, call, MessageEventsWatch())
        else:
            model, usage = message_outcome(result)
            call.finish(model=model, usage=usage)
        return result


class MessageStreamCall:
    """Measures the request a `messages.stream(...)` manager sends when entered: the
    `MessageStream` it returns is observed through the raw stream under it."""

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        return ProviderCall("anthropic", "chat", None, kwargs)  # the model comes from message_start

    def end(self, call: ProviderCall, result: Any) -> Any:
        observe_stream(result._raw_stream, call, MessageEventsWatch())
        return result


class MessageEventsWatch:
    """Streamed messages: `message_start` carries the model and the input usage,
    `message_delta` the cumulative output (and, on newer APIs, cumulative input) usage."""

    failure: str | None = None  # a failing message stream raises (recorded as the error)

    def __init__(self) -> None:
        self.model: str | None = None
        self.usage: dict[str, Any] = {}

    def see(self, item: Any) -> bool:
        kind = field(item, "type")
        if kind == "message_start":
            message = field(item, "message")
            self.model = text_of(field(message, "model"))
            self._take(field(message, "usage"))
        elif kind == "message_delta":
            self._take(field(item, "usage"))
        return True

    def _take(self, usage: Any) -> None:
        for name, value in _usage_fields(usage).items():
            if isinstance(value, (int, str)):
                self.usage[name] = value

    def outcome(self) -> Outcome:
        return self.model, (messages_usage(self.usage) if self.usage else None)


_USAGE_FIELDS = (
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


def message_outcome(message: Any) -> Outcome:
    """Model and usage of a complete `Message` (or its JSON); the usage is read later, by the
    worker (see _call.UsageSource)."""
    usage = field(message, "usage")
    model = text_of(field(message, "model"))
    return model, (None if usage is None else functools.partial(_message_usage, usage))


def _usage_fields(usage: Any) -> dict[str, Any]:
    """The usage object's fields `messages_usage` reads, nested ones flattened."""
    fields = {name: field(usage, name) for name in _USAGE_FIELDS}
    fields["thinking_tokens"] = field(field(usage, "output_tokens_details"), "thinking_tokens")
    creation = field(usage, "cache_creation")
    fields["ephemeral_1h_input_tokens"] = field(creation, "ephemeral_1h_input_tokens")
    fields["web_search_requests"] = field(field(usage, "server_tool_use"), "web_search_requests")
    fields["service_tier"] = field(usage, "service_tier")
    return fields


def _message_usage(usage: Any, service_tier: str | None = None) -> Usage:
    fields = _usage_fields(usage)
    if service_tier is not None:
        fields["service_tier"] = service_tier
    return messages_usage(fields)


def messages_usage(fields: dict[str, Any]) -> Usage:
    """Anthropic's usage fields in the wire format's meaning (input includes the cache)."""
    cache_read = count(fields.get("cache_read_input_tokens"))
    cache_write = count(fields.get("cache_creation_input_tokens"))
    return normalized_usage(
        input_tokens=count(fields.get("input_tokens")) + cache_read + cache_write,
        cached_input_tokens=cache_read,
        cache_write_input_tokens=cache_write,
        output_tokens=count(fields.get("output_tokens")),
        reasoning_tokens=count(fields.get("thinking_tokens")),
        cache_write_1h_input_tokens=count(fields.get("ephemeral_1h_input_tokens")),
        service_tier=text_of(fields.get("service_tier")),
        web_search_requests=count(fields.get("web_search_requests")),
    )


@functools.cache
def _result_types() -> ResultTypes:
    import anthropic

    raw: tuple[type, ...] = (anthropic.APIResponse, anthropic.AsyncAPIResponse)
    try:  # anthropic < 1 answers `.with_raw_response` with a LegacyAPIResponse (sync `parse()`)
        from anthropic._legacy_response import LegacyAPIResponse  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        raw = (LegacyAPIResponse, *raw)
    return ResultTypes(streams=(anthropic.Stream, anthropic.AsyncStream), raw=raw)


def _batch_result_usage(message: Any) -> Usage:
    return _message_usage(field(message, "usage"), "batch")


def _record_batch_result(item: Any, frame: Any) -> None:
    """Record one line of a batch's results: a succeeded request is a `chat` call of the batch
    tier (Anthropic bills batches at half price); errored, canceled and expired ones cost
    nothing and are not recorded. Never raises."""
    try:
        result = field(item, "result")
        if field(result, "type") != "succeeded":
            return
        message = field(result, "message")
        queue_call(
            FinishedCall(
                frame,
                where="anthropic",
                provider="anthropic",
                model=text_of(field(message, "model")),
                operation="chat",
                name="message batch result",
                started=time.time(),
                duration_ms=None,
                usage=functools.partial(_batch_result_usage, message),
                metadata={"custom_id": text_of(field(item, "custom_id")) or ""},
            )
        )
    except Exception as exc:
        report_internal_error(exc)


def _observe_results(decoder: Any) -> None:
    """Record each result as the user's code reads it from the decoder (a JSONLDecoder or its
    async twin), by putting a recording generator in front of the decoder's own iterator."""
    frame = current_frame()
    inner = decoder._iterator
    if hasattr(inner, "__anext__"):

        async def recording_async() -> Any:
            async for item in inner:
                _record_batch_result(item, frame)
                yield item

        decoder._iterator = recording_async()
    else:

        def recording() -> Any:
            for item in inner:
                _record_batch_result(item, frame)
                yield item

        decoder._iterator = recording()


def _wrap_batch_results(original: Method, target: Target) -> Method:
    """`messages.batches.results(...)`: the user's decoder, observed (never fails the call)."""

    def observe(decoder: Any) -> Any:
        if is_enabled():
            try:
                _observe_results(decoder)
            except Exception as exc:
                report_internal_error(exc)
        return decoder

    if target.is_async:

        @functools.wraps(original)
        async def results_async(*args: Any, **kwargs: Any) -> Any:
            return observe(await original(*args, **kwargs))

        return results_async

    @functools.wraps(original)
    def results(*args: Any, **kwargs: Any) -> Any:
        return observe(original(*args, **kwargs))

    return results


def wrap(original: Method, target: Target) -> Method:
    """The wrapper of one target method."""
    if target.operation == _BATCH_RESULTS:
        return _wrap_batch_results(original, target)
    instrumentation = MessageStreamCall() if target.method.startswith("__") else MessagesCall()
    if target.is_async:
        return wrap_async(original, instrumentation)
    return wrap_sync(original, instrumentation)


LIBRARY = Library(name="anthropic", min_version=(0, 40), targets=TARGETS, wrap=wrap)
