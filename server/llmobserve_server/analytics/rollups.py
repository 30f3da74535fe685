"""Which rollup table a dashboard query reads, narrowed to one account, range and match.

    rollup = rollup_for(account_id=a, start=s, end=e, by=("model",), match={"agent": "bot"})
    db.execute(
        select(rollup.column("model"), rollup.sum("cost_usd"))
        .where(*rollup.filters)
        .group_by(rollup.column("model"))
    )

`usage_hourly` keys every sum by hour and all five dimensions at once, so a month of it can hold
about one row for every two events. `usage_daily` keeps per-day slices, one of customer, section
or agent at a time (with provider and model), which is a few rows per day and value. A query
reads the daily slices when its range is whole UTC days, it needs no hour buckets, and it groups
by or matches at most one of customer, section and agent; otherwise it reads the hourly rollup.
Both hold the same sums, so the answer is the same either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Bucket, Dimension, utc_day
from llmobserve_server.db.models import UsageDaily, UsageHourly

_HOURLY_COLUMNS: dict[str, Any] = {
    "provider": UsageHourly.provider,
    "model": UsageHourly.model,
    "customer": UsageHourly.customer_id,
    "section": UsageHourly.section,
    "agent": UsageHourly.agent,
}
_SLICED = frozenset({"customer", "section", "agent"})  # usage_daily's `dimension` values


@dataclass(frozen=True)
class Rollup:
    """A rollup table, and the WHERE clauses that keep an account's rows in a range."""

    table: type[UsageHourly] | type[UsageDaily]
    time: Any  # usage_hourly.hour or usage_daily.day
    filters: tuple[ColumnElement[bool], ...]

    def column(self, dimension: Dimension) -> Any:
        """The column holding `dimension`'s values."""
        return _column(self.table, dimension)

    def sum(self, name: str) -> Any:
        return func.sum(getattr(self.table, name))

    def bucket(self, db: DbSession, bucket: Bucket) -> Any:
        """The bucket a row falls in: its hour or day as a timestamp, or "YYYY-MM-DD"."""
        if bucket == "hour" or self.table is UsageDaily:
            return self.time
        return utc_day(db, self.time)


def rollup_for(
    *,
    account_id: uuid.UUID,
    start: datetime,
    end: datetime,
    by: Iterable[Dimension] = (),
    match: Mapping[Dimension, str] | None = None,
    bucket: Bucket | None = None,
) -> Rollup:
    """The rollup for [start, end) (whole hours from `start`'s) that can group by every
    dimension in `by`, keep only `match`'s values, and split time into `bucket`s."""
    match = match or {}
    sliced = (set(by) | set(match)) & _SLICED
    if bucket != "hour" and len(sliced) <= 1 and _is_midnight(start) and _is_midnight(end):
        dimension = next(iter(sliced), "")
        filters = [
            UsageDaily.account_id == account_id,
            UsageDaily.day >= start,
            UsageDaily.day < end,
            UsageDaily.dimension == dimension,
        ]
        filters.extend(_column(UsageDaily, name) == value for name, value in match.items())
        return Rollup(UsageDaily, UsageDaily.day, tuple(filters))
    filters = [
        UsageHourly.account_id == account_id,
        UsageHourly.hour >= start.replace(minute=0, second=0, microsecond=0),
        UsageHourly.hour < end,
    ]
    filters.extend(_HOURLY_COLUMNS[name] == value for name, value in match.items())
    return Rollup(UsageHourly, UsageHourly.hour, tuple(filters))


def _column(table: type[UsageHourly] | type[UsageDaily], dimension: Dimension) -> Any:
    if table is UsageHourly:
        return _HOURLY_COLUMNS[dimension]
    return UsageDaily.value if dimension in _SLICED else getattr(UsageDaily, dimension)


def _is_midnight(moment: datetime) -> bool:
    return moment.astimezone(timezone.utc).time() == time.min
