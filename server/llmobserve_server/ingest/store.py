"""Durable batch writes: events inserted idempotently, rollups and runs updated in the same
transaction, so a 200 always means the events and their totals are committed together.

Each write is one `INSERT … ON CONFLICT` statement. On PostgreSQL the rows travel as one array
per column (`INSERT … SELECT FROM unnest(…)`): the statement text stays the same whatever the
batch size, so it is parsed and planned once, where a multi-row VALUES list of 100 rows × 26
columns costs more in query parsing than the insert itself. SQLite gets a plain executemany.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import Run, TraceEvent, UsageDaily, UsageHourly, UsageMonthly
from llmobserve_server.ingest.pg_arrays import Encoder, encoder_for
from llmobserve_server.ingest.rows import (
    ROLLUP_SUMS,
    RunDelta,
    daily_deltas,
    run_deltas,
    usage_deltas,
)

_EVENTS: Table = TraceEvent.__table__  # type: ignore[assignment]
_USAGE: Table = UsageHourly.__table__  # type: ignore[assignment]
_RUNS: Table = Run.__table__  # type: ignore[assignment]
_MONTHLY: Table = UsageMonthly.__table__  # type: ignore[assignment]
_DAILY: Table = UsageDaily.__table__  # type: ignore[assignment]

_USAGE_KEY = ("account_id", "hour", "provider", "model", "customer_id", "section", "agent")
_DAILY_KEY = ("account_id", "day", "dimension", "value", "provider", "model")
_RUN_SUMS = ("events", "errors", "input_tokens", "output_tokens", "cost_usd")

# Receives the dialect's INSERT and adds its ON CONFLICT / RETURNING clauses.
Completion = Callable[[Any], Any]

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_compiled_postgres: dict[tuple[str, tuple[str, ...]], tuple[str, list[Encoder]]] = {}


def _upsert(
    db: DbSession,
    name: str,
    table: Table,
    rows: Sequence[dict[str, Any]],
    complete: Completion,
) -> list[Any]:
    """Run the INSERT built by `complete` for `rows`; the RETURNING rows, if any.

    On PostgreSQL the statement is compiled once per `name` and column set, then executed on
    the driver's connection with each column sent as one binary array (ingest/pg_arrays.py):
    SQLAlchemy's per-call statement building and psycopg's element-by-element encoding of
    2,600 array items cost more than the insert itself."""
    columns = tuple(rows[0])
    if db.get_bind().dialect.name != "postgresql":
        result = db.execute(complete(sqlite.insert(table)), list(rows))
        return list(result) if isinstance(result, CursorResult) and result.returns_rows else []
    compiled = _compiled_postgres.get((name, columns))
    if compiled is None:
        compiled = _compiled_postgres[(name, columns)] = (
            _compile_unnest(db, table, columns, complete),
            [encoder_for(table.c[c].type) for c in columns],
        )
    sql, encoders = compiled
    arrays = {
        f"p_{c}": encode([row[c] for row in rows])
        for c, encode in zip(columns, encoders, strict=True)
    }
    driver_connection = db.connection().connection.driver_connection
    assert driver_connection is not None
    with driver_connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.fetchall() if cursor.description else []


def _compile_unnest(
    db: DbSession, table: Table, columns: tuple[str, ...], complete: Completion
) -> str:
    """`INSERT … SELECT FROM unnest(%(p_col)b::type[], …) …` with binary placeholders."""
    source = (
        func.unnest(
            *(bindparam(f"p_{c}", type_=postgresql.ARRAY(table.c[c].type)) for c in columns)
        )
        .table_valued(*columns)
        .render_derived(name="src")
    )
    statement = complete(postgresql.insert(table).from_select(list(columns), select(*source.c)))
    compiled = str(statement.compile(dialect=db.get_bind().dialect))
    return _PLACEHOLDER.sub(r"%(\1)b", compiled)


def insert_events(db: DbSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the rows; the ids that were new. Ids already stored are left as they were.

    Rows go in id order: two batches sharing ids (a resend racing its original) then wait for
    each other in the same order instead of deadlocking on each other's uncommitted rows."""
    if not rows:
        return set()
    returned = _upsert(
        db,
        "events",
        _EVENTS,
        sorted(rows, key=lambda row: row["id"]),
        lambda insert: insert.on_conflict_do_nothing(index_elements=["account_id", "id"]).returning(
            _EVENTS.c.id
        ),
    )
    return {row[0] for row in returned}


