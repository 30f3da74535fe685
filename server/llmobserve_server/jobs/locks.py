"""One run of a job at a time, across replicas (PostgreSQL) or worker processes (SQLite).

    with job_lock(engine, "retention", RETENTION_LOCK_ID) as acquired:
        if acquired:
            ...  # nobody else is running the job

Never waits: a second run finds the lock taken and skips (`acquired` is False). On PostgreSQL the
lock is a session-level advisory lock held by a dedicated connection for the whole run (it is
released if that connection dies); on SQLite, where every process shares one database file, it is
an `flock` on a file beside that database.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


@contextmanager
def job_lock(engine: Engine, name: str, lock_id: int) -> Iterator[bool]:
    """Try to take the job's lock; yield whether it was taken, and release it afterwards."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, lock_id) as acquired:
            yield acquired
    else:
        with _file_lock(engine, name) as acquired:
            yield acquired


@contextmanager
def _advisory_lock(engine: Engine, lock_id: int) -> Iterator[bool]:
    with engine.connect() as connection:
        acquired = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id}).scalar()
        )
        connection.commit()  # the lock outlives the transaction: do not sit idle in one
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                connection.commit()


@contextmanager
def _file_lock(engine: Engine, name: str) -> Iterator[bool]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # a private in-memory database has a single user
        return
    path = Path(f"{database}.{name}.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            acquired = False
        else:
            acquired = True
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle, fcntl.LOCK_UN)
