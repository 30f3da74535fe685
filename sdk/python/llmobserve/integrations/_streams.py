"""Observing a provider's stream in place, so that the user keeps the very object the library
returned (same type, same attributes, `response`, context manager, helpers built on it).

The `Stream` / `AsyncStream` classes of the openai and anthropic libraries iterate over
`self._iterator`; we replace that iterator with one that passes every item through a
`StreamWatch` (which may hold back an item the SDK itself asked for, e.g. OpenAI's usage-only
chunk) and records the call when the stream ends:

* exhausted: recorded with what the stream reported;
* failed mid-way: recorded as an error, with the usage seen so far; the exception goes on to the
  user unchanged;
* closed early (`close()`, `with` exit) or dropped and garbage-collected: recorded with what was
  seen, marked `{"stream_incomplete": true}` in the metadata.

Whichever comes first records; the others do nothing. Neither the replacement iterator nor the
garbage-collection hook refers to the stream, so observing adds no reference cycle.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any, Optional, Protocol

from llmobserve._call import UsageSource
from llmobserve._log import report_internal_error
from llmobserve.integrations._calls import ProviderCall
from llmobserve.integrations._lifetime import forget, when_collected

Outcome = tuple[Optional[str], Optional[UsageSource]]  # (model reported, usage reported)

_INCOMPLETE = {"stream_incomplete": True}


class StreamWatch(Protocol):
    """What an integration reads from the items of one stream."""

    failure: str | None  # a failure the stream reported without raising (recorded as the error)

    def see(self, item: Any) -> bool:
        """Take note of `item`; False to hold it back from the user."""
        ...

    def outcome(self) -> Outcome:
        """The model and usage the stream reported so far."""
        ...


class _Observation:
    __slots__ = ("call", "watch", "last_item_at", "reference")

    def __init__(self, call: ProviderCall, watch: StreamWatch) -> None:
        self.call = call
        self.watch = watch
        self.last_item_at = time.perf_counter()
        self.reference: weakref.ref[Any] | None = None  # to the stream, with `abandon` on GC

    def end(self, error: BaseException | None = None, incomplete: bool = False) -> None:
        if self.call.done:
            return
        try:
            if self.reference is not None:
                forget(self.reference)
            model, usage = self.watch.outcome()
            self.call.finish(
                model=model,
                usage=usage,
                error=error or self.watch.failure,
                ended=self.last_item_at if incomplete else None,
                metadata=_INCOMPLETE if incomplete else None,
            )
        except Exception as exc:
            report_internal_error(exc)

    def abandon(self) -> None:
        self.end(incomplete=True)


def observe_stream(stream: Any, call: ProviderCall, watch: StreamWatch) -> None:
    """Observe a library `Stream` or `AsyncStream` in place (see the module's docstring)."""
    inner = stream._iterator
    observation = _Observation(call, watch)
    reference = when_collected(stream, observation.abandon)
    observation.reference = reference
    if hasattr(inner, "__anext__"):
        stream._iterator = _observed_async(inner, observation)
        stream.close = _async_close(type(stream), reference, observation)
    else:
        stream._iterator = _observed(inner, observation)
        stream.close = _sync_close(type(stream), reference, observation)


def _observed(inner: Iterator[Any], observation: _Observation) -> Iterator[Any]:
    see, clock = observation.watch.see, time.perf_counter
    try:
        for item in inner:
            observation.last_item_at = clock()
            try:
                shown = see(item)
            except Exception as exc:  # an SDK bug: the user's stream comes first
                report_internal_error(exc)
                shown = True
            if shown:
                yield item
    except GeneratorExit:
        observation.end(incomplete=True)
        raise
    except BaseException as error:
        observation.end(error=error)
        raise
    observation.end()


async def _observed_async(
    inner: AsyncIterator[Any], observation: _Observation
) -> AsyncIterator[Any]:
    see, clock = observation.watch.see, time.perf_counter
    try:
        async for item in inner:
            observation.last_item_at = clock()
            try:
                shown = see(item)
            except Exception as exc:  # an SDK bug: the user's stream comes first
                report_internal_error(exc)
                shown = True
            if shown:
                yield item
    except GeneratorExit:
        observation.end(incomplete=True)
        raise
    except BaseException as error:
        observation.end(error=error)
        raise
    observation.end()


def _sync_close(stream_class: Any, reference: weakref.ref[Any], observation: _Observation) -> Any:
    def close() -> None:
        stream = reference()
        try:
            if stream is not None:
                stream_class.close(stream)
        finally:
            observation.end(incomplete=True)

    return close


def _async_close(stream_class: Any, reference: weakref.ref[Any], observation: _Observation) -> Any:
    async def close() -> None:
        stream = reference()
        try:
            if stream is not None:
                await stream_class.close(stream)
        finally:
            observation.end(incomplete=True)

    return close


def observed_iterator(
    inner: Iterator[Any], call: ProviderCall, watch: StreamWatch
) -> Iterator[Any]:
    """A generator over `inner` that records the call when it ends (exhausted, failed, closed or
    garbage-collected), for libraries whose streaming methods return a plain generator (the user
    gets this generator instead: a generator has no identity worth keeping)."""
    return _observed(inner, _Observation(call, watch))


def observed_async_iterator(
    inner: AsyncIterator[Any], call: ProviderCall, watch: StreamWatch
) -> AsyncIterator[Any]:
    """`observed_iterator` for an async generator."""
    return _observed_async(inner, _Observation(call, watch))
