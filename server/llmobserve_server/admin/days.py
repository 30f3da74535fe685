"""The list of days a chart shows (empty days included), and turning days into times. (A
timestamp's UTC day as a SQL group key is `analytics.dimensions.utc_day`.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def day_of(value: str) -> date:
    return date.fromisoformat(value)


def last_days(now: datetime, count: int) -> list[date]:
    """The `count` UTC days ending with today, oldest first."""
    today = now.astimezone(timezone.utc).date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
