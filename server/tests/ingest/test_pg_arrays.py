"""Columns encoded by ingest/pg_arrays.py arrive in PostgreSQL exactly as the values sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from sqlalchemy import JSON, BigInteger, Boolean, Integer, Numeric, String, Text, Uuid
from sqlalchemy.types import TypeEngine

from llmobserve_server.db.types import Money, UTCDateTime
from llmobserve_server.ingest.pg_arrays import encoder_for
from tests.support.databases import ADMIN_URL, require_postgres


@pytest.fixture(scope="module")
def connection() -> Iterator[psycopg.Connection[Any]]:
    require_postgres()
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        yield connection


def round_trip(
    connection: psycopg.Connection[Any],
    column_type: TypeEngine[Any],
    sql_type: str,
    values: list[Any],
) -> list[Any]:
    encoded = encoder_for(column_type)(values)
    rows = connection.execute(f"SELECT unnest(%b::{sql_type}[])", [encoded]).fetchall()
    return [row[0] for row in rows]


def test_uuids_round_trip_with_nulls(connection: psycopg.Connection[Any]) -> None:
    values = [uuid.uuid4(), None, uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
    assert round_trip(connection, Uuid(), "UUID", values) == values


def test_timestamps_round_trip_to_the_microsecond(connection: psycopg.Connection[Any]) -> None:
    values = [
        datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=timezone.utc),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),  # before PG's epoch
        datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        None,
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
    ]
    returned = round_trip(connection, UTCDateTime(), "TIMESTAMPTZ", values)
    assert returned == values  # aware datetimes compare by instant


def test_integers_round_trip_at_their_limits(connection: psycopg.Connection[Any]) -> None:
    big = [0, 1, -1, 2**63 - 1, -(2**63), 10**9]
    assert round_trip(connection, BigInteger(), "BIGINT", big) == big
    small = [0, None, 2**31 - 1, -(2**31), 1234]
    assert round_trip(connection, Integer(), "INTEGER", small) == small


def test_booleans_round_trip(connection: psycopg.Connection[Any]) -> None:
    assert round_trip(connection, Boolean(), "BOOLEAN", [True, False, None]) == [
        True,
        False,
        None,
    ]


def test_text_round_trips_unicode_empty_and_null(connection: psycopg.Connection[Any]) -> None:
    values = ["gpt-4o-mini", "", None, "support/retrieval", "東京 — naïve 🚀", "x" * 200]
    assert round_trip(connection, String(200), "VARCHAR(200)", values) == values
    assert round_trip(connection, Text(), "TEXT", [*values, "y" * 4000]) == [*values, "y" * 4000]


def test_money_travels_as_exact_decimal_text(connection: psycopg.Connection[Any]) -> None:
    values = [Decimal("0.0000001500"), Decimal("12345.6789012345"), Decimal(0), None]
    returned = round_trip(connection, Money(), "NUMERIC(20, 10)", values)
    assert returned == values
    assert round_trip(connection, Numeric(20, 10), "NUMERIC(20, 10)", [Decimal("1E-10")]) == [
        Decimal("0.0000000001")
    ]


def test_json_objects_round_trip_as_jsonb(connection: psycopg.Connection[Any]) -> None:
    values = [{"env": "prod", "attempt": 1, "nested": {"ok": True, "list": [1.5, None]}}, None]
    values.append({"unicode": "ü\u2028", "quote": '"'})
    values.append({"beyond_64_bits": 10**30, "negative": -(2**70)})
    assert round_trip(connection, JSON(), "JSONB", values) == values


def test_an_empty_column_is_an_empty_array(connection: psycopg.Connection[Any]) -> None:
    assert round_trip(connection, BigInteger(), "BIGINT", []) == []
    assert round_trip(connection, String(), "TEXT", []) == []
