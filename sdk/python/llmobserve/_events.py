"""Building wire-format events (schema/events.v1.json) from a call and the frame it ran in.

Every string is cut to the collector's limit and empty strings are left out, so that an event the
SDK builds is never rejected for its shape.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from llmobserve import _values as values
from llmobserve._context import Frame, new_id, new_span_id
from llmobserve._log import warn_once
from llmobserve._values import describe

Event = dict[str, Any]

_LIMITS = {
    "name": 200,
    "provider": 64,
    "model": 200,
    "operation": 32,
    "customer_id": 200,
    "agent": 200,
    "run_id": 128,
    "span_id": 64,
    "parent_span_id": 64,
    "error": 4000,
}
_MAX_UNITS = 32
_MAX_DURATION_MS = 604_800_000.0


def new_event(
    frame: Frame,
    *,
    timestamp: datetime | float,
    operation: str | None,
    name: str | None,
    span_id: str,
    parent_span_id: str | None,
) -> Event:
    """An event attributed to `frame`, in the frame's run (or in a run of its own outside every
    run). The frame's fields are valid already (the scopes cut them to their limits)."""
    event: Event = {
        "id": str(uuid.uuid4()),
        "timestamp": rfc3339(timestamp),
        "run_id": frame.run_id or new_id(),
        "span_id": span_id,
    }
    if parent_span_id:
        event["parent_span_id"] = parent_span_id
    if name:
        put(event, "name", name)
    if operation:
        put(event, "operation", operation)
    if frame.section:
        event["section"] = frame.section
    if frame.customer_id:
        event["customer_id"] = frame.customer_id
    if frame.agent:
        event["agent"] = frame.agent
    return event


def call_event(
    frame: Frame,
    *,
    timestamp: datetime | float,
    operation: str | None,
    name: str | None,
    provider: str | None,
    model: str | None,
    duration_ms: float | None,
) -> Event:
    """An event for one call made in `frame`: a child span of its innermost scope."""
    event = new_event(
        frame,
        timestamp=timestamp,
        operation=operation,
        name=name,
        span_id=new_span_id(),
        parent_span_id=frame.span_id,
    )
    put(event, "provider", provider)
    put(event, "model", model)
    put_duration(event, duration_ms)
    return event


def clip(field: str, value: object) -> str | None:
    """A string field's value cut to its limit; None for None and ""."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if field == "section":
        text = section_path(text)
    return text[: _LIMITS.get(field, 200)] or None


def put(event: Event, field: str, value: object) -> None:
    """Set a string field, cut to its limit; None and "" leave the field out."""
    text = clip(field, value)
    if text is None:
        event.pop(field, None)
    else:
        event[field] = text


def section_path(path: str) -> str:
    """A valid section path: no empty segment, at most 200 characters, no trailing slash."""
    joined = "/".join(part.strip() for part in path.split("/") if part.strip())
    return joined[:200].rstrip("/")


def rfc3339(moment: datetime | float) -> str:
    """RFC 3339 with an offset; a naive datetime is taken as UTC, a float as a `time.time()`."""
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


def put_duration(event: Event, duration_ms: float | None) -> None:
    if duration_ms is None:
        return
    value = float(duration_ms)
    if math.isfinite(value):
        event["duration_ms"] = round(min(max(value, 0.0), _MAX_DURATION_MS), 3)


def put_count(event: Event, field: str, value: object) -> None:
    """A token count: a whole number ≥ 0; zero is the collector's default and left out."""
    if type(value) is int:  # the usual case, first
        if value > 0:
            event[field] = value
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        return
    count = int(value)
    if count > 0:
        event[field] = count


def put_units(event: Event, units: Mapping[str, float] | None) -> None:
    """Non-token usage: numbers ≥ 0 under keys of at most 64 characters, at most 32 of them."""
    if not units:
        return
    clean: dict[str, float] = {}
    for key, value in units.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if math.isfinite(value) and value >= 0 and len(clean) < _MAX_UNITS:
            clean[str(key)[:64]] = value
    if clean:
        event["units"] = clean


def put_metadata(event: Event, metadata: Mapping[Any, Any] | None, where: str) -> None:
    """The metadata object; keys that are not strings are converted (or left out)."""
    if not metadata:
        return
    clean: dict[str, Any] = {}
    for key, value in metadata.items():
        name = key if isinstance(key, str) else values.text(key, "metadata key", where)
        if name is not None:
            clean[name] = value
    if clean:
        event["metadata"] = clean


def put_cost(event: Event, cost_usd: object, where: str) -> None:
    """The event's own cost as an exact decimal string; a value that is not a number >= 0 is
    left out with one warning."""
    cost = decimal_string(cost_usd)
    if cost is None:
        warn_once(
            "cost_usd",
            "llmobserve.%s(): cost_usd=%s is not a number ≥ 0; the event was sent without it.",
            where,
            describe(cost_usd),
        )
    else:
        event["cost_usd"] = cost


def decimal_string(value: object) -> str | None:
    """A cost as an exact decimal string ("0.0042"), or None when it is not a number ≥ 0.

    A float is taken by its shortest repr, so 0.1 becomes "0.1", not its binary expansion."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, (int, str)):
            number = Decimal(str(value).strip())
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0:
        return None
    return format(number, "f")
