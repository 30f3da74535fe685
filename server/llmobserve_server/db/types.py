"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

MONEY_SCALE = 10
"""Decimal places kept for USD amounts: a single cached token costs fractions of a micro-dollar."""

_MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)
_MONEY_FACTOR = 10**MONEY_SCALE

JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so values are stored as naive UTC
    and given their UTC zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Money(TypeDecorator[Decimal]):
    """An exact USD amount.

    PostgreSQL stores NUMERIC(20, 10). SQLite has no exact decimal type (its NUMERIC is a float),
    so there the amount is stored as an integer count of 1e-10 USD, which keeps sums exact too.
    """

    impl = Numeric(20, MONEY_SCALE)
    cache_ok = True

    def __init__(self, precision: int = 20) -> None:
        """`precision` digits on PostgreSQL: 20 for one event, more for totals."""
        super().__init__()
        self.precision = precision

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, MONEY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(_MONEY_QUANTUM)
        if dialect.name == "sqlite":
            return int(amount * _MONEY_FACTOR)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        amount = Decimal(int(value)) / _MONEY_FACTOR if dialect.name == "sqlite" else Decimal(value)
        return amount.quantize(_MONEY_QUANTUM)
