"""Migration 014: the new usage counts (1-hour cache writes, audio tokens) on events and both
rollups, and the service tier on events. Rows stored before it read 0 and no tier (right: the
counts are parts of wholes that already count those tokens); the downgrade drops the columns
and keeps the rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import downgrade, upgrade
from llmobserve_server.db.models import TraceEvent, UsageHourly
from llmobserve_server.ingest.rows import event_row, usage_deltas
from llmobserve_server.ingest.schema import EventIn
from llmobserve_server.pricing import PricedEvent
from tests.support.databases import database_for
from tests.support.stored_data import add_account, insert_as_stored

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
NEW_COUNTS = ("cache_write_1h_input_tokens", "input_audio_tokens", "output_audio_tokens")


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with database_for(backend, "migration014") as url:
        engine = create_db_engine(Settings(database_url=url, llmobserve_data_dir=tmp_path))
        yield engine
        engine.dispose()


def _store_before_014(engine: Engine) -> uuid.UUID:
    account = add_account(engine, "free")
    event = EventIn.model_validate(
        {
            "id": str(uuid.uuid4()),
            "timestamp": WHEN.isoformat(),
            "provider": "anthropic",
            "model": "claude-haiku-4-5",
            "input_tokens": 1000,
            "cache_write_input_tokens": 500,
            "output_tokens": 10,
        }
    )
    row = event_row(
        event, PricedEvent(Decimal("0.001"), "catalog"), account_id=account, received_at=WHEN
    )
    with engine.begin() as connection:
        insert_as_stored(connection, TraceEvent.__table__, [row])
        insert_as_stored(connection, UsageHourly.__table__, usage_deltas(account, [row]))
    return account


def test_rows_stored_before_read_zero_and_no_tier(engine: Engine) -> None:
    upgrade(engine, "012")
    account = _store_before_014(engine)

    upgrade(engine, "014")

    with Session(engine) as db:
        event = db.scalars(select(TraceEvent).where(TraceEvent.account_id == account)).one()
        hour = db.scalars(select(UsageHourly).where(UsageHourly.account_id == account)).one()
    assert [getattr(event, name) for name in NEW_COUNTS] == [0, 0, 0]
    assert event.service_tier is None
    assert (event.cache_write_input_tokens, event.input_tokens) == (500, 1000)
    assert [getattr(hour, name) for name in NEW_COUNTS] == [0, 0, 0]


def test_downgrade_drops_the_columns_and_keeps_the_rows(engine: Engine) -> None:
    upgrade(engine, "012")
    account = _store_before_014(engine)
    upgrade(engine, "014")

    downgrade(engine, "012")

    columns = {column["name"] for column in inspect(engine).get_columns("trace_events")}
    assert not columns & {*NEW_COUNTS, "service_tier"}
    with engine.connect() as connection:
        stored = (
            connection.execute(
                select(TraceEvent.__table__.c.input_tokens).where(
                    TraceEvent.__table__.c.account_id == account
                )
            )
            .scalars()
            .all()
        )
    assert stored == [1000]
