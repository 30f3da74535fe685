"""Turning validated, priced events into rows, and rows into rollup deltas."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from operator import add
from typing import Any

from llmobserve_server.db.base import primary_key_names
from llmobserve_server.db.models import UsageDaily, UsageHourly
from llmobserve_server.ingest.schema import EventIn
from llmobserve_server.pricing import PricedEvent

TOKEN_FIELDS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cache_write_1h_input_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
)
"""Every token count of the wire format, stored on events and summed by the rollups. Parts of
their wholes: cached, cache-write and audio input within `input_tokens`, the 1-hour writes within
`cache_write_input_tokens`, reasoning and audio output within `output_tokens`."""


def event_row(
    event: EventIn, priced: PricedEvent, *, account_id: uuid.UUID, received_at: datetime
) -> dict[str, Any]:
    """The trace_events row. An event without run_id is a run of its own; without span_id, it
    gets one, so that it still appears in its run's span tree."""
    span_id = event.span_id or event.id.hex[:16]
    return {
        "account_id": account_id,
        "id": event.id,
        "timestamp": event.timestamp,
        "received_at": received_at,
        "duration_ms": round(event.duration_ms) if event.duration_ms is not None else None,
        "run_id": event.run_id or str(event.id),
        "span_id": span_id,
        "parent_span_id": event.parent_span_id,
        "name": event.name,
        "provider": event.provider,
        "model": event.model,
        "operation": event.operation,
        **{name: getattr(event, name) for name in TOKEN_FIELDS},
        "units": event.units,
        "service_tier": event.service_tier,
        "cost_usd": priced.cost_usd,
        "cost_source": priced.cost_source,
        "customer_id": event.customer_id,
        "section": event.section,
        "agent": event.agent,
        "status": event.status,
        "error": event.error,
        "metadata": event.metadata,
    }


def _hour(ts: datetime) -> datetime:
    return ts.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


ROLLUP_SUMS = ("events", "unpriced_events", "cost_usd", *TOKEN_FIELDS)
"""The rollups' summed columns (db.models.RollupSums), in the order the deltas below keep them
while summing (tuples, built and added with fewer interpreter steps than a dict per key)."""

_HOURLY_DIMENSIONS = tuple(
    name for name in primary_key_names(UsageHourly) if name not in ("account_id", "hour")
)
"""usage_hourly's key past the account and hour: event row columns, '' where unset."""
_HOURLY_COLUMNS = ("account_id", "hour", *_HOURLY_DIMENSIONS, *ROLLUP_SUMS)
_DAILY_SHARED = tuple(
    name
    for name in primary_key_names(UsageDaily)
    if name not in ("account_id", "day", "dimension", "value")
)
"""usage_daily's key past the account, day and slice: usage_hourly's columns of those names."""
_DAILY_COLUMNS = ("account_id", "day", "dimension", "value", *_DAILY_SHARED, *ROLLUP_SUMS)


def usage_deltas(account_id: uuid.UUID, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-hour-and-dimension sums, sorted by key so that concurrent batches lock rollup rows
    in the same order and cannot deadlock."""
    totals: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        key = (_hour(row["timestamp"]), *[row[name] or "" for name in _HOURLY_DIMENSIONS])
        sums = (
            1,
            int(row["cost_source"] == "unknown_model"),
            row["cost_usd"],
            *[row[name] for name in TOKEN_FIELDS],
        )
        total = totals.get(key)
        totals[key] = sums if total is None else tuple(map(add, total, sums))
    return [
        dict(zip(_HOURLY_COLUMNS, (account_id, *key, *totals[key]), strict=True))
        for key in sorted(totals)
    ]


DAILY_SLICES = (("customer", "customer_id"), ("section", "section"), ("agent", "agent"))
"""usage_daily's slices past the all-events one (""): (dimension, usage_hourly column), from the
one with the most rows per day to the one with the fewest: the order batches lock them in."""


def daily_deltas(hourly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """usage_daily's sums from `usage_deltas`' rows (fewer than the events, and already summed),
    in lock order: slice by slice from the one with the most rows per day to the one with the
    fewest (customers, sections, agents, then all events), each by key. The fewer a slice's
    rows, the more of the account's concurrent batches need the same ones; locked last, they
    are held for the least time before the commit, so batches queue for them the least."""
    totals: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for delta in hourly:
        sums = tuple([delta[name] for name in ROLLUP_SUMS])
        day, shared = delta["hour"].replace(hour=0), [delta[name] for name in _DAILY_SHARED]
        keys = [(day, "", "", *shared)]
        keys += [(day, name, delta[column], *shared) for name, column in DAILY_SLICES]
        for key in keys:
            total = totals.get(key)
            totals[key] = sums if total is None else tuple(map(add, total, sums))
    account_id = hourly[0]["account_id"] if hourly else None
    return [
        dict(zip(_DAILY_COLUMNS, (account_id, *key, *totals[key]), strict=True))
        for key in sorted(totals, key=_lock_order)
    ]


_SLICE_LOCK_ORDER = {name: rank for rank, (name, _) in enumerate([*DAILY_SLICES, ("", "")])}
"""Each slice's place in the lock order: DAILY_SLICES' order, then the all-events slice."""


def _lock_order(key: tuple[Any, ...]) -> tuple[int, tuple[Any, ...]]:
    return _SLICE_LOCK_ORDER[key[1]], key


@dataclass
class RunDelta:
    run_id: str
    started_at: datetime
    ended_at: datetime
    root_name: str | None = None
    any_name: str | None = None
    customer_id: str | None = None
    events: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = field(default_factory=lambda: Decimal(0))


def run_deltas(
    rows: list[dict[str, Any]], *, counted: Callable[[dict[str, Any]], bool] = lambda row: True
) -> list[RunDelta]:
    """Per-run sums, sorted by run id (lock order, as above); `events` counts the rows that
    `counted` says are events (`billing.quota.is_counted`: span markers are not)."""
    runs: dict[str, RunDelta] = {}
    for row in rows:
        start = row["timestamp"]
        end = start + timedelta(milliseconds=row["duration_ms"] or 0)
        run = runs.get(row["run_id"])
        if run is None:
            run = runs[row["run_id"]] = RunDelta(row["run_id"], start, end)
        run.started_at = min(run.started_at, start)
        run.ended_at = max(run.ended_at, end)
        if row["parent_span_id"] is None and row["name"] and run.root_name is None:
            run.root_name = row["name"]
        run.any_name = run.any_name or row["name"]
        run.customer_id = run.customer_id or row["customer_id"]
        run.events += counted(row)
        run.errors += row["status"] == "error"
        run.input_tokens += row["input_tokens"]
        run.output_tokens += row["output_tokens"]
        run.cost_usd += row["cost_usd"]
    return [runs[run_id] for run_id in sorted(runs)]
