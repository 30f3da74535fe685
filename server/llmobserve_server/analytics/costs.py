"""Cost breakdowns by day or dimension, read from a rollup (analytics/rollups.py), never from
raw events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import utc_day
from llmobserve_server.analytics.rollups import rollup_for
from llmobserve_server.ingest.rows import TOKEN_FIELDS

GroupBy = Literal["day", "provider", "model", "customer", "section", "agent"]
COUNTS = ("events", "unpriced_events", *TOKEN_FIELDS)
"""What a `CostRow` counts besides its cost, in the order reports show them."""


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
    cache_write_1h_input_tokens: int
    input_audio_tokens: int
    output_audio_tokens: int


@dataclass(frozen=True)
class CostReport:
    total_cost_usd: Decimal
    total_events: int
    unpriced_events: int
    rows: list[CostRow]
    has_more: bool


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
    by = [] if group_by == "day" else [group_by]
    rollup = rollup_for(account_id=account_id, start=start, end=end, by=by)
    key = utc_day(db, rollup.time) if group_by == "day" else rollup.column(group_by)
    cost = rollup.sum("cost_usd").label("cost_usd")
    sums = [rollup.sum(name).label(name) for name in COUNTS]
    order = (key,) if group_by == "day" else (cost.desc(), key)
    rows = db.execute(
        select(key.label("key"), cost, *sums)
        .where(*rollup.filters)
        .group_by(key)
        .order_by(*order)
        .offset(offset)
        .limit(limit + 1)
    ).all()
    totals = db.execute(
        select(rollup.sum("cost_usd"), rollup.sum("events"), rollup.sum("unpriced_events")).where(
            *rollup.filters
        )
    ).one()
    return CostReport(
        total_cost_usd=totals[0] or Decimal(0),
        total_events=int(totals[1] or 0),
        unpriced_events=int(totals[2] or 0),
        rows=[
            CostRow(
                key=row.key or None,
                cost_usd=row.cost_usd,
                **{name: int(getattr(row, name)) for name in COUNTS},
            )
            for row in rows[:limit]
        ],
        has_more=len(rows) > limit,
    )
