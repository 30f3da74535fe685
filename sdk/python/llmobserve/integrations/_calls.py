"""One provider call being measured, and the generic wrappers that measure a method.

A wrapper checks that the SDK is on first and otherwise calls straight through. Enabled, it asks
the integration's `Instrumentation` to `begin` a `ProviderCall` (which may adjust the request,
e.g. ask for stream usage), calls the original method, and hands the result to `end` (which
records it, or observes a stream that records when it ends). The user's exception is re-raised
unchanged; the SDK's own errors are reported (see llmobserve._log) and never reach the
application.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, Optional, Protocol

from llmobserve._call import FinishedCall, UsageSource, queue_call
from llmobserve._client import active_worker
from llmobserve._context import current_frame
from llmobserve._log import report_internal_error

Method = Callable[..., Any]
Units = Optional[Mapping[str, float]]

_MAX_ERROR = 300
# Calls priced by their tokens: one that ends without usage is marked `usage_missing` in its
# metadata, so that its $0 is shown as "usage missing", not as a free call.
_TOKEN_OPERATIONS = frozenset({"chat", "completion", "embedding", "responses"})
_USAGE_MISSING = {"usage_missing": True}


class ProviderCall:
    """A provider call: when it started, in which context (run, section, customer, agent), what
    was asked. `finish` records it exactly once, in the context it was made in, even when a
    stream ends later in another task or thread, or is garbage-collected."""

    __slots__ = (
        "provider",
        "operation",
        "requested_model",
        "kwargs",
        "started",
        "_t0",
        "_frame",
        "done",
        "hides_usage_chunk",
        "cost",
    )

    def __init__(
        self, provider: str, operation: str, requested_model: object, kwargs: dict[str, Any]
    ) -> None:
        self.provider = provider
        self.operation = operation
        self.requested_model = requested_model if isinstance(requested_model, str) else None
        self.kwargs = kwargs  # what the original method is called with
        # openai: we asked for the stream's usage chunk ourselves, so the user does not see it
        self.hides_usage_chunk = False
        self.cost: object = None  # what the provider says the call cost (OpenRouter), in USD
        self.done = False
        self._frame = current_frame()  # the context is immutable: keeping its frame is enough
        self.started = time.time()
        self._t0 = time.perf_counter()

    def finish(
        self,
        *,
        model: str | None = None,
        usage: UsageSource | None = None,
        units: Units = None,
        error: BaseException | str | None = None,
        ended: float | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        """Record the call (once). `ended` is a time.perf_counter() value (default: now)."""
        if self.done:
            return
        self.done = True
        duration_ms = ((time.perf_counter() if ended is None else ended) - self._t0) * 1000.0
        if (
            usage is None
            and units is None
            and error is None
            and self.operation in _TOKEN_OPERATIONS
        ):
            metadata = _USAGE_MISSING if metadata is None else {**metadata, **_USAGE_MISSING}
        queue_call(
            FinishedCall(
                self._frame,
                where=self.provider,
                provider=self.provider,
                model=model or self.requested_model,
                operation=self.operation,
                started=self.started,
                duration_ms=duration_ms,
                usage=usage,
                units=units,
                status="ok" if error is None else "error",
                error=error if error is None or isinstance(error, str) else describe_error(error),
                metadata=metadata,
                cost_usd=self.cost,
            )
        )

    def fail(self, error: BaseException) -> None:
        """Record the call as failed with `error` (never raises)."""
        try:
            self.finish(error=error)
        except Exception as exc:
            report_internal_error(exc)


def describe_error(error: BaseException) -> str:
    """'RateLimitError: Rate limit reached for gpt-4o-mini' (the first line, cut short)."""
    lines = str(error).strip().splitlines()
    text = type(error).__name__ + (f": {lines[0]}" if lines else "")
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"


class ResultTypes(NamedTuple):
    """A library's classes that a call can return besides a parsed model."""

    streams: tuple[type, ...]  # Stream, AsyncStream
    raw: tuple[type, ...]  # the `.with_raw_response` / `.with_streaming_response` responses


class Instrumentation(Protocol):
    """What an integration does around one target method."""

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        """Start measuring a call of the method on `instance` with `kwargs`."""
        ...

    def end(self, call: ProviderCall, result: Any) -> Any:
        """The call returned `result`: record it (or observe it, for a stream) and return what
        the user gets: `result` itself, always the same object."""
        ...


def _end(instrumentation: Instrumentation, call: ProviderCall, result: Any) -> Any:
    try:
        return instrumentation.end(call, result)
    except Exception as exc:
        report_internal_error(exc)
        try:  # the call happened: record it, if without what we failed to read
            call.finish()
        except Exception as again:
            report_internal_error(again)
        return result


def wrap_sync(original: Method, instrumentation: Instrumentation) -> Method:
    """A wrapper of a plain method that measures each call with `instrumentation`."""
    begin = instrumentation.begin

    @functools.wraps(original)
    def measured(*args: Any, **kwargs: Any) -> Any:
        if active_worker() is None:
            return original(*args, **kwargs)
        try:
            call = begin(args[0] if args else None, kwargs)
        except Exception as exc:
            report_internal_error(exc)
            return original(*args, **kwargs)
        try:
            result = original(*args, **call.kwargs)
        except BaseException as error:
            call.fail(error)
            raise
        return _end(instrumentation, call, result)

    return measured


def wrap_async(original: Callable[..., Awaitable[Any]], instrumentation: Instrumentation) -> Method:
    """A wrapper of a coroutine method that measures each call with `instrumentation`."""
    begin = instrumentation.begin

    @functools.wraps(original)
    async def measured(*args: Any, **kwargs: Any) -> Any:
        if active_worker() is None:
            return await original(*args, **kwargs)
        try:
            call = begin(args[0] if args else None, kwargs)
        except Exception as exc:
            report_internal_error(exc)
            return await original(*args, **kwargs)
        try:
            result = await original(*args, **call.kwargs)
        except BaseException as error:
            call.fail(error)
            raise
        return _end(instrumentation, call, result)

    return measured
