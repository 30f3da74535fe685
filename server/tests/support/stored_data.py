"""Accounts, events, rollups and runs written straight to a database, at any age: for jobs that
act on stored data (retention), where going through HTTP would only add time."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Session

from llmobserve_server.db.models import (
    Account,
    Run,
    TraceEvent,
    UsageDaily,
    UsageHourly,
    UsageMonthly,
)

_ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]


def add_account(engine: Engine, tier: str) -> uuid.UUID:
    account_id = uuid.uuid4()
    # A Core insert of these columns only: the test may run at an older revision, before
    # columns the model has now (accounts.budgets_version, 013_budgets).
    with engine.begin() as connection:
        connection.execute(
            insert(_ACCOUNTS).values(
                id=account_id,
                name=f"{tier} account",
                subscription_tier=tier,
                created_at=datetime.now(timezone.utc),
            )
        )
    return account_id


def set_tier(engine: Engine, account_id: uuid.UUID, tier: str) -> None:
    with engine.begin() as connection:  # Core, like add_account: any revision's columns
        connection.execute(
            update(_ACCOUNTS).where(_ACCOUNTS.c.id == account_id).values(subscription_tier=tier)
        )


def add_event(engine: Engine, account_id: uuid.UUID, at: datetime) -> uuid.UUID:
    event_id = uuid.uuid4()
    with Session(engine) as db, db.begin():
        db.add(
            TraceEvent(
                account_id=account_id,
                id=event_id,
                timestamp=at,
                received_at=at,
                run_id=f"run-{event_id.hex[:8]}",
                span_id=event_id.hex[:16],
                cost_usd=Decimal("0.01"),
                cost_source="client",
            )
        )
    return event_id


ONE_EVENT_SUMS = {
    "events": 1,
    "unpriced_events": 0,
    "input_tokens": 1,
    "cached_input_tokens": 0,
    "cache_write_input_tokens": 0,
    "output_tokens": 1,
    "reasoning_tokens": 0,
    "cost_usd": Decimal("0.01"),
}
"""A rollup row's sums (db.models.RollupSums) for one small priced event."""


def add_hour(engine: Engine, account_id: uuid.UUID, hour: datetime, model: str = "m") -> None:
    """One usage_hourly row, written with the columns the database has (at any revision)."""
    row = {
        "account_id": account_id,
        "hour": hour,
        "provider": "openai",
        "model": model,
        "customer_id": "",
        "section": "",
        "agent": "",
        **ONE_EVENT_SUMS,
    }
    with engine.begin() as connection:
        insert_as_stored(connection, UsageHourly.__table__, [row])


def insert_as_stored(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` into `table` with only the columns the database's table has now: a
    database at an older revision lacks the columns later migrations add."""
    present = {column["name"] for column in inspect(connection).get_columns(table.name)}
    kept = [{name: value for name, value in row.items() if name in present} for row in rows]
    columns = [sql_column(c.name, c.type) for c in table.columns if c.name in present]
    connection.execute(sql_table(table.name, *columns).insert(), kept)


def add_run(engine: Engine, account_id: uuid.UUID, started_at: datetime, ended_at: datetime) -> str:
    run_id = f"run-{uuid.uuid4().hex[:12]}"
    with Session(engine) as db, db.begin():
        db.add(
            Run(
                account_id=account_id,
                run_id=run_id,
                started_at=started_at,
                ended_at=ended_at,
                events=1,
                errors=0,
                input_tokens=1,
                output_tokens=1,
                cost_usd=Decimal("0.01"),
            )
        )
    return run_id


def add_month(engine: Engine, account_id: uuid.UUID, month: datetime) -> None:
    with Session(engine) as db, db.begin():
        db.add(UsageMonthly(account_id=account_id, month=month, events=1))


def add_day(engine: Engine, account_id: uuid.UUID, day: datetime) -> None:
    """One row of the daily rollup's all-events slice, for `day` (a UTC midnight)."""
    with Session(engine) as db, db.begin():
        db.add(
            UsageDaily(
                account_id=account_id,
                day=day,
                dimension="",
                value="",
                provider="openai",
                model="m",
                **ONE_EVENT_SUMS,
            )
        )


def hour_start(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def stored_event_ids(engine: Engine, account_id: uuid.UUID) -> set[uuid.UUID]:
    with Session(engine) as db:
        query = select(TraceEvent.id).where(TraceEvent.account_id == account_id)
        return set(db.scalars(query))


def stored_hours(engine: Engine, account_id: uuid.UUID) -> set[datetime]:
    with Session(engine) as db:
        query = select(UsageHourly.hour).where(UsageHourly.account_id == account_id)
        return set(db.scalars(query))


def stored_days(engine: Engine, account_id: uuid.UUID) -> set[datetime]:
    with Session(engine) as db:
        query = select(UsageDaily.day).where(UsageDaily.account_id == account_id)
        return set(db.scalars(query))


def stored_run_ids(engine: Engine, account_id: uuid.UUID) -> set[str]:
    with Session(engine) as db:
        return set(db.scalars(select(Run.run_id).where(Run.account_id == account_id)))


def stored_months(engine: Engine, account_id: uuid.UUID) -> int:
    with Session(engine) as db:
        query = select(func.count()).where(UsageMonthly.account_id == account_id)
        return int(db.scalar(query) or 0)


DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
