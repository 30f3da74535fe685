"""UTC days as SQL group keys, and the list of days a chart shows (empty days included)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.orm import Session as DbSession


def utc_day(db: DbSession, column: Any) -> Any:
    """`column` (a UTCDateTime) as its UTC day, "YYYY-MM-DD", on either database."""
    if db.get_bind().dialect.name == "postgresql":
        # Literals, not bound parameters: "UTC" bound with the column's type fails on a string.
        utc: ColumnElement[str] = literal_column("'UTC'")
        day_format: ColumnElement[str] = literal_column("'YYYY-MM-DD'")
        return func.to_char(func.timezone(utc, column), day_format)
    return func.substr(column, 1, 10)  # SQLite stores naive UTC as "YYYY-MM-DD HH:MM:SS"


def day_of(value: str) -> date:
    return date.fromisoformat(value)


def last_days(now: datetime, count: int) -> list[date]:
    """The `count` UTC days ending with today, oldest first."""
    today = now.astimezone(timezone.utc).date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
