"""`llmobserve-server retention`, run as an operator (or a cron job) would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

from sqlalchemy import Engine

from llmobserve_server.config import Settings
from llmobserve_server.jobs.locks import job_lock
from llmobserve_server.jobs.retention import RETENTION_LOCK_ID
from tests.support.stored_data import DAY, add_account, add_event, stored_event_ids


def retention_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["LLMOBSERVE_DATA_DIR"] = str(settings.llmobserve_data_dir)
    if settings.database_url:
        environment["DATABASE_URL"] = settings.database_url
    return subprocess.run(
        [sys.executable, "-m", "llmobserve_server.cli", "retention", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_retention_has_help(settings: Settings) -> None:
    result = retention_cli(settings, "--help")
    assert result.returncode == 0
    assert "usage: llmobserve-server retention" in result.stdout
    assert "--dry-run" in result.stdout


def test_dry_run_prints_what_would_go_and_deletes_nothing(
    engine: Engine, settings: Settings
) -> None:
    account = add_account(engine, "free")
    event = add_event(engine, account, datetime.now(timezone.utc) - 8 * DAY)

    result = retention_cli(settings, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert (
        "Retention would delete 1 trace_events, 0 usage_hourly, 0 runs, 0 usage_daily"
        in result.stdout
    )
    assert f"account {account} (free, 7 days" in result.stdout
    assert stored_event_ids(engine, account) == {event}


def test_retention_deletes_and_prints_per_table(engine: Engine, settings: Settings) -> None:
    account = add_account(engine, "free")
    add_event(engine, account, datetime.now(timezone.utc) - 8 * DAY)
    recent = add_event(engine, account, datetime.now(timezone.utc) - DAY)

    result = retention_cli(settings)

    assert result.returncode == 0, result.stderr
    assert (
        "Retention deleted 1 trace_events, 0 usage_hourly, 0 runs, 0 usage_daily" in result.stdout
    )
    assert stored_event_ids(engine, account) == {recent}


def test_retention_refuses_while_another_run_holds_the_lock(
    engine: Engine, settings: Settings
) -> None:
    account = add_account(engine, "free")
    event = add_event(engine, account, datetime.now(timezone.utc) - 8 * DAY)

    with job_lock(engine, "retention", RETENTION_LOCK_ID) as acquired:
        assert acquired
        result = retention_cli(settings)

    assert result.returncode == 1
    assert "another retention run is in progress" in result.stderr
    assert stored_event_ids(engine, account) == {event}


def test_retention_asks_for_migrations_on_an_old_schema(settings: Settings) -> None:
    result = retention_cli(settings)
    assert result.returncode == 1
    assert "run `llmobserve-server migrate` first" in result.stderr
