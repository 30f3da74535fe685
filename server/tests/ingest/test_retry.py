"""Which failed batch transactions are run again: those PostgreSQL aborted to break a deadlock
or a serialisation conflict, whether SQLAlchemy wrapped the driver's error or not."""

from __future__ import annotations

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
