"""Durable batch writes: events inserted idempotently, rollups and runs updated in the same
transaction, so a 200 always means the events and their totals are committed together.

Each write is one `INSERT … ON CONFLICT` statement. On PostgreSQL the rows travel as one array
per column (`INSERT … SELECT FROM unnest(…)`): the statement text stays the same whatever the
batch size, so it is parsed and planned once, where a multi-row VALUES list of 100 rows × 26
columns costs more in query parsing than the insert itself. SQLite gets a plain executemany.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import Run, TraceEvent, UsageHourly
from llmobserve_server.ingest.rows import RunDelta, run_deltas, usage_deltas

_EVENTS: Table = TraceEvent.__table__  # type: ignore[assignment]
_USAGE: Table = UsageHourly.__table__  # type: ignore[assignment]
_RUNS: Table = Run.__table__  # type: ignore[assignment]

_USAGE_KEY = ("account_id", "hour", "provider", "model", "customer_id", "section", "agent")
_USAGE_SUMS = (
    "events",
    "unpriced_events",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost_usd",
)
_RUN_SUMS = ("events", "errors", "input_tokens", "output_tokens", "cost_usd")

# Receives the dialect's INSERT and adds its ON CONFLICT / RETURNING clauses.
Completion = Callable[[Any], Any]


def _upsert(
    db: DbSession, table: Table, rows: Sequence[dict[str, Any]], complete: Completion
) -> Result[Any]:
    columns = list(rows[0])
    if db.get_bind().dialect.name != "postgresql":
        return db.execute(complete(sqlite.insert(table)), list(rows))
    source = (
        func.unnest(
            *(bindparam(f"p_{c}", type_=postgresql.ARRAY(table.c[c].type)) for c in columns)
        )
        .table_valued(*columns)
        .render_derived(name="src")
    )
    statement = postgresql.insert(table).from_select(columns, select(*source.c))
    arrays = {f"p_{c}": [row[c] for row in rows] for c in columns}
    return db.execute(complete(statement), arrays)


def insert_events(db: DbSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the rows; the ids that were new. Ids already stored are left as they were."""
    if not rows:
        return set()
    result = _upsert(
        db,
        _EVENTS,
        rows,
        lambda insert: insert.on_conflict_do_nothing(index_elements=["account_id", "id"]).returning(
            _EVENTS.c.id
        ),
    )
    return set(result.scalars())


def add_to_usage(db: DbSession, account_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    deltas = usage_deltas(account_id, rows)
    if not deltas:
        return
    _upsert(
        db,
        _USAGE,
        deltas,
        lambda insert: insert.on_conflict_do_update(
            index_elements=list(_USAGE_KEY),
            set_={name: _USAGE.c[name] + insert.excluded[name] for name in _USAGE_SUMS},
        ),
    )


def add_to_runs(db: DbSession, account_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    deltas = run_deltas(rows)
    # A root span names its run; otherwise the first named event does until a root span arrives.
    named_by_root = [d for d in deltas if d.root_name is not None]
    named_otherwise = [d for d in deltas if d.root_name is None]
    if named_by_root:
        rows_by_root = [_run_row(account_id, d) for d in named_by_root]
        _upsert(db, _RUNS, rows_by_root, lambda insert: _on_run_conflict(insert, root_named=True))
    if named_otherwise:
        other_rows = [_run_row(account_id, d) for d in named_otherwise]
        _upsert(db, _RUNS, other_rows, lambda insert: _on_run_conflict(insert, root_named=False))


def _run_row(account_id: uuid.UUID, delta: RunDelta) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "run_id": delta.run_id,
        "name": delta.root_name or delta.any_name,
        "customer_id": delta.customer_id,
        "started_at": delta.started_at,
        "ended_at": delta.ended_at,
        **{name: getattr(delta, name) for name in _RUN_SUMS},
    }


def _on_run_conflict(insert: Any, *, root_named: bool) -> Any:
    excluded = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=["account_id", "run_id"],
        set_={
            "name": excluded.name if root_named else func.coalesce(_RUNS.c.name, excluded.name),
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
