"""Which failed batch transactions are worth running again.

PostgreSQL aborts one of two transactions that wait for each other's locks (deadlock_detected)
and may abort one that could not be serialised; both are safe to run again from the start, as
the whole transaction was rolled back. A batch's transactions lock their rows in one order
(ingest/store.py), so this is a net for the rare orders that differ (an account whose plan
changes between two of its batches), not a path taken under normal load.

SQLite answers "database is locked" (SQLITE_BUSY) when another writer held the database for
longer than busy_timeout (db/engine.py), which a heavily loaded machine has been seen to do; the
transaction never started writing, so it too is run again.
"""

from __future__ import annotations

TRANSACTION_ATTEMPTS = 3
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
_RETRYABLE_SQLITE_ERRORS = frozenset({"SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT"})


def is_retryable(exc: BaseException) -> bool:
    """Whether `exc` (SQLAlchemy's wrapper or the driver's own error) aborted the transaction
    for a reason that running it again can clear."""
    driver_error = getattr(exc, "orig", None) or exc
    return (
        getattr(driver_error, "sqlstate", None) in _RETRYABLE_SQLSTATES
        or getattr(driver_error, "sqlite_errorname", None) in _RETRYABLE_SQLITE_ERRORS
    )
