"""The rollups' keys come from their tables' primary keys (db.models), not from lists written out
again in ingest: a column added to a rollup table, or a key changed, either reaches the deltas
and the upserts or fails here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, create_engine, func, select
from sqlalchemy.orm import Session

from llmobserve_server.billing.quota import month_start
from llmobserve_server.db.base import Base
from llmobserve_server.db.models import Run, UsageDaily, UsageHourly, UsageMonthly
from llmobserve_server.ingest.rows import daily_deltas, event_row, usage_deltas
from llmobserve_server.ingest.store import commit_with_rollups, insert_events
from llmobserve_server.ingest.validation import validate_batch
from llmobserve_server.pricing import PricedEvent

ACCOUNT = uuid.UUID("00000000-0000-0000-0000-00000000000a")
T0 = datetime(2026, 11, 25, 10, 15, tzinfo=timezone.utc)
PRICED = PricedEvent(Decimal("0.0010000000"), "catalog")


def rows(count: int) -> list[dict[str, Any]]:
    dimensions = {"run_id": "r", "provider": "openai", "model": "gpt", "customer_id": "c"}
    wire = [
        {"id": str(uuid.UUID(int=n + 1)), "timestamp": T0.isoformat(), **dimensions}
        for n in range(count)
    ]
    batch = validate_batch(wire, now=T0)
    return [event_row(e, PRICED, account_id=ACCOUNT, received_at=T0) for e in batch.valid]


def columns(model: type[Base]) -> set[str]:
    table: Table = model.__table__  # type: ignore[assignment]
    return set(table.columns.keys())


def test_hourly_deltas_carry_exactly_the_columns_of_usage_hourly() -> None:
    (delta,) = usage_deltas(ACCOUNT, rows(2))
    assert set(delta) == columns(UsageHourly)


def test_daily_deltas_carry_exactly_the_columns_of_usage_daily() -> None:
    for delta in daily_deltas(usage_deltas(ACCOUNT, rows(2))):
        assert set(delta) == columns(UsageDaily)


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def store(db: Session, new_rows: list[dict[str, Any]]) -> None:
    inserted = insert_events(db, new_rows)
    stored = [row for row in new_rows if row["id"] in inserted]
    commit_with_rollups(db, ACCOUNT, stored, month=month_start(T0), counted=len(stored))


def test_batches_of_one_key_add_to_the_same_rollup_and_run_rows(db: Session) -> None:
    """Each upsert's ON CONFLICT target is its table's primary key: on SQLite a target that is
    not exactly a key of the table is an error."""
    first, second = rows(3), rows(5)[3:]

    store(db, first)
    store(db, second)

    for model in (UsageHourly, Run, UsageMonthly):
        ((count, events),) = db.execute(select(func.count(), func.sum(model.events))).all()
        assert (count, events) == (1, 5), model.__name__
    by_slice = db.execute(
        select(UsageDaily.dimension, UsageDaily.events).order_by(UsageDaily.dimension)
    ).all()
    assert [tuple(row) for row in by_slice] == [
        ("", 5),
        ("agent", 5),
        ("customer", 5),
        ("section", 5),
    ]