def add_to_usage(
    db: DbSession, account_id: uuid.UUID, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Add the rows to the hourly rollup; the hourly deltas (`add_to_daily` sums them up)."""
    deltas = usage_deltas(account_id, rows)
    if deltas:
        _upsert(db, "usage", _USAGE, deltas, _adding(_USAGE, _USAGE_KEY))
    return deltas


def add_to_daily(db: DbSession, hourly_deltas: list[dict[str, Any]]) -> None:
    """Add the batch's hourly deltas to the daily slices. Call it after the runs, just before
    the month's counter: the all-events slice has a handful of rows per account and day that
    every batch updates, so their locks are best held only until the commit."""
    deltas = daily_deltas(hourly_deltas)
    if deltas:
        _upsert(db, "daily", _DAILY, deltas, _adding(_DAILY, _DAILY_KEY))


def _adding(table: Table, key: tuple[str, ...]) -> Completion:
    """ON CONFLICT on `key`: add the new row's sums to the stored ones."""
    return lambda insert: insert.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + insert.excluded[name] for name in ROLLUP_SUMS},
    )


def add_to_runs(db: DbSession, account_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    """Add the batch to its runs' totals. Runs come in run-id order (see `run_deltas`), so every
    batch locks them in one order and none can deadlock."""
    deltas = run_deltas(rows)
    if deltas:
        _upsert(db, "runs", _RUNS, [_run_row(account_id, d) for d in deltas], _on_run_conflict)


def add_to_month(db: DbSession, account_id: uuid.UUID, month: datetime, events: int) -> int:
    """Add `events` to the account's count for `month` (the quota's counter); the new count.

    Call it last before the commit: the row is hot (every batch of the account updates it) and
    its lock is held from here to the commit. Under that lock the returned count is exact, so
    the batches' [count - events, count] intervals tile the month without gaps or overlaps."""
    returned = _upsert(
        db,
        "monthly",
        _MONTHLY,
        [{"account_id": account_id, "month": month, "events": events}],
        lambda insert: insert.on_conflict_do_update(
            index_elements=["account_id", "month"],
            set_={"events": _MONTHLY.c.events + insert.excluded.events},
        ).returning(_MONTHLY.c.events),
    )
    return int(returned[0][0])


def _run_row(account_id: uuid.UUID, delta: RunDelta) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "run_id": delta.run_id,
        "name": delta.root_name or delta.any_name,
        "name_from_root": delta.root_name is not None,
        "customer_id": delta.customer_id,
        "started_at": delta.started_at,
        "ended_at": delta.ended_at,
        **{name: getattr(delta, name) for name in _RUN_SUMS},
    }


def _on_run_conflict(insert: Any) -> Any:
    """A root span (no parent) names its run; until one arrives, the first named event does."""
    excluded = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=["account_id", "run_id"],
        set_={
            "name": case(
                (excluded.name_from_root, excluded.name),
                (_RUNS.c.name_from_root, _RUNS.c.name),
                else_=func.coalesce(_RUNS.c.name, excluded.name),
            ),
            "name_from_root": _RUNS.c.name_from_root | excluded.name_from_root,
            "customer_id": func.coalesce(_RUNS.c.customer_id, excluded.customer_id),
            "started_at": case(
                (excluded.started_at < _RUNS.c.started_at, excluded.started_at),
                else_=_RUNS.c.started_at,
            ),
            "ended_at": case(
                (excluded.ended_at > _RUNS.c.ended_at, excluded.ended_at),
                else_=_RUNS.c.ended_at,
            ),
            **{col: _RUNS.c[col] + excluded[col] for col in _RUN_SUMS},
        },
    )
