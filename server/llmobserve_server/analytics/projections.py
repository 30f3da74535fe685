"""What the projections of `analytics/forecast.py` read: an account's spend per UTC day, for one
slice of its usage, from the daily rollup (or the hourly one when the match names more than one
of customer, section and agent: `rollup_for` decides); and the account's month-end projection.

    month_forecast(db, account_id=a, now=now).projected_usd  # "Projected this month"
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Dimension, bucket_start
from llmobserve_server.analytics.forecast import HISTORY_DAYS, project
from llmobserve_server.analytics.rollups import rollup_for


def daily_spend(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    start: date,
    end: date,
    match: Mapping[Dimension, str] | None = None,
) -> dict[date, Decimal]:
    """What each UTC day in [start, end) cost (days without spend are absent)."""
    rollup = rollup_for(
        account_id=account_id,
        start=_midnight(start),
        end=_midnight(end),
        match=match,
        bucket="day",
    )
    bucket = rollup.bucket(db, "day")
    rows = db.execute(
        select(bucket, rollup.sum("cost_usd")).where(*rollup.filters).group_by(bucket)
    )
    return {bucket_start(day).date(): Decimal(cost) for day, cost in rows if cost}


def forecast_history(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    now: datetime,
    match: Mapping[Dimension, str] | None = None,
) -> dict[date, Decimal]:
    """The full days before `now`'s a projection reads (`forecast.HISTORY_DAYS` of them)."""
    today = now.astimezone(timezone.utc).date()
    return daily_spend(
        db,
        account_id=account_id,
        start=today - timedelta(days=HISTORY_DAYS),
        end=today,
        match=match,
    )


@dataclass(frozen=True)
class MonthForecast:
    month_start: datetime
    month_end: datetime
    spent_usd: Decimal  # so far this month
    projected_usd: Decimal  # by the month's end


def month_forecast(db: DbSession, *, account_id: uuid.UUID, now: datetime) -> MonthForecast:
    """The account's spend this UTC calendar month projected to the month's end (two queries on
    the daily rollup)."""
    today = now.astimezone(timezone.utc).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    spent = sum(
        daily_spend(db, account_id=account_id, start=first, end=today + timedelta(days=1)).values(),
        Decimal(0),
    )
    history = forecast_history(db, account_id=account_id, now=now)
    projection = project(history, spent=spent, now=now, end=_midnight(following))
    return MonthForecast(_midnight(first), _midnight(following), spent, projection.projected_usd)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.utc)
