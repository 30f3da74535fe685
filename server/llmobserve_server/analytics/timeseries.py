"""Cost over time from a rollup (analytics/rollups.py): one series per top key (provider,
model, agent, …).

    series = cost_series(db, account_id=a, start=s, end=e, bucket="day", split_by="model", top=5)
    series.starts        # every bucket in the range, empty ones included
    series.series[0]     # Series(key="gpt-4o", costs=[Decimal("1.20"), …])

Keys past the top `top` are summed into one series with `other=True`, so a stacked chart still
adds up to the total.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Bucket, Dimension, bucket_start
from llmobserve_server.analytics.rollups import rollup_for

_STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class Series:
    key: str | None  # None: the dimension was not set on those events
    costs: list[Decimal]  # one per bucket, aligned with CostSeries.starts
    other: bool = False  # the sum of every key past the top ones

    @property
    def total(self) -> Decimal:
        return sum(self.costs, Decimal(0))


@dataclass(frozen=True)
class CostSeries:
    bucket: Bucket
    starts: list[datetime]
    series: list[Series]  # by total cost, highest first; "other" last


def bucket_starts(start: datetime, end: datetime, bucket: Bucket) -> list[datetime]:
    """Every bucket that overlaps [start, end), from the one holding `start`."""
    first = start.replace(minute=0, second=0, microsecond=0)
    if bucket == "day":
        first = first.replace(hour=0)
    starts = []
    while first < end:
        starts.append(first)
        first += _STEP[bucket]
    return starts


def cost_series(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    start: datetime,
    end: datetime,
    bucket: Bucket,
    split_by: Dimension | None = None,
    top: int = 6,
    match: Mapping[Dimension, str] | None = None,
) -> CostSeries:
    """Cost per bucket between `start` and `end`, split into the `top` costliest keys of
    `split_by` plus "other" (one series when `split_by` is None). One query."""
    rollup = rollup_for(
        account_id=account_id,
        start=start,
        end=end,
        by=[split_by] if split_by else [],
        match=match,
        bucket=bucket,
    )
    keys = [rollup.bucket(db, bucket).label("bucket")]
    if split_by:
        keys.append(rollup.column(split_by).label("key"))
    rows = db.execute(
        select(*keys, rollup.sum("cost_usd").label("cost")).where(*rollup.filters).group_by(*keys)
    ).all()
    starts = bucket_starts(start, end, bucket)
    position = {moment: index for index, moment in enumerate(starts)}
    by_key: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(starts))
    for row in rows:
        index = position.get(bucket_start(row.bucket))
        if index is not None:
            by_key[(row.key if split_by else "") or ""][index] += row.cost or Decimal(0)
    ranked = sorted(by_key.items(), key=lambda item: (-sum(item[1]), item[0]))
    series = [Series(key or None, costs) for key, costs in ranked[:top]]
    if len(ranked) > top:
        columns = zip(*(costs for _, costs in ranked[top:]), strict=True)
        rest = [sum(column, Decimal(0)) for column in columns]
        series.append(Series(None, rest, other=True))
    return CostSeries(bucket=bucket, starts=starts, series=series)
