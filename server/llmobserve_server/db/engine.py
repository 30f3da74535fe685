"""Engine and session factory for the configured database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from llmobserve_server.config import Settings
from llmobserve_server.db.scope import install_scoping


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions out of the driver's hands so that `_begin_immediate` controls them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while ingestion writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    dbapi_connection.create_aggregate("sum", 1, _SumPastInt64)


class _SumPastInt64:
    """SQLite's sum() in place of its own, which fails with "integer overflow" once a total
    passes 2**63: money is stored there as a count of 1e-10 USD, so an account's costs past
    about $922 million would make its dashboard fail. Past that range this one answers a float,
    as SQLite's total() does; below it, the exact integer, as before."""

    def __init__(self) -> None:
        self.total: int | float | None = None

    def step(self, value: object) -> None:
        if isinstance(value, (int, float)):
            self.total = value if self.total is None else self.total + value

    def finalize(self) -> int | float | None:
        if isinstance(self.total, int) and not -(2**63) <= self.total < 2**63:
            return float(self.total)
        return self.total


READ_ONLY = "llmobserve_read_only"
"""An execution option: `session.connection(execution_options={READ_ONLY: True})` begins a
transaction that only reads, which on SQLite need not wait for the write lock."""


def _begin_immediate(connection: Any) -> None:
    """Start every SQLite transaction as a writer, but those marked READ_ONLY.

    A deferred transaction that reads and then writes fails at once with "database is locked"
    when another writer committed in between; taking the write lock up front makes concurrent
    requests wait for each other (up to busy_timeout) instead. A transaction that only reads
    takes no lock: in WAL mode it reads while a writer writes (the ingest key check, which would
    otherwise queue behind every group commit).
    """
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(settings: Settings, *, owner: bool = False) -> Engine:
    """The engine of DATABASE_URL's role, or with `owner=True` of DATABASE_OWNER_URL's (the
    tables' owner, which Row Level Security does not hold: migrations, jobs and the operator's
    paths) when it is set, else DATABASE_URL's again."""
    url = (owner and settings.sqlalchemy_owner_url) or settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.llmobserve_data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    # The owner's pool serves a few occasional paths (start, jobs, /admin, webhooks): keep it small.
    pool_size = 2 if owner and settings.sqlalchemy_owner_url else settings.db_pool_size
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose transactions act for the account authentication gave them (`db.scope`)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    install_scoping(factory)
    return factory
