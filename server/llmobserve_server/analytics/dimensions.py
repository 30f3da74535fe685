"""The rollup's dimensions and time buckets, as SQL expressions shared by the dashboard queries."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal, TypedDict

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import UsageHourly

Dimension = Literal["provider", "model", "customer", "section", "agent"]
Bucket = Literal["hour", "day"]


class Window(TypedDict):
    """The keyword arguments every dashboard query takes: `compare_periods(db, **window)`."""

    account_id: uuid.UUID
    start: datetime  # inclusive
    end: datetime  # exclusive


DIMENSION_COLUMNS: dict[str, Any] = {
    "provider": UsageHourly.provider,
    "model": UsageHourly.model,
    "customer": UsageHourly.customer_id,
    "section": UsageHourly.section,
    "agent": UsageHourly.agent,
}


def matching(match: Mapping[Dimension, str] | None) -> list[ColumnElement[bool]]:
    """`WHERE` clauses keeping one value per dimension, e.g. `{"agent": "support-bot"}`."""
    return [DIMENSION_COLUMNS[name] == value for name, value in (match or {}).items()]


def bucket_key(db: DbSession, bucket: Bucket) -> Any:
    """The hour itself, or its UTC day as "YYYY-MM-DD" (`bucket_start` turns either into time)."""
    if bucket == "hour":
        return UsageHourly.hour
    if db.get_bind().dialect.name == "postgresql":
        # Literals, not bound parameters: "UTC" bound with the column's type fails on a string.
        utc: ColumnElement[str] = literal_column("'UTC'")
        day_format: ColumnElement[str] = literal_column("'YYYY-MM-DD'")
        return func.to_char(func.timezone(utc, UsageHourly.hour), day_format)
    return func.substr(UsageHourly.hour, 1, 10)  # SQLite stores "YYYY-MM-DD HH:MM:SS"


def bucket_start(value: datetime | str) -> datetime:
    """A `bucket_key` value as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
