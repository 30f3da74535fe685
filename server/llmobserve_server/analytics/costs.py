"""Cost breakdowns by day or dimension, read from the hourly rollup (never from raw events)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import UsageHourly

GroupBy = Literal["day", "provider", "model", "customer", "section", "agent"]

_DIMENSIONS: dict[str, Any] = {
    "provider": UsageHourly.provider,
    "model": UsageHourly.model,
    "customer": UsageHourly.customer_id,
    "section": UsageHourly.section,
    "agent": UsageHourly.agent,
}
_SUMMED = (
    "events",
    "unpriced_events",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_tokens",
)


@dataclass(frozen=True)
class CostRow:
    key: str | None
    cost_usd: Decimal
    events: int
    unpriced_events: int
    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: int
    output_tokens: int
    reasoning_tokens: int


@dataclass(frozen=True)
class CostReport:
    total_cost_usd: Decimal
    total_events: int
    unpriced_events: int
    rows: list[CostRow]
    has_more: bool


def _day(db: DbSession) -> ColumnElement[str]:
    if db.get_bind().dialect.name == "postgresql":
        # Literals, not `.op("AT TIME ZONE")("UTC")`: that binds "UTC" with the column's
        # UTC-datetime type, which fails on a string.
        utc: ColumnElement[str] = literal_column("'UTC'")
        day_format: ColumnElement[str] = literal_column("'YYYY-MM-DD'")
        return func.to_char(func.timezone(utc, UsageHourly.hour), day_format)
    return func.substr(UsageHourly.hour, 1, 10)  # SQLite stores "YYYY-MM-DD HH:MM:SS"


def cost_report(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    group_by: GroupBy,
    start: datetime,
    end: datetime,
    offset: int = 0,
    limit: int = 1000,
) -> CostReport:
    """Costs between `start` (inclusive) and `end` (exclusive), at the rollup's hour resolution.

    Rows come by cost, highest first; for `day`, in date order (what a chart needs)."""
    in_range = (
        UsageHourly.account_id == account_id,
        UsageHourly.hour >= start.replace(minute=0, second=0, microsecond=0),
        UsageHourly.hour < end,
    )
    key = _day(db) if group_by == "day" else _DIMENSIONS[group_by]
    cost = func.sum(UsageHourly.cost_usd).label("cost_usd")
    sums = [func.sum(getattr(UsageHourly, name)).label(name) for name in _SUMMED]
    order = (key,) if group_by == "day" else (cost.desc(), key)
    rows = db.execute(
        select(key.label("key"), cost, *sums)
        .where(*in_range)
        .group_by(key)
        .order_by(*order)
        .offset(offset)
        .limit(limit + 1)
    ).all()
    totals = db.execute(
        select(
            func.sum(UsageHourly.cost_usd),
            func.sum(UsageHourly.events),
            func.sum(UsageHourly.unpriced_events),
        ).where(*in_range)
    ).one()
    return CostReport(
        total_cost_usd=totals[0] or Decimal(0),
        total_events=int(totals[1] or 0),
        unpriced_events=int(totals[2] or 0),
        rows=[
            CostRow(
                key=row.key or None,
                cost_usd=row.cost_usd,
                **{name: int(getattr(row, name)) for name in _SUMMED},
            )
            for row in rows[:limit]
        ],
        has_more=len(rows) > limit,
    )
