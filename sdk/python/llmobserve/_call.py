"""The one door through which integrations hand a finished provider call to the SDK.

Integrations (openai, anthropic, pinecone, ...) measure a call and describe it with `record_call`
(or queue a `FinishedCall` themselves); this module captures the caller's context (run, parent
span, section, customer, agent) and queues the call for the background worker, which turns it
into a wire-format event (schema/events.v1.json). It never raises and never blocks: the host
app's call has already happened, and the caller's thread does as little as it can.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Optional, Union

from llmobserve import _values as values
from llmobserve._client import active_worker
from llmobserve._context import Frame, current_frame
from llmobserve._events import (
    Event,
    call_event,
    put,
    put_cost,
    put_count,
    put_metadata,
    put_units,
)
from llmobserve._log import report_internal_error


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
        cache_write_1h_input_tokens: The part of `cache_write_input_tokens` written with a
            1-hour TTL (Anthropic; billed at 2x input instead of 1.25x).
        input_audio_tokens: The audio part of `input_tokens` not read from the cache.
        output_audio_tokens: The audio part of `output_tokens`.
        service_tier: How the provider processed the call: `"standard"`, `"batch"`, `"flex"`
            or `"priority"`; None if it did not say.
        web_search_requests: Web searches the provider billed for the call (sent as the unit
            `web_search_requests`).
    """

    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cache_write_1h_input_tokens: int = 0
    input_audio_tokens: int = 0
    output_audio_tokens: int = 0
    service_tier: str | None = None
    web_search_requests: int = 0


# The wire format's token fields, in one place: the event builder and `track()` take them from
# here (tests/test_wire_format.py checks them against schema/events.v1.json).
TOKEN_FIELDS: tuple[str, ...] = tuple(
    field.name for field in dataclasses.fields(Usage) if field.name.endswith("_tokens")
)
SERVICE_TIERS = ("standard", "batch", "flex", "priority")
"""The wire format's `service_tier` values."""
WEB_SEARCH_UNIT = "web_search_requests"

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
    if usage is not None and not isinstance(usage, Usage):
        values.invalid("record_call", "usage", usage, "a llmobserve.Usage", "it was left out")
        usage = None
    queue_call(
        FinishedCall(
            current_frame(),
            where="record_call",
            provider=provider,
            model=model,
            operation=operation,
            started=started_at,
            duration_ms=duration_ms,
            usage=usage,
            units=units,
            status=status,
            error=error,
            name=name,
            metadata=metadata,
        )
    )


def queue_call(record: FinishedCall) -> None:
    """Hand a finished call to the worker; never raises, never blocks (drops and counts when
    the queue is full: the record is cheap, so there is no point asking first)."""
    worker = active_worker()
    if worker is None:
        return
    try:
        worker.enqueue(record)
    except Exception as exc:  # the SDK's own error: never the host's problem
        report_internal_error(exc)


class FinishedCall:
    """A finished call (or a `track()`ed event) as the caller's thread hands it over: the frame
    it ran in and the values it was given, unchecked. The worker calls `to_event`, which checks
    every value (llmobserve._values: a bad one is dropped with one warning) and builds the wire
    format (ids, RFC 3339 time, limits), so the host's thread pays only for this object and a
    queue append. `where` names the entry point, for the warnings."""

    __slots__ = (
        "frame",
        "where",
        "provider",
        "model",
        "operation",
        "name",
        "started",
        "duration_ms",
        "usage",
        "units",
        "status",
        "error",
        "metadata",
        "cost_usd",
        "customer_id",
    )

    def __init__(
        self,
        frame: Frame,
        *,
        where: str,
        provider: object,
        model: object,
        operation: object,
        started: object,
        duration_ms: object,
        usage: UsageSource | None = None,
        units: object = None,
        status: object = "ok",
        error: object = None,
        name: object = None,
        metadata: object = None,
        cost_usd: object = None,
        customer_id: object = None,
    ) -> None:
        self.frame = frame
        self.where = where
        self.provider = provider
        self.model = model
        self.operation = operation
        self.name = name
        self.started = started  # a timezone-aware datetime or a time.time() value
        self.duration_ms = duration_ms
        self.usage = usage
        # Copies now: the caller may change their dicts after the call.
        self.units = None if units is None else values.mapping(units, "units", where)
        self.metadata = None if metadata is None else values.mapping(metadata, "metadata", where)
        self.status = status
        self.error = error
        self.cost_usd = cost_usd
        self.customer_id = customer_id

    def to_event(self) -> Event:
        where = self.where
        event = call_event(
            self.frame,
            timestamp=values.moment(self.started, "started_at", where),
            operation=values.text(self.operation, "operation", where),
            name=values.text(self.name, "name", where),
            provider=values.text(self.provider, "provider", where),
            model=values.text(self.model, "model", where),
            duration_ms=values.number(self.duration_ms, "duration_ms", where),
        )
        customer_id = values.text(self.customer_id, "customer_id", where)
        if customer_id is not None:
            put(event, "customer_id", customer_id)
        usage = self.usage() if callable(self.usage) else self.usage
        units = values.units(self.units, where)
        if usage is not None:
            for field in TOKEN_FIELDS:
                put_count(event, field, values.count(getattr(usage, field, 0), field, where))
            tier = getattr(usage, "service_tier", None)
            if tier is not None:
                put(event, "service_tier", values.choice_or_none(tier, SERVICE_TIERS))
            searches = values.count(getattr(usage, WEB_SEARCH_UNIT, 0), WEB_SEARCH_UNIT, where)
            if searches:
                units = {**(units or {}), WEB_SEARCH_UNIT: searches}
        put_units(event, units)
        put_metadata(event, self.metadata, where)
        if self.cost_usd is not None:
            put_cost(event, self.cost_usd, where)
        if values.choice(self.status, ("ok", "error"), "status", where, "ok") == "error":
            event["status"] = "error"
            put(event, "error", values.text(self.error, "error", where))
        return event


def is_enabled() -> bool:
    """Whether the SDK is on: `init()` ran with a key and the SDK is not disabled.

    Wrappers of provider libraries check it first and pass straight through when it is False.

    Returns:
        True while events are being recorded and sent.
    """
    return active_worker() is not None
