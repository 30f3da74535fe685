"""The declarative base shared by every model."""

from __future__ import annotations

from typing import cast

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def primary_key_names(model: type[Base]) -> tuple[str, ...]:
    """The names of `model`'s primary key columns, in the table's order: what an upsert
    conflicts on and what a row's key is built from, so they never drift from the table."""
    table = cast(Table, model.__table__)
    return tuple(column.name for column in table.primary_key.columns)
