"""The `google-genai` library (`from google import genai`): `models.generate_content`,
`generate_content_stream` and `embed_content`, sync (`client.models`) and async
(`client.aio.models`), for the Gemini API and Vertex AI alike. Provider `google`.

Each request to the API is one event: the library's `_generate_content` / `_generate_content_stream`
are wrapped (one HTTP request each), not the public methods, which may make several requests
(automatic function calling) and would be recorded once for all of them.

Tokens in the wire format's meaning: Gemini's `prompt_token_count` already includes the cached
tokens (`cached_content_token_count`, its cached part), and tool-use prompt tokens are input too;
output is `candidates_token_count` + `thoughts_token_count` (thinking is billed as output), and
the thoughts are its reasoning part. The model is the answer's `model_version`
(`gemini-2.0-flash-001`), else the requested one (without `models/`). A stream reports its usage
so far with each chunk: the last one's is the call's. The Gemini API's `embed_content` reports no
usage: it is recorded with the model and `usage_missing`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from llmobserve.integrations._calls import Method, ProviderCall, wrap_async, wrap_sync
from llmobserve.integrations._patching import Library, Target
from llmobserve.integrations._reading import count, field, normalized_usage, text_of
from llmobserve.integrations._streams import (
    Outcome,
    observed_async_iterator,
    observed_iterator,
)

if TYPE_CHECKING:
    from llmobserve._call import Usage, UsageSource

PROVIDER = "google"
_MODELS = "google.genai.models"

TARGETS = (
    Target(_MODELS, "Models", "_generate_content", "chat"),
    Target(_MODELS, "AsyncModels", "_generate_content", "chat", is_async=True),
    Target(_MODELS, "Models", "_generate_content_stream", "chat:stream"),
    Target(_MODELS, "AsyncModels", "_generate_content_stream", "chat:stream", is_async=True),
    Target(_MODELS, "Models", "embed_content", "embedding"),
    Target(_MODELS, "AsyncModels", "embed_content", "embedding", is_async=True),
)


def _requested(model: object) -> str | None:
    name = text_of(model)
    return name.removeprefix("models/") if name else None


class GenerateCall:
    """`_generate_content` and `embed_content`: one answer."""

    def __init__(self, operation: str) -> None:
        self.operation = operation

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        return ProviderCall(PROVIDER, self.operation, _requested(kwargs.get("model")), kwargs)

    def end(self, call: ProviderCall, result: Any) -> Any:
        usage = field(result, "usage_metadata")
        call.finish(
            model=text_of(field(result, "model_version")),
            usage=None if usage is None else functools.partial(gemini_usage, usage),
        )
        return result


class StreamCall:
    """`_generate_content_stream`: a generator (sync) or a coroutine of an async generator."""

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        return ProviderCall(PROVIDER, "chat", _requested(kwargs.get("model")), kwargs)

    def end(self, call: ProviderCall, result: Any) -> Any:
        if self.is_async:
            return observed_async_iterator(result, call, ChunksWatch())
        return observed_iterator(result, call, ChunksWatch())


class ChunksWatch:
    """The model and the usage of the last chunk that has any (each reports the total so far)."""

    failure: str | None = None

    def __init__(self) -> None:
        self.model: str | None = None
        self.usage: UsageSource | None = None

    def see(self, item: Any) -> bool:
        if self.model is None:
            self.model = text_of(getattr(item, "model_version", None))
        usage = getattr(item, "usage_metadata", None)
        if usage is not None:
            self.usage = functools.partial(gemini_usage, usage)
        return True

    def outcome(self) -> Outcome:
        return self.model, self.usage


def gemini_usage(usage: Any) -> Usage | None:
    """`prompt_token_count` includes the cached tokens; thoughts are output, billed as output."""
    if usage is None:
        return None
    candidates = count(field(usage, "candidates_token_count"))
    thoughts = count(field(usage, "thoughts_token_count"))
    return normalized_usage(
        input_tokens=count(field(usage, "prompt_token_count"))
        + count(field(usage, "tool_use_prompt_token_count")),
        cached_input_tokens=count(field(usage, "cached_content_token_count")),
        output_tokens=candidates + thoughts,
        reasoning_tokens=thoughts,
    )


def wrap(original: Method, target: Target) -> Method:
    """The wrapper of one target method."""
    if target.operation == "chat:stream":
        instrumentation: GenerateCall | StreamCall = StreamCall(target.is_async)
    else:
        instrumentation = GenerateCall(target.operation)
    if target.is_async:
        return wrap_async(original, instrumentation)
    return wrap_sync(original, instrumentation)


LIBRARY = Library(name="google.genai", min_version=(1, 0), targets=TARGETS, wrap=wrap)
