"""`track()`: record a costed event the integrations do not see (a custom model, a paid API)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal, Union

from llmobserve._client import active_worker
from llmobserve._context import current_frame
from llmobserve._events import (
    call_event,
    decimal_string,
    put,
    put_count,
    put_metadata,
    put_units,
)
from llmobserve._log import capture_internal_errors, warn_once

Cost = Union[Decimal, str, float, int]


def track(
    name: str,
    *,
    cost_usd: Cost | None = None,
    provider: str | None = None,
    model: str | None = None,
    operation: str = "custom",
    input_tokens: int = 0,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    reasoning_tokens: int = 0,
    units: Mapping[str, float] | None = None,
    duration_ms: float | None = None,
    status: Literal["ok", "error"] = "ok",
    error: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    customer_id: str | None = None,
) -> None:
    """Record one custom event: a cost the integrations do not see.

    The event joins the current run, section, agent and customer (or is a run of its own outside
    every run). It never raises and never blocks; without `init()` it does nothing.

    Args:
        name: What the event is, shown in the run's span tree.
        cost_usd: Your cost (a `Decimal`, `str`, `int` or `float`, sent as an exact decimal
            string); used when the server has no price of its own for `provider`/`model`.
        provider: The provider or service, e.g. `"acme-ocr"`.
        model: The model, e.g. `"gpt-4o-mini"` (the server prices its tokens).
        operation: The kind of operation (`"chat"`, `"embedding"`, ...); default `"custom"`.
        input_tokens: All input tokens, cached ones included.
        output_tokens: All output tokens, reasoning ones included.
        cached_input_tokens: The cache-read part of `input_tokens`.
        reasoning_tokens: The reasoning part of `output_tokens`.
        units: Non-token usage, e.g. `{"pages": 3}`.
        duration_ms: How long it took; the event's timestamp is then its start.
        status: `"error"` for a failed operation.
        error: The error message of a failed operation.
        metadata: A JSON object, at most 16 KB encoded.
        customer_id: Overrides the context's customer for this event.

    Example:
        ```python
        llmobserve.track("ocr-page", cost_usd=Decimal("0.0015"), provider="acme-ocr",
                         units={"pages": 1}, metadata={"document": doc_id})
        ```
    """
    worker = active_worker()
    if worker is None or not worker.admit():
        return
    with capture_internal_errors():
        now = datetime.now(timezone.utc)
        started = now - timedelta(milliseconds=duration_ms) if duration_ms else now
        event = call_event(
            current_frame(),
            timestamp=started,
            operation=operation,
            name=name,
            provider=provider,
            model=model,
            duration_ms=duration_ms,
        )
        if customer_id is not None:
            put(event, "customer_id", customer_id)
        put_count(event, "input_tokens", input_tokens)
        put_count(event, "output_tokens", output_tokens)
        put_count(event, "cached_input_tokens", cached_input_tokens)
        put_count(event, "reasoning_tokens", reasoning_tokens)
        put_units(event, units)
        put_metadata(event, metadata)
        if cost_usd is not None:
            cost = decimal_string(cost_usd)
            if cost is None:
                warn_once(
                    "cost_usd",
                    "llmobserve.track(): cost_usd=%r is not a number ≥ 0; the event was sent "
                    "without it.",
                    cost_usd,
                )
            else:
                event["cost_usd"] = cost
        if status == "error":
            event["status"] = "error"
            put(event, "error", error)
        worker.enqueue(event)
