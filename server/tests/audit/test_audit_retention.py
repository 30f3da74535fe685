"""The audit log is kept as long as the account's plan keeps events."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from llmobserve_server.db.models import AuditEvent
from llmobserve_server.jobs.retention import apply_retention
from tests.support.stored_data import add_account

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def add_entry(engine: Engine, account_id: uuid.UUID, at: datetime) -> uuid.UUID:
    entry_id = uuid.uuid4()
    with Session(engine) as db, db.begin():
        db.add(
            AuditEvent(
                id=entry_id,
                account_id=account_id,
                created_at=at,
                action="sign_in",
                actor_kind="user",
                actor_email="someone@example.com",
            )
        )
    return entry_id


def entries(engine: Engine, account_id: uuid.UUID) -> set[uuid.UUID]:
    with Session(engine) as db:
        return set(db.scalars(select(AuditEvent.id).where(AuditEvent.account_id == account_id)))


def test_entries_older_than_the_plan_keeps_are_deleted(engine: Engine) -> None:
    free, pro = add_account(engine, "free"), add_account(engine, "pro")
    add_entry(engine, free, NOW - 8 * DAY)
    kept = add_entry(engine, free, NOW - 6 * DAY)
    pro_kept = add_entry(engine, pro, NOW - 8 * DAY)
    add_entry(engine, pro, NOW - 91 * DAY)

    report = apply_retention(engine, now=NOW, batch_size=1)

    assert entries(engine, free) == {kept}
    assert entries(engine, pro) == {pro_kept}
    assert report.rows("audit_events") == 2


def test_enterprise_keeps_its_whole_log(engine: Engine) -> None:
    account = add_account(engine, "enterprise")
    old = add_entry(engine, account, NOW - 400 * DAY)
    apply_retention(engine, now=NOW)
    assert entries(engine, account) == {old}
