"""Durable batch writes: events inserted idempotently, rollups and runs updated in the same
transaction, so a 200 always means the events and their totals are committed together.

Each write is one `INSERT … ON CONFLICT` statement. On PostgreSQL the rows travel as one array
per column (`INSERT … SELECT FROM unnest(…)`): the statement text stays the same whatever the
batch size, so it is parsed and planned once, where a multi-row VALUES list of 100 rows × 26
columns costs more in query parsing than the insert itself. SQLite gets a plain executemany.

A batch takes two round trips: the events (whose RETURNING ids say which are new), then the
rollups of the new ones with the COMMIT in one pipeline (`commit_with_rollups`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.quota import is_counted
from llmobserve_server.db.models import Run, TraceEvent, UsageDaily, UsageHourly, UsageMonthly
from llmobserve_server.ingest.pg_arrays import EncodedArray, Encoder, encoder_for
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

_RUN_SUMS = ("events", "errors", "input_tokens", "output_tokens", "cost_usd")

# Receives the dialect's INSERT and adds its ON CONFLICT / RETURNING clauses.
Completion = Callable[[Any], Any]


@dataclass(frozen=True)
class Upsert:
    """One of the batch's INSERT … ON CONFLICT statements: its table, and what `complete` adds
    to the dialect's INSERT. `name` keys the compiled statement's cache."""

    name: str
    table: Table
    complete: Completion


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_compiled_postgres: dict[tuple[str, tuple[str, ...]], tuple[str, list[Encoder]]] = {}


def _upsert(db: DbSession, upsert: Upsert, rows: Sequence[dict[str, Any]]) -> list[Any]:
    """Run `upsert` for `rows` on its own; the RETURNING rows, if any."""
    if db.get_bind().dialect.name != "postgresql":
        return _execute_sqlite(db, upsert, rows)
    sql, arrays = _postgres_statement(db, upsert, rows)
    with _driver_connection(db).cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.fetchall() if cursor.description else []


def _execute_sqlite(db: DbSession, upsert: Upsert, rows: Sequence[dict[str, Any]]) -> list[Any]:
    result = db.execute(upsert.complete(sqlite.insert(upsert.table)), list(rows))
    return list(result) if isinstance(result, CursorResult) and result.returns_rows else []


def _postgres_statement(
    db: DbSession, upsert: Upsert, rows: Sequence[dict[str, Any]]
) -> tuple[str, dict[str, EncodedArray]]:
    """The statement's SQL and its parameters: each column as one binary array.

    The SQL is compiled once per statement and column set, then executed on the driver's
    connection (ingest/pg_arrays.py): SQLAlchemy's per-call statement building and psycopg's
    element-by-element encoding of 2,600 array items cost more than the insert itself."""
    columns = tuple(rows[0])
    compiled = _compiled_postgres.get((upsert.name, columns))
    if compiled is None:
        table = upsert.table
        compiled = _compiled_postgres[(upsert.name, columns)] = (
            _compile_unnest(db, table, columns, upsert.complete),
            [encoder_for(table.c[c].type) for c in columns],
        )
    sql, encoders = compiled
    arrays = {
        f"p_{c}": encode([row[c] for row in rows])
        for c, encode in zip(columns, encoders, strict=True)
    }
    return sql, arrays


def _pipeline_with_commit(
    db: DbSession, statements: list[tuple[str, dict[str, EncodedArray]]]
) -> list[Any]:
    """Send the statements and a COMMIT in one psycopg pipeline (one round trip); the last
    statement's RETURNING rows. If a statement fails, PostgreSQL skips the rest, the COMMIT
    included, and the error is raised here with the transaction left to roll back."""
    connection = _driver_connection(db)
    cursors = [connection.cursor() for _ in statements]
    try:
        with connection.pipeline():
            for cursor, (sql, arrays) in zip(cursors, statements, strict=True):
                cursor.execute(sql, arrays)
            connection.execute("COMMIT")
        last = cursors[-1] if cursors else None
        return last.fetchall() if last is not None and last.description else []
    finally:
        for cursor in cursors:
            cursor.close()


def _driver_connection(db: DbSession) -> Any:
    driver_connection = db.connection().connection.driver_connection
    assert driver_connection is not None
    return driver_connection


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
    returned = _upsert(db, _EVENTS_INSERT, sorted(rows, key=lambda row: row["id"]))
    return {row[0] for row in returned}


def commit_with_rollups(
    db: DbSession,
    account_id: uuid.UUID,
    new_rows: list[dict[str, Any]],
    *,
    month: datetime,
    counted: int,
) -> int | None:
    """Add the batch's newly stored events to the hourly and daily rollups, their runs' totals
    and the month's quota count, and commit; the month's count after the batch (None when
    `counted` is 0).

    The rollups' rows are shared by every batch of an account (the current hour's combinations,
    the day's slices, the month's counter), and each upsert holds its rows' locks until the
    commit. Every delta is therefore computed and encoded before the first of them, and on
    PostgreSQL the upserts and the COMMIT go to the server in one pipeline: the locks are held
    for PostgreSQL's own work and the commit's WAL flush only, never across a round trip or a
    wait for the GIL behind another request's Python. Every batch locks in one order, so that
    concurrent batches queue instead of deadlocking: from the rows the fewest batches share to
    the ones all share (runs, hourly rows, the daily slices as `daily_deltas` orders them, the
    month's counter), so that the most shared are held for the least time.

    On a plan with a limit the month's counter was locked already, before the room was computed
    (billing/quota.py: `lock_room`): such batches of one account hold it for their whole
    transaction and so take every other lock one batch at a time. Unlimited plans lock it here,
    last, as above.

    Under the counter's lock the returned count is exact, so the batches' [count - counted,
    count] intervals tile the month without gaps or overlaps (the usage emails rely on it)."""
    # Span markers are structure: they make their runs, but are no events in any sum.
    hourly = usage_deltas(account_id, [row for row in new_rows if is_counted(row)])
    runs = run_deltas(new_rows, counted=is_counted)
    writes = [
        (_RUNS_UPSERT, [_run_row(account_id, delta) for delta in runs]),
        (_HOURLY_UPSERT, hourly),
        (_DAILY_UPSERT, daily_deltas(hourly)),
    ]
    if counted:
        writes.append(
            (_MONTHLY_UPSERT, [{"account_id": account_id, "month": month, "events": counted}])
        )
    writes = [(upsert, rows) for upsert, rows in writes if rows]
    if db.get_bind().dialect.name == "postgresql":
        statements = [_postgres_statement(db, upsert, rows) for upsert, rows in writes]
        # Whatever the Session still holds (the key's last_used_at) is written inside this
        # transaction: after the pipeline's COMMIT it must have nothing left to flush.
        db.flush()
        returned = _pipeline_with_commit(db, statements)
    else:
        returned = []
        for upsert, rows in writes:
            returned = _execute_sqlite(db, upsert, rows)
    db.commit()  # on PostgreSQL the pipeline committed: this only ends the Session's transaction
    return int(returned[0][0]) if counted else None


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
        index_elements=list(_RUNS.primary_key.columns),
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


def _adding(table: Table) -> Completion:
    """ON CONFLICT on the table's primary key: add the new row's sums to the stored ones."""
    return lambda insert: insert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={name: table.c[name] + insert.excluded[name] for name in ROLLUP_SUMS},
    )


def _counting(insert: Any) -> Any:
    """The month's counter: add to it, and return the count after."""
    return insert.on_conflict_do_update(
        index_elements=list(_MONTHLY.primary_key.columns),
        set_={"events": _MONTHLY.c.events + insert.excluded.events},
    ).returning(_MONTHLY.c.events)


_EVENTS_INSERT = Upsert(
    "events",
    _EVENTS,
    lambda insert: insert.on_conflict_do_nothing(
        index_elements=list(_EVENTS.primary_key.columns)
    ).returning(_EVENTS.c.id),
)
_HOURLY_UPSERT = Upsert("usage", _USAGE, _adding(_USAGE))
_RUNS_UPSERT = Upsert("runs", _RUNS, _on_run_conflict)
_DAILY_UPSERT = Upsert("daily", _DAILY, _adding(_DAILY))
_MONTHLY_UPSERT = Upsert("monthly", _MONTHLY, _counting)
