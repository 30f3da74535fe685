"""Which failed batch transactions are run again: those PostgreSQL aborted to break a deadlock
or a serialisation conflict, and those SQLite refused while another writer held the database,
whether SQLAlchemy wrapped the driver's error or not."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg.errors
from sqlalchemy.exc import IntegrityError, OperationalError

from llmobserve_server.ingest.retry import is_retryable


def test_a_deadlock_is_retried_as_raised_by_the_driver_or_by_sqlalchemy() -> None:
    deadlock = psycopg.errors.DeadlockDetected("deadlock detected")
    assert is_retryable(deadlock)
    assert is_retryable(OperationalError("INSERT …", {}, deadlock))


def test_a_serialization_failure_is_retried() -> None:
    assert is_retryable(psycopg.errors.SerializationFailure("could not serialize access"))


def test_other_database_errors_are_not_retried() -> None:
    unique = psycopg.errors.UniqueViolation("duplicate key")
    assert not is_retryable(unique)
    assert not is_retryable(IntegrityError("INSERT …", {}, unique))
    assert not is_retryable(psycopg.errors.NumericValueOutOfRange("numeric field overflow"))
    assert not is_retryable(OperationalError("BEGIN", {}, Exception("database is locked")))


def test_a_sqlite_database_held_by_another_writer_is_retried(tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    waiter = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiter.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as busy:
        assert is_retryable(busy)
        assert is_retryable(OperationalError("BEGIN IMMEDIATE", {}, busy))
    else:
        raise AssertionError("the second writer was let in")
    finally:
        holder.close()
        waiter.close()
