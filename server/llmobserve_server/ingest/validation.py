"""Validating a batch: every event checked on its own, each bad one reported by its index.

The common case, a batch where every event is valid, is one pydantic-core call for the whole
list. Only when that fails are the events validated one by one, to tell the good from the bad.
What the field types cannot express is checked here in plain Python afterwards, once per event
(`event_problem`, which changes nothing): a timestamp at most 24 hours ahead and within range in
UTC, token parts (cached, cache-write, 1-hour, reasoning, audio) within their wholes, metadata
of at most 16 KB, and nothing PostgreSQL cannot store (U+0000 in text, NaN or Infinity in
JSON). Each event that passes is then normalised (`normalise_event`: timestamp in UTC, an
over-long error cut short).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from llmobserve_server.errors import describe_validation_errors
from llmobserve_server.ingest.schema import (
    MAX_ERROR_CHARS,
    MAX_FUTURE_SKEW,
    MAX_METADATA_BYTES,
    EventIn,
    RejectedEvent,
)

_BATCH = TypeAdapter(list[EventIn])
_TEXT_FIELDS = (
    "run_id",
    "span_id",
    "parent_span_id",
    "name",
    "provider",
    "model",
    "operation",
    "customer_id",
    "section",
    "agent",
    "status",
    "error",
)


@dataclass(frozen=True)
class ValidatedBatch:
    valid: list[EventIn]  # in batch order
    rejected: list[RejectedEvent]  # by index, in batch order


def validate_batch(
    raw_events: list[Any], *, now: datetime, may_contain_nul: bool = True
) -> ValidatedBatch:
    """`may_contain_nul=False` (the body had no `\\u0000` escape) spares the scan for U+0000."""
    typed: list[EventIn | None]
    problems: dict[int, str] = {}
    try:
        typed = list(_BATCH.validate_python(raw_events))
    except ValidationError:
        typed = []
        for index, raw in enumerate(raw_events):
            try:
                typed.append(EventIn.model_validate(raw))
            except ValidationError as exc:
                typed.append(None)
                problems[index] = describe_validation_errors(
                    exc.errors(include_url=False), subject="event"
                )
    valid: list[EventIn] = []
    rejected: list[RejectedEvent] = []
    for index, event in enumerate(typed):
        problem = (
            problems[index]
            if event is None
            else event_problem(event, now=now, may_contain_nul=may_contain_nul)
        )
        if problem is None and event is not None:
            normalise_event(event)
            valid.append(event)
        else:
            error = {"code": "invalid_event", "message": problem or "invalid event"}
            rejected.append(RejectedEvent(index=index, error=error))
    return ValidatedBatch(valid=valid, rejected=rejected)


def event_problem(event: EventIn, *, now: datetime, may_contain_nul: bool) -> str | None:
    """What is wrong with a well-typed event, as `field: problem`; None when it can be stored
    (once `normalise_event` has made it so). Leaves the event as it is."""
    try:
        if event.timestamp - now > MAX_FUTURE_SKEW:
            return "timestamp: is more than 24 hours in the future; check the client's clock"
        event.timestamp.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return "timestamp: is out of range"
    if event.cached_input_tokens + event.cache_write_input_tokens > event.input_tokens:
        return (
            "cached_input_tokens + cache_write_input_tokens exceed input_tokens; "
            "input_tokens must count ALL input tokens, cached ones included"
        )
    if event.cache_write_1h_input_tokens > event.cache_write_input_tokens:
        return (
            "cache_write_1h_input_tokens exceed cache_write_input_tokens; "
            "cache_write_input_tokens must count ALL cache writes, 1-hour ones included"
        )
    if (
        event.input_audio_tokens + event.cached_input_tokens + event.cache_write_input_tokens
        > event.input_tokens
    ):
        return (
            "input_audio_tokens + cached_input_tokens + cache_write_input_tokens exceed "
            "input_tokens; input_tokens must include audio tokens, and input_audio_tokens "
            "counts only the audio not read from the cache"
        )
    if event.reasoning_tokens > event.output_tokens:
        return "reasoning_tokens exceed output_tokens; output_tokens must include reasoning tokens"
    if event.output_audio_tokens + event.reasoning_tokens > event.output_tokens:
        return (
            "output_audio_tokens + reasoning_tokens exceed output_tokens; "
            "output_tokens must include audio tokens"
        )
    if may_contain_nul:
        for name in _TEXT_FIELDS:
            value = getattr(event, name)
            if value is not None and "\x00" in value:
                return f"{name}: contains a NUL character (\\u0000), which cannot be stored"
        if event.units and any("\x00" in key for key in event.units):
            return "units: contains a NUL character (\\u0000), which cannot be stored"
    if event.metadata is not None:
        return _metadata_problem(event.metadata)
    return None


def normalise_event(event: EventIn) -> None:
    """Put an event that `event_problem` passed in the form it is stored in, in place: its
    timestamp in UTC, an error message over `MAX_ERROR_CHARS` cut short (the failed call's cost
    still counts). In place because a copy (`model_copy`) would double the cost of validating
    a batch."""
    event.timestamp = event.timestamp.astimezone(timezone.utc)
    if event.error is not None and len(event.error) > MAX_ERROR_CHARS:
        event.error = event.error[: MAX_ERROR_CHARS - 1] + "…"


def _metadata_problem(metadata: dict[str, Any]) -> str | None:
    unstorable = _unstorable(metadata)
    if unstorable is not None:
        return f"metadata: contains {unstorable}, which cannot be stored"
    if encoded_size(metadata) > MAX_METADATA_BYTES:
        return f"metadata: is larger than {MAX_METADATA_BYTES // 1024} KB once encoded"
    return None


def encoded_size(value: Any) -> int:
    """Bytes of compact UTF-8 JSON (what the wire carries, not ASCII \\u escapes)."""
    try:
        return len(orjson.dumps(value))
    except TypeError:  # an integer beyond 64 bits: valid JSON all the same
        return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _unstorable(value: Any) -> str | None:
    """What in `value` no database column can hold, or None."""
    if isinstance(value, str):
        return "a NUL character (\\u0000)" if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number out of range (NaN or Infinity)"
    items: list[Any] = []
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    return next((p for p in map(_unstorable, items) if p is not None), None)
