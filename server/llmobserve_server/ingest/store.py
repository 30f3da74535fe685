"""Durable batch writes: events inserted idempotently, rollups and runs updated in the same
transaction, so a 200 always means the events and their totals are committed together.

Each write is one `INSERT … ON CONFLICT` statement. On PostgreSQL the rows travel as one array
per column (`INSERT … SELECT FROM unnest(…)`): the statement text stays the same whatever the
batch size, so it is parsed and planned once, where a multi-row VALUES list of 100 rows × 26
columns costs more in query parsing than the insert itself. SQLite gets a plain executemany.

A group of batches (ingest/group_store.py) takes, per account, one round trip for the events
(with the statement that scopes the transaction to the account, for Row Level Security: one
account's rows per statement), then one pipeline for every account's rollups and the COMMIT
(`commit_rollups`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.quota import is_counted
from llmobserve_server.db.models import Run, TraceEvent, UsageDaily, UsageHourly, UsageMonthly
from llmobserve_server.db.scope import ACCOUNT_SETTING
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


Statement = tuple[str, dict[str, Any]]


def _pipeline(db: DbSession, statements: list[Statement], *, commit: bool) -> list[list[Any]]:
    """Send the statements (and a COMMIT) in one psycopg pipeline (one round trip); each
    statement's RETURNING rows. If a statement fails, PostgreSQL skips the rest, the COMMIT
    included, and the error is raised here with the transaction left to roll back."""
    connection = _driver_connection(db)
    cursors = [connection.cursor() for _ in statements]
    try:
        with connection.pipeline():
            for cursor, (sql, arrays) in zip(cursors, statements, strict=True):
                cursor.execute(sql, arrays)
            if commit:
                connection.execute("COMMIT")
        return [cursor.fetchall() if cursor.description else [] for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _scope(account_id: uuid.UUID) -> Statement:
    """The statement that makes `account_id` the transaction's (db/scope.py): Row Level Security
    then accepts that account's rows, so each account's writes follow their own."""
    return _SET_ACCOUNT, {"account_id": str(account_id)}


_SET_ACCOUNT = f"SELECT set_config('{ACCOUNT_SETTING}', %(account_id)s, true)"


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


def insert_events(
    db: DbSession, rows: list[dict[str, Any]], *, account_id: uuid.UUID | None = None
) -> set[uuid.UUID]:
    """Insert the rows (all of one account); the ids that were new. Ids already stored are left
    as they were. With `account_id`, on PostgreSQL the transaction is first scoped to it, in the
    same round trip.

    Rows go in id order: two batches sharing ids (a resend racing its original) then wait for
    each other in the same order instead of deadlocking on each other's uncommitted rows."""
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda row: row["id"])
    if db.get_bind().dialect.name != "postgresql":
        returned = _execute_sqlite(db, _EVENTS_INSERT, ordered)
    elif account_id is None:
        returned = _upsert(db, _EVENTS_INSERT, ordered)
    else:
        statement = _postgres_statement(db, _EVENTS_INSERT, ordered)
        returned = _pipeline(db, [_scope(account_id), statement], commit=False)[-1]
    return {row[0] for row in returned}


