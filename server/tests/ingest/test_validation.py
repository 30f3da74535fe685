"""Checking an event and normalising it are two steps (ingest/validation.py): `event_problem`
only looks, `normalise_event` puts a passed event in its stored form, and `validate_batch` does
both."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from llmobserve_server.ingest.schema import MAX_ERROR_CHARS, EventIn
from llmobserve_server.ingest.validation import event_problem, normalise_event, validate_batch

NOW = datetime(2026, 11, 25, 10, 15, tzinfo=timezone.utc)
INDIA = timezone(timedelta(hours=5, minutes=30))
EVENT_ID = uuid.UUID("00000000-0000-0000-0000-0000000000e1")


def wire(**fields: Any) -> dict[str, Any]:
    local = (NOW - timedelta(hours=1)).astimezone(INDIA)
    return {"id": str(EVENT_ID), "timestamp": local.isoformat(), **fields}


def typed(**fields: Any) -> EventIn:
    return EventIn.model_validate(wire(**fields))


def test_checking_an_event_leaves_it_unchanged() -> None:
    event = typed(status="error", error="x" * (MAX_ERROR_CHARS + 10))
    before = event.model_dump()

    assert event_problem(event, now=NOW, may_contain_nul=True) is None
    assert event.model_dump() == before


def test_checking_an_event_out_of_range_in_utc_reports_it_and_leaves_it_unchanged() -> None:
    event = typed(timestamp="0001-01-01T00:00:00+01:00")
    before = event.model_dump()

    assert event_problem(event, now=NOW, may_contain_nul=True) == "timestamp: is out of range"
    assert event.model_dump() == before


def test_normalising_puts_the_timestamp_in_utc_at_the_same_instant() -> None:
    event = typed()
    sent = event.timestamp

    normalise_event(event)

    assert event.timestamp.utcoffset() == timedelta(0)
    assert event.timestamp == sent


def test_normalising_cuts_an_over_long_error_to_the_limit_with_an_ellipsis() -> None:
    event = typed(status="error", error="x" * (MAX_ERROR_CHARS + 10))

    normalise_event(event)

    assert event.error == "x" * (MAX_ERROR_CHARS - 1) + "…"


def test_normalising_keeps_an_error_at_the_limit_whole() -> None:
    event = typed(status="error", error="x" * MAX_ERROR_CHARS)

    normalise_event(event)

    assert event.error == "x" * MAX_ERROR_CHARS


def test_a_validated_batch_holds_the_normalised_events() -> None:
    batch = validate_batch([wire(status="error", error="x" * (MAX_ERROR_CHARS + 1))], now=NOW)

    (event,) = batch.valid
    assert event.timestamp.utcoffset() == timedelta(0)
    assert event.error is not None and len(event.error) == MAX_ERROR_CHARS
