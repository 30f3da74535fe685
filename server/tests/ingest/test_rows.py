"""From validated, priced events to rows and rollup deltas (ingest/rows.py), without a database."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from llmobserve_server.ingest.rows import daily_deltas, event_row, run_deltas, usage_deltas
from llmobserve_server.ingest.validation import validate_batch
from llmobserve_server.pricing import PricedEvent

ACCOUNT = uuid.UUID("00000000-0000-0000-0000-00000000000a")
T0 = datetime(2026, 11, 25, 10, 15, tzinfo=timezone.utc)
PRICED = PricedEvent(Decimal("0.0010000000"), "catalog")


def row(priced: PricedEvent = PRICED, **fields: Any) -> dict[str, Any]:
    wire: dict[str, Any] = {"id": str(uuid.uuid4()), "timestamp": T0.isoformat(), **fields}
    batch = validate_batch([wire], now=T0)
    assert not batch.rejected, batch.rejected
    return event_row(batch.valid[0], priced, account_id=ACCOUNT, received_at=T0)


# --- event_row -------------------------------------------------------------------------------


def test_an_event_without_run_id_is_a_run_named_after_its_own_id() -> None:
    made = row()
    assert made["run_id"] == str(made["id"])


def test_an_event_without_span_id_gets_one_derived_from_its_id() -> None:
    first, second = row(run_id="r"), row(run_id="r")
    assert first["span_id"] == first["id"].hex[:16]
    assert first["span_id"] != second["span_id"]


def test_sent_run_and_span_ids_are_kept() -> None:
    made = row(run_id="run-1", span_id="s", parent_span_id="p")
    assert (made["run_id"], made["span_id"], made["parent_span_id"]) == ("run-1", "s", "p")


def test_a_fractional_duration_is_rounded_to_whole_milliseconds() -> None:
    assert row(duration_ms=12.6)["duration_ms"] == 13
    assert row()["duration_ms"] is None


def test_the_row_carries_the_price_and_its_source() -> None:
    made = row(PricedEvent(Decimal("0.5"), "client"))
    assert (made["cost_usd"], made["cost_source"]) == (Decimal("0.5"), "client")
    assert made["account_id"] == ACCOUNT


def test_the_timestamp_is_stored_in_utc() -> None:
    made = row(timestamp="2026-11-25T15:45:00+05:30")
    assert made["timestamp"] == T0
    assert made["timestamp"].utcoffset() == timedelta(0)


# --- usage_deltas ----------------------------------------------------------------------------


def test_events_of_one_hour_and_dimensions_sum_into_one_delta() -> None:
    rows = [
        row(model="m", input_tokens=10, cached_input_tokens=4, output_tokens=2),
        row(model="m", input_tokens=5, output_tokens=3, reasoning_tokens=1),
    ]
    (delta,) = usage_deltas(ACCOUNT, rows)
    assert delta["hour"] == T0.replace(minute=0)
    assert (delta["events"], delta["input_tokens"], delta["output_tokens"]) == (2, 15, 5)
    assert (delta["cached_input_tokens"], delta["reasoning_tokens"]) == (4, 1)
    assert delta["cost_usd"] == Decimal("0.0020000000")
    assert delta["account_id"] == ACCOUNT


def test_hours_are_utc_hours_whatever_the_events_offset() -> None:
    rows = [row(timestamp="2026-11-25T15:59:59+05:30"), row(timestamp="2026-11-25T10:30:00Z")]
    hours = {delta["hour"] for delta in usage_deltas(ACCOUNT, rows)}
    assert hours == {datetime(2026, 11, 25, 10, tzinfo=timezone.utc)}


def test_each_dimension_splits_the_rollup() -> None:
    rows = [
        row(),
        row(provider="openai"),
        row(model="m"),
        row(customer_id="c"),
        row(section="s"),
        row(agent="a"),
        row(timestamp=(T0 + timedelta(hours=1)).isoformat()),
    ]
    assert len(usage_deltas(ACCOUNT, rows)) == 7


def test_missing_dimensions_are_stored_as_empty_strings() -> None:
    (delta,) = usage_deltas(ACCOUNT, [row()])
    assert [delta[k] for k in ("provider", "model", "customer_id", "section", "agent")] == [""] * 5


def test_unknown_model_events_are_counted_as_unpriced() -> None:
    unknown = PricedEvent(Decimal(0), "unknown_model")
    rows = [row(unknown, model="x"), row(PricedEvent(Decimal(1), "client"), model="x")]
    (delta,) = usage_deltas(ACCOUNT, rows)
    assert (delta["events"], delta["unpriced_events"]) == (2, 1)


def test_deltas_come_in_key_order_so_that_batches_lock_rollup_rows_alike() -> None:
    rows = [row(model=m, customer_id=c) for m in "zay" for c in ("c2", "c1")]
    keys = [(d["hour"], d["model"], d["customer_id"]) for d in usage_deltas(ACCOUNT, rows)]
    assert keys == sorted(keys)
    assert keys == [(T0.replace(minute=0), m, c) for m in "ayz" for c in ("c1", "c2")]


def test_no_rows_no_deltas() -> None:
    assert usage_deltas(ACCOUNT, []) == []


def test_daily_slices_are_locked_from_the_most_rows_per_day_to_the_fewest() -> None:
    rows = [
        row(model=m, customer_id=c, section=s, agent=a)
        for m in ("m2", "m1")
        for c, s, a in (("c2", "s2", "a2"), ("c1", "s1", "a1"))
    ]
    keys = [
        (d["dimension"], d["value"], d["model"]) for d in daily_deltas(usage_deltas(ACCOUNT, rows))
    ]
    assert keys == [
        (dimension, value, model)
        for dimension in ("customer", "section", "agent")
        for value in (dimension[0] + "1", dimension[0] + "2")
        for model in ("m1", "m2")
    ] + [("", "", "m1"), ("", "", "m2")]


# --- run_deltas ------------------------------------------------------------------------------


def test_a_runs_delta_sums_its_events() -> None:
    rows = [
        row(run_id="r", input_tokens=10, output_tokens=1),
        row(run_id="r", input_tokens=20, output_tokens=2, status="error", error="boom"),
    ]
    (delta,) = run_deltas(rows)
    assert (delta.run_id, delta.events, delta.errors) == ("r", 2, 1)
    assert (delta.input_tokens, delta.output_tokens) == (30, 3)
    assert delta.cost_usd == Decimal("0.0020000000")


def test_a_run_spans_from_its_first_start_to_its_last_end() -> None:
    rows = [
        row(run_id="r", timestamp=(T0 + timedelta(seconds=5)).isoformat(), duration_ms=10_000),
        row(run_id="r", timestamp=T0.isoformat(), duration_ms=1_000),
    ]
    (delta,) = run_deltas(rows)
    assert (delta.started_at, delta.ended_at) == (T0, T0 + timedelta(seconds=15))


def test_a_root_span_names_its_run_even_when_a_child_comes_first() -> None:
    rows = [
        row(run_id="r", name="child", parent_span_id="root"),
        row(run_id="r", name="agent", span_id="root"),
    ]
    (delta,) = run_deltas(rows)
    assert (delta.root_name, delta.any_name) == ("agent", "child")


def test_a_run_without_a_root_span_has_no_root_name() -> None:
    (delta,) = run_deltas([row(run_id="r", name="child", parent_span_id="elsewhere")])
    assert (delta.root_name, delta.any_name) == (None, "child")


def test_the_first_customer_sent_is_the_runs_customer() -> None:
    rows = [row(run_id="r"), row(run_id="r", customer_id="acme"), row(run_id="r", customer_id="b")]
    assert run_deltas(rows)[0].customer_id == "acme"


def test_run_deltas_come_in_run_id_order_so_that_batches_lock_runs_alike() -> None:
    rows = [row(run_id=r) for r in ("c", "a", "b", "a")]
    assert [d.run_id for d in run_deltas(rows)] == ["a", "b", "c"]