def stored_ids(db: DbSession, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` the transaction's account has stored already (committed, or earlier in
    this transaction)."""
    if not ids:
        return set()
    found = db.execute(select(TraceEvent.id).where(TraceEvent.id.in_(list(ids))))
    return {row[0] for row in found}


@dataclass(frozen=True)
class AccountRollups:
    """One account's part of a commit: its newly stored rows, and the events each month's
    quota count gains (`billing.quota.is_counted` of those rows, by month of receipt)."""

    account_id: uuid.UUID
    new_rows: list[dict[str, Any]]
    counted: dict[datetime, int]


def commit_with_rollups(
    db: DbSession,
    account_id: uuid.UUID,
    new_rows: list[dict[str, Any]],
    *,
    month: datetime,
    counted: int,
) -> int | None:
    """`commit_rollups` for one account and month: the month's count after the batch (None when
    `counted` is 0)."""
    counts = commit_rollups(db, [AccountRollups(account_id, new_rows, {month: counted})])
    return counts.get((account_id, month)) if counted else None


def commit_rollups(
    db: DbSession, accounts: list[AccountRollups]
) -> dict[tuple[uuid.UUID, datetime], int]:
    """Add each account's newly stored events to the hourly and daily rollups, their runs'
    totals and the months' quota counts, and commit; each (account, month)'s count after the
    commit, for the months that gained any.

    The rollups' rows are shared by every batch of an account (the current hour's combinations,
    the day's slices, the month's counter), and each upsert holds its rows' locks until the
    commit. Every delta is therefore computed and encoded before the first of them, and on
    PostgreSQL the upserts and the COMMIT go to the server in one pipeline: the locks are held
    for PostgreSQL's own work and the commit's WAL flush only, never across a round trip or a
    wait for the GIL behind another request's Python. Every transaction locks in one order, so
    that concurrent ones queue instead of deadlocking: accounts by id, and within an account
    from the rows the fewest batches share to the ones all share (runs, hourly rows, the daily
    slices as `daily_deltas` orders them, the month's counter), so that the most shared are
    held for the least time.

    On a plan with a limit the month's counter was locked already, before the room was computed
    (billing/quota.py: `lock_month_count`): such transactions of one account hold it for their
    whole length and so take every other lock one at a time. Unlimited plans lock it here, last,
    as above.

    Under the counter's lock the returned count is exact, so the batches' [count - counted,
    count] intervals tile the month without gaps or overlaps (the usage emails rely on it)."""
    postgres = db.get_bind().dialect.name == "postgresql"
    statements: list[Statement] = []
    sqlite_writes: list[tuple[Upsert, list[dict[str, Any]]]] = []
    counting: list[int] = []  # the positions of the monthly counters' statements
    for account in sorted(accounts, key=lambda account: account.account_id):
        writes = _rollup_writes(account)
        if not writes:
            continue
        if postgres:
            statements.append(_scope(account.account_id))
            for upsert, rows in writes:
                if upsert is _MONTHLY_UPSERT:
                    counting.append(len(statements))
                statements.append(_postgres_statement(db, upsert, rows))
        else:
            sqlite_writes += writes
    results: list[list[Any]]
    if postgres:
        # Whatever the Session still holds (the key's last_used_at) is written inside this
        # transaction: after the pipeline's COMMIT it must have nothing left to flush.
        db.flush()
        returned = _pipeline(db, statements, commit=True)
        results = [returned[position] for position in counting]
    else:
        results = []
        for upsert, rows in sqlite_writes:
            returned_rows = _execute_sqlite(db, upsert, rows)
            if upsert is _MONTHLY_UPSERT:
                results.append(returned_rows)
    db.commit()  # on PostgreSQL the pipeline committed: this only ends the Session's transaction
    return {
        (_as_uuid(account_id), _as_month(month)): int(events)
        for returned_rows in results
        for account_id, month, events in returned_rows
    }


def _rollup_writes(account: AccountRollups) -> list[tuple[Upsert, list[dict[str, Any]]]]:
    account_id, new_rows = account.account_id, account.new_rows
    # Span markers are structure: they make their runs, but are no events in any sum.
    hourly = usage_deltas(account_id, [row for row in new_rows if is_counted(row)])
    runs = run_deltas(new_rows, counted=is_counted)
    months = sorted((month, events) for month, events in account.counted.items() if events)
    writes = [
        (_RUNS_UPSERT, [_run_row(account_id, delta) for delta in runs]),
        (_HOURLY_UPSERT, hourly),
        (_DAILY_UPSERT, daily_deltas(hourly)),
        (
            _MONTHLY_UPSERT,
            [{"account_id": account_id, "month": month, "events": n} for month, n in months],
        ),
    ]
    return [(upsert, rows) for upsert, rows in writes if rows]


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_month(value: Any) -> datetime:
    """A month as RETURNING gives it back: aware on PostgreSQL, naive UTC on SQLite."""
    month = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(month, datetime)
    return month if month.tzinfo else month.replace(tzinfo=timezone.utc)


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
    """The month's counter: add to it, and return the count after (with its key)."""
    return insert.on_conflict_do_update(
        index_elements=list(_MONTHLY.primary_key.columns),
        set_={"events": _MONTHLY.c.events + insert.excluded.events},
    ).returning(_MONTHLY.c.account_id, _MONTHLY.c.month, _MONTHLY.c.events)


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
