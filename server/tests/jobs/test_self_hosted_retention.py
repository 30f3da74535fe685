"""Retention on the self-hosted plan: nothing is deleted until the operator sets RETENTION_DAYS,
then events older than that many days go, like a hosted plan's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from llmobserve_server.jobs.retention import run_retention
from tests.support.stored_data import add_account, add_event, stored_event_ids

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_the_self_hosted_plan_keeps_every_event_while_retention_days_is_unset(
    engine: Engine,
) -> None:
    account = add_account(engine, "self_hosted")
    old = add_event(engine, account, NOW - timedelta(days=400))
    run_retention(engine, now=NOW)
    assert stored_event_ids(engine, account) == {old}


def test_retention_days_applies_to_the_self_hosted_plan(engine: Engine) -> None:
    account = add_account(engine, "self_hosted")
    add_event(engine, account, NOW - timedelta(days=31))
    kept = add_event(engine, account, NOW - timedelta(days=29))
    run_retention(engine, now=NOW, self_hosted_days=30)
    assert stored_event_ids(engine, account) == {kept}


def test_retention_days_does_not_change_a_hosted_plan(engine: Engine) -> None:
    account = add_account(engine, "pro")
    kept = add_event(engine, account, NOW - timedelta(days=60))
    run_retention(engine, now=NOW, self_hosted_days=30)
    assert stored_event_ids(engine, account) == {kept}
