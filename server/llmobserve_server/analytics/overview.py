"""Headline numbers for the dashboard: totals against the previous period, and top keys by cost.

    numbers = compare_periods(db, account_id=a, start=s, end=e)
    numbers.current.cost_usd, numbers.previous.cost_usd, change(numbers.current.events, …)
    top = top_costs(db, account_id=a, dimension="model", start=s, end=e, limit=5)

All read a rollup (analytics/rollups.py; runs per period read the `runs` table), scoped to one
account.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Dimension
from llmobserve_server.analytics.rollups import rollup_for
from llmobserve_server.db.models import Run, UsageHourly

MICRO_USD = Decimal("0.000001")  # averages are rounded to a millionth of a dollar


@dataclass(frozen=True)
class Totals:
    cost_usd: Decimal
    events: int
    unpriced_events: int
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class PeriodComparison:
    """[start, end) and the period of equal length just before it."""

    current: Totals
    previous: Totals


@dataclass(frozen=True)
class RunAverages:
    current: Decimal | None  # None: no run started in the period; else rounded to MICRO_USD
    previous: Decimal | None


@dataclass(frozen=True)
class KeyCost:
    key: str | None  # None: the dimension was not set on those events
    cost_usd: Decimal
    events: int
    share: Decimal  # of the period's total cost, 0 to 1


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def change(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """The relative change from `previous` to `current` (0.12 for +12 %), or None when there is
    no previous value to compare with."""
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def compare_periods(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    start: datetime,
    end: datetime,
    match: Mapping[Dimension, str] | None = None,
) -> PeriodComparison:
    """Totals of [start, end) and of the equally long period before it, in one query."""
    previous_start = start - (end - start)
    rollup = rollup_for(account_id=account_id, start=previous_start, end=end, match=match)
    in_current = rollup.time >= _hour(start)
    in_previous = rollup.time < _hour(start)

    def both(column: Any) -> tuple[Any, Any]:
        return func.sum(case((in_current, column))), func.sum(case((in_previous, column)))

    names = (
        "cost_usd",
        "events",
        "unpriced_events",
        "input_tokens",
        "output_tokens",
        "cached_input_tokens",
    )
    columns = [part for name in names for part in both(getattr(rollup.table, name))]
    row = db.execute(select(*columns).where(*rollup.filters)).one()

    def totals(offset: int) -> Totals:
        values = [row[index * 2 + offset] for index in range(len(names))]
        return Totals(values[0] or Decimal(0), *(int(value or 0) for value in values[1:]))

    return PeriodComparison(current=totals(0), previous=totals(1))


def run_averages(
    db: DbSession, *, account_id: uuid.UUID, start: datetime, end: datetime
) -> RunAverages:
    """Average cost per run started in [start, end), and in the period of equal length before."""
    previous_start = start - (end - start)
    in_current, in_previous = Run.started_at >= start, Run.started_at < start
    row = db.execute(
        select(
            func.sum(case((in_current, Run.cost_usd))),
            func.count(case((in_current, 1))),
            func.sum(case((in_previous, Run.cost_usd))),
            func.count(case((in_previous, 1))),
        ).where(
            Run.account_id == account_id,
            Run.started_at >= previous_start,
            Run.started_at < end,
        )
    ).one()

    def average(total: Decimal | None, runs: int) -> Decimal | None:
        if not runs:
            return None
        return ((total or Decimal(0)) / runs).quantize(MICRO_USD, rounding=ROUND_HALF_UP)

    return RunAverages(current=average(row[0], row[1]), previous=average(row[2], row[3]))


def top_costs(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    dimension: Dimension,
    start: datetime,
    end: datetime,
    limit: int,
    total_cost_usd: Decimal,
    match: Mapping[Dimension, str] | None = None,
) -> list[KeyCost]:
    """The `limit` costliest values of `dimension` in [start, end), with their share of
    `total_cost_usd` (the period's total, which the caller already has)."""
    rollup = rollup_for(account_id=account_id, start=start, end=end, by=[dimension], match=match)
    key = rollup.column(dimension)
    cost = rollup.sum("cost_usd").label("cost")
    rows = db.execute(
        select(key.label("key"), cost, rollup.sum("events").label("events"))
        .where(*rollup.filters)
        .group_by(key)
        .order_by(cost.desc(), key)
        .limit(limit)
    ).all()
    return [
        KeyCost(
            key=row.key or None,
            cost_usd=row.cost,
            events=int(row.events),
            share=row.cost / total_cost_usd if total_cost_usd else Decimal(0),
        )
        for row in rows
    ]


def has_usage(db: DbSession, *, account_id: uuid.UUID) -> bool:
    """Whether the account has recorded anything at all (what decides the Getting started page)."""
    found = db.execute(
        select(UsageHourly.hour).where(UsageHourly.account_id == account_id).limit(1)
    ).first()
    return found is not None
