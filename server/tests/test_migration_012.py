"""Migration 012: the self_hosted tier becomes allowed, and the span markers that ingestion used
to count are taken out of the stored rollups and runs, exactly as today's ingestion writes them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from llmobserve_server.billing.quota import is_counted
from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import downgrade, upgrade
from llmobserve_server.db.models import Run, TraceEvent, UsageDaily, UsageHourly
from llmobserve_server.ingest.rows import daily_deltas, event_row, run_deltas, usage_deltas
from llmobserve_server.ingest.schema import EventIn
from llmobserve_server.pricing import PricedEvent
from tests.support.databases import database_for
from tests.support.stored_data import add_account, insert_as_stored, set_tier

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with database_for(backend, "migration012") as url:
        engine = create_db_engine(Settings(database_url=url, llmobserve_data_dir=tmp_path))
        yield engine
        engine.dispose()


def _row(account: uuid.UUID, priced: PricedEvent, **fields: Any) -> dict[str, Any]:
    event = EventIn.model_validate(
        {"id": str(uuid.uuid4()), "timestamp": WHEN.isoformat(), "run_id": "r", **fields}
    )
    return event_row(event, priced, account_id=account, received_at=WHEN)


def _rows(account: uuid.UUID) -> list[dict[str, Any]]:
    """A run as the SDK sends it: three markers (unpriced, as markers always are) and a call."""
    unknown = PricedEvent(Decimal(0), "unknown_model")
    call = PricedEvent(Decimal("0.002"), "catalog")
    return [
        _row(account, unknown, operation="run", name="run", span_id="r1"),
        _row(account, unknown, operation="section", span_id="s1", section="support"),
        _row(account, unknown, operation="agent", span_id="a1", section="support", agent="bot"),
        _row(
            account,
            call,
            operation="chat",
            provider="openai",
            model="gpt-4o-mini",
            input_tokens=10,
            span_id="c1",
            section="support",
            agent="bot",
        ),
    ]


def _write_as_before_012(engine: Engine, account: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    """What ingestion stored before 012: every row, markers included, in every sum."""
    hourly = usage_deltas(account, rows)
    runs = [
        {
            "account_id": account,
            "run_id": delta.run_id,
            "name": delta.root_name,
            "name_from_root": True,
            "customer_id": None,
            "started_at": delta.started_at,
            "ended_at": delta.ended_at,
            "events": delta.events,
            "errors": delta.errors,
            "input_tokens": delta.input_tokens,
            "output_tokens": delta.output_tokens,
            "cost_usd": delta.cost_usd,
        }
        for delta in run_deltas(rows)
    ]
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (TraceEvent, rows),
        (UsageHourly, hourly),
        (UsageDaily, daily_deltas(hourly)),
        (Run, runs),
    ]
    with engine.begin() as connection:
        for model, values in tables:
            table: Table = model.__table__
            insert_as_stored(connection, table, values)


def test_upgrading_takes_the_markers_out_of_the_rollups(engine: Engine) -> None:
    upgrade(engine, "011")
    before = add_account(engine, "free")
    rows = _rows(before)
    _write_as_before_012(engine, before, rows)

    upgrade(engine, "012")

    # What today's ingestion would have written for the same events, in a second account.
    expected = add_account(engine, "free")
    counted = [dict(row, account_id=expected) for row in rows if is_counted(row)]
    hourly = usage_deltas(expected, counted)
    with engine.begin() as connection:
        insert_as_stored(connection, UsageHourly.__table__, hourly)
        insert_as_stored(connection, UsageDaily.__table__, daily_deltas(hourly))

    for model, key in (
        (UsageHourly, (UsageHourly.provider, UsageHourly.model, UsageHourly.section)),
        (UsageDaily, (UsageDaily.dimension, UsageDaily.value, UsageDaily.model)),
    ):
        migrated = _sums_of(engine, model, key, before)
        fresh = _sums_of(engine, model, key, expected)
        assert migrated == fresh and migrated, model.__tablename__
    with Session(engine) as db:
        assert db.scalar(select(Run.events).where(Run.account_id == before)) == 1


def _sums_of(
    engine: Engine, model: Any, key: tuple[Any, ...], account: uuid.UUID
) -> list[tuple[Any, ...]]:
    with Session(engine) as db:
        return sorted(
            tuple(row)
            for row in db.execute(
                select(*key, model.events, model.unpriced_events, model.cost_usd).where(
                    model.account_id == account
                )
            )
        )


def test_the_self_hosted_tier_is_allowed_after_012_only(engine: Engine) -> None:
    upgrade(engine, "011")
    with pytest.raises(IntegrityError):
        add_account(engine, "self_hosted")
    upgrade(engine, "012")
    account = add_account(engine, "self_hosted")
    with pytest.raises(RuntimeError, match="set-tier"):
        downgrade(engine, "011")
    set_tier(engine, account, "free")
    downgrade(engine, "011")
    with pytest.raises(IntegrityError):
        add_account(engine, "self_hosted")
