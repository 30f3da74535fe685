"""The UTC periods budgets count in: calendar day, ISO week (Monday 00:00 UTC), calendar month.

period_bounds("week", datetime(2026, 12, 9, 15, tzinfo=timezone.utc))
# (2026-12-07 00:00 UTC, 2026-12-14 00:00 UTC)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")


def period_bounds(period: Period, at: datetime) -> tuple[datetime, datetime]:
    """The period containing `at`: [start, end), both UTC midnights."""
    day = at.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end
