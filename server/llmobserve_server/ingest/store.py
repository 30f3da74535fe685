"""Durable batch writes: events inserted idempotently, rollups and runs updated in the same
transaction, so a 200 always means the events and their totals are committed together."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Insert, Table, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import Run, TraceEvent, UsageHourly
from llmobserve_server.ingest.rows import RunDelta, run_deltas, usage_deltas

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
_USAGE_KEY = ("account_id", "hour", "provider", "model", "customer_id", "section", "agent")
_RUN_SUMS = ("events", "errors", "input_tokens", "output_tokens", "cost_usd")


def _insert(db: DbSession, table: Table) -> Any:
    """An INSERT that supports ON CONFLICT on both PostgreSQL and SQLite."""
    dialect = db.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_events(db: DbSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the rows; the ids that were new. Ids already stored are left as they were."""
    if not rows:
        return set()
    table = TraceEvent.__table__
    statement = (
        _insert(db, table)  # type: ignore[arg-type]
        .on_conflict_do_nothing(index_elements=["account_id", "id"])
        .returning(table.c.id)
    )
    return set(db.scalars(statement, rows))


def add_to_usage(db: DbSession, account_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    deltas = usage_deltas(account_id, rows)
    if not deltas:
        return
    table = UsageHourly.__table__
    statement: Insert = _insert(db, table)  # type: ignore[arg-type]
    excluded = statement.excluded  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=list(_USAGE_KEY),
        set_={name: table.c[name] + excluded[name] for name in _USAGE_SUMS},
    )
    db.execute(statement, deltas)


def add_to_runs(db: DbSession, account_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    deltas = run_deltas(rows)
    # A root span names its run; otherwise the first named event does until a root span arrives.
    named_by_root = [d for d in deltas if d.root_name is not None]
    named_otherwise = [d for d in deltas if d.root_name is None]
    for group, root in ((named_by_root, True), (named_otherwise, False)):
        if group:
            db.execute(_upsert_runs(db, root_named=root), [_run_row(account_id, d) for d in group])


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


def _upsert_runs(db: DbSession, *, root_named: bool) -> Any:
    table = Run.__table__
    statement = _insert(db, table)  # type: ignore[arg-type]
    excluded = statement.excluded
    name: ColumnElement[Any] = (
        excluded.name if root_named else func.coalesce(table.c.name, excluded.name)
    )
    return statement.on_conflict_do_update(
        index_elements=["account_id", "run_id"],
        set_={
            "name": name,
            "customer_id": func.coalesce(table.c.customer_id, excluded.customer_id),
            "started_at": case(
                (excluded.started_at < table.c.started_at, excluded.started_at),
                else_=table.c.started_at,
            ),
            "ended_at": case(
                (excluded.ended_at > table.c.ended_at, excluded.ended_at),
                else_=table.c.ended_at,
            ),
            **{col: table.c[col] + excluded[col] for col in _RUN_SUMS},
        },
    )
