"""Migrations: up, down and up again on both databases; the models match the migrations;
replicas migrating at once do not trip over each other."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, Engine, String, Uuid, column, inspect, select, table, text
from sqlalchemy.orm import Session

from llmobserve_server.config import Settings
from llmobserve_server.db.base import Base
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.migrate import current_revision, downgrade, head_revision, upgrade
from llmobserve_server.db.models import UsageDaily
from tests.support.databases import app_role, database_for
from tests.support.stored_data import DAY, HOUR, add_hour


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    with database_for(backend, "migrations") as url:
        yield Settings(database_url=url, llmobserve_data_dir=tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    yield engine
    engine.dispose()


def test_upgrade_creates_every_table_of_the_models(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_models_and_migrations_agree(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_replicas_migrating_at_the_same_time_both_succeed(settings: Settings) -> None:
    env = {**os.environ, "LLMOBSERVE_DATA_DIR": str(settings.llmobserve_data_dir)}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    command = [sys.executable, "-m", "llmobserve_server.cli", "migrate"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert all(f"revision {head_revision()}" in output for output in outputs)


def test_upgrading_fills_the_daily_rollup_from_the_hourly_one(engine: Engine) -> None:
    upgrade(engine, "007")
    account = uuid.uuid4()
    accounts_at_007 = table(
        "accounts",
        column("id", Uuid()),
        column("name", String()),
        column("subscription_tier", String()),
        column("created_at", DateTime(timezone=True)),
    )  # the model has columns added since: write only those of 007
    with engine.begin() as connection:
        connection.execute(
            accounts_at_007.insert().values(
                id=account,
                name="a",
                subscription_tier="free",
                created_at=datetime.now(timezone.utc),
            )
        )
    day = datetime(2025, 3, 8, tzinfo=timezone.utc)
    for hour, model in ((day, "a"), (day + 5 * HOUR, "a"), (day + 5 * HOUR, "b"), (day + DAY, "a")):
        add_hour(engine, account, hour, model=model)

    upgrade(engine)

    with Session(engine) as db:
        rows = db.execute(
            select(UsageDaily.day, UsageDaily.dimension, UsageDaily.model, UsageDaily.events)
            .where(UsageDaily.account_id == account, UsageDaily.day >= day)
            .order_by(UsageDaily.day, UsageDaily.dimension, UsageDaily.model)
        ).all()
    per_slice = [(day, "a", 2), (day, "b", 1)]
    next_day = [(day + DAY, "a", 1)]
    expected = [
        (when, dimension, model, events)
        for slices in (per_slice, next_day)
        for dimension in ("", "agent", "customer", "section")
        for when, model, events in slices
    ]
    assert sorted(rows) == sorted(expected)


def _row_level_security(engine: Engine) -> tuple[set[str], set[str], set[str]]:
    """Tables with RLS enabled, their policies and our lookup functions."""
    with engine.connect() as connection:
        tables = set(
            connection.execute(
                text("SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'")
            ).scalars()
        )
        policies = set(
            connection.execute(
                text("SELECT tablename || '.' || policyname FROM pg_policies")
            ).scalars()
        )
        functions = set(
            connection.execute(
                text("SELECT proname FROM pg_proc WHERE proname LIKE 'llmobserve%'")
            ).scalars()
        )
    return tables, policies, functions


@pytest.mark.postgresql_only  # migration 009 does nothing on SQLite
def test_row_level_security_comes_and_goes_with_migration_009(backend: str, engine: Engine) -> None:
    with app_role() as role:
        try:
            upgrade(engine, app_role=role.name)
            tables, policies, functions = _row_level_security(engine)
            # 11 tables from 009, 3 from 013_budgets (budgets, crossings, deliveries), 1 from
            # 015_forecast (spend_anomalies)
            assert len(tables) == 15 and "trace_events" in tables and "sessions" not in tables
            assert len(policies) == 16 and "memberships.own_memberships" in policies
            assert "budgets.account_isolation" in policies
            assert "spend_anomalies.account_isolation" in policies
            assert functions == {
                "llmobserve_api_key_by_hash",
                "llmobserve_invitation_by_token_hash",
            }
            upgrade(engine, app_role=role.name)  # the grants again: idempotent

            downgrade(engine, "008")
            assert _row_level_security(engine) == (set(), set(), set())

            upgrade(engine, app_role=role.name)
            assert _row_level_security(engine) == (tables, policies, functions)
        finally:  # its grants, so that the role can be dropped before the database
            with engine.begin() as connection:
                connection.execute(text(f'DROP OWNED BY "{role.name}"'))
