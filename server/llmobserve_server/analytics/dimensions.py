"""The dashboard's dimensions and time buckets, and the day of a timestamp as SQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Literal, TypedDict

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.orm import Session as DbSession

Dimension = Literal["provider", "model", "customer", "section", "agent"]
Bucket = Literal["hour", "day"]


class Window(TypedDict):
    """The keyword arguments every dashboard query takes: `compare_periods(db, **window)`."""

    account_id: uuid.UUID
    start: datetime  # inclusive
    end: datetime  # exclusive


def utc_day(db: DbSession, column: Any) -> Any:
    """A timestamp column's UTC day as "YYYY-MM-DD"."""
    if db.get_bind().dialect.name == "postgresql":
        # Literals, not bound parameters: "UTC" bound with the column's type fails on a string.
        utc: ColumnElement[str] = literal_column("'UTC'")
        day_format: ColumnElement[str] = literal_column("'YYYY-MM-DD'")
        return func.to_char(func.timezone(utc, column), day_format)
    return func.substr(column, 1, 10)  # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff"


def bucket_start(value: datetime | str) -> datetime:
    """A bucket's key (a timestamp, or a "YYYY-MM-DD" day) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
