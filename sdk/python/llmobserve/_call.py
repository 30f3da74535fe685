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
    """Token usage in the wire format's meaning (see docs/api/events.md), for `record_call`.

    Integrations normalize each provider to these meanings, so that no token is priced twice.

    Attributes:
        input_tokens: ALL input tokens, cached and cache-write ones included.
        cached_input_tokens: The cache-read part of `input_tokens`.
        cache_write_input_tokens: The cache-write part of `input_tokens` (Anthropic).
        output_tokens: All output tokens, reasoning ones included.
        reasoning_tokens: The reasoning part of `output_tokens`.
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
    """Hand a finished provider call to the SDK (for integrations of other libraries).

    The event is a leaf span under the innermost open span of the caller's context, in its run
    (or in a run of its own outside every run). It never raises and never blocks; check
    `is_enabled()` first to skip measuring when the SDK is off.

    Args:
        provider: The provider, e.g. `"openai"`.
        model: The model the provider reported, None if unknown.
        operation: `"chat"`, `"completion"`, `"embedding"`, `"responses"`, `"query"`, ...
        started_at: When the call started, timezone-aware UTC.
        duration_ms: How long it took.
        usage: Its tokens, in the wire format's meaning.
        units: Non-token usage, e.g. `{"read_units": 5}`.
        status: `"error"` when the call failed.
        error: The error message of a failed call.
        name: A name for the span; default: the operation.
        metadata: A JSON object, at most 16 KB encoded.

    Example:
        ```python
        if llmobserve.is_enabled():
            llmobserve.record_call(
                provider="openai", model="gpt-4o-mini", operation="chat",
                started_at=started, duration_ms=812.5,
                usage=llmobserve.Usage(input_tokens=1200, output_tokens=80),
            )
        ```
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
    """Whether the SDK is on: `init()` ran with a key and the SDK is not disabled.

    Wrappers of provider libraries check it first and pass straight through when it is False.

    Returns:
        True while events are being recorded and sent.
    """
    return active_worker() is not None
