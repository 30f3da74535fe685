"""The one door through which integrations hand a finished provider call to the SDK.

Integrations (openai, anthropic, pinecone, ...) measure a call and describe it with `record_call`
(or queue a `CallRecord` themselves); this module captures the caller's context (run, parent
span, section, customer, agent) and queues the call for the background worker, which turns it
into a wire-format event (schema/events.v1.json). It never raises and never blocks: the host
app's call has already happened, and the caller's thread does as little as it can.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Optional, Union

from llmobserve._client import active_worker
from llmobserve._context import Frame, current_frame
from llmobserve._events import Event, call_event, put, put_count, put_metadata, put_units
from llmobserve._log import report_internal_error

_TOKEN_FIELDS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_tokens",
)


@dataclass(frozen=True)
class Usage:
    """Token usage in the wire format's meaning (see docs/api.md):

    input_tokens counts ALL input tokens (cached and cache-write included); cached_input_tokens
    and cache_write_input_tokens are parts of it. output_tokens counts all output tokens;
    reasoning_tokens is a part of it. Integrations normalize each provider to this.
    """

    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0


# A `Usage`, or how to read it from the provider's (small) usage object later, in the worker.
UsageSource = Union[Usage, Callable[[], Optional[Usage]]]


def record_call(
    *,
    provider: str,
    model: str | None,
    operation: str,
    started_at: datetime,
    duration_ms: float,
    usage: Usage | None = None,
    units: Mapping[str, float] | None = None,
    status: Literal["ok", "error"] = "ok",
    error: str | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Queue one event for a finished call. `started_at` is timezone-aware UTC.

    A leaf span under the innermost open span of the caller's context, in its run (or in a run
    of its own outside every run). Example, from an integration::

        record_call(provider="openai", model="gpt-4o-mini", operation="chat",
                    started_at=started, duration_ms=812.5,
                    usage=Usage(input_tokens=1200, cached_input_tokens=1024, output_tokens=80))
    """
    queue_call(
        CallRecord(
            current_frame(),
            provider=provider,
            model=model,
            operation=operation,
            started=started_at,
            duration_ms=duration_ms,
            usage=usage,
            units=units,
            error=error if status == "error" else None,
            failed=status == "error",
            name=name,
            metadata=metadata,
        )
    )


def queue_call(record: CallRecord) -> None:
    """Hand a finished call to the worker; never raises, never blocks (drops and counts when
    the queue is full: the record is cheap, so there is no point asking first)."""
    worker = active_worker()
    if worker is None:
        return
    try:
        worker.enqueue(record)
    except Exception as exc:  # the SDK's own error: never the host's problem
        report_internal_error(exc)


class CallRecord:
    """A finished call as the caller's thread hands it over: the frame it ran in and plain
    values, nothing computed. The worker calls `to_event` (ids, RFC 3339 time, limits), so the
    host's thread pays only for this object and a queue append."""

    __slots__ = (
        "frame",
        "provider",
        "model",
        "operation",
        "started",
        "duration_ms",
        "usage",
        "units",
        "error",
        "failed",
        "name",
        "metadata",
    )

    def __init__(
        self,
        frame: Frame,
        *,
        provider: str,
        model: str | None,
        operation: str,
        started: datetime | float,
        duration_ms: float,
        usage: UsageSource | None = None,
        units: Mapping[str, float] | None = None,
        error: str | None = None,
        failed: bool = False,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.frame = frame
        self.provider = provider
        self.model = model
        self.operation = operation
        self.started = started  # a timezone-aware datetime or a time.time() value
        self.duration_ms = duration_ms
        self.usage = usage
        self.units = dict(units) if units else None  # the caller may change theirs later
        self.error = error
        self.failed = failed
        self.name = name
        self.metadata = metadata if metadata is None else _copied(metadata)

    def to_event(self) -> Event:
        event = call_event(
            self.frame,
            timestamp=self.started,
            operation=self.operation,
            name=self.name,
            provider=self.provider,
            model=self.model,
            duration_ms=self.duration_ms,
        )
        usage = self.usage() if callable(self.usage) else self.usage
        if usage is not None:
            for field in _TOKEN_FIELDS:
                put_count(event, field, getattr(usage, field))
        put_units(event, self.units)
        put_metadata(event, self.metadata)
        if self.failed:
            event["status"] = "error"
            put(event, "error", self.error)
        return event


def _copied(metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    """A shallow copy, when it is a mapping (put_metadata warns about anything else later)."""
    return dict(metadata) if isinstance(metadata, Mapping) else metadata


def is_enabled() -> bool:
    """Whether `init` ran with a key and the SDK is on (integrations pass straight through if
    not)."""
    return active_worker() is not None
