"""The unusual-spend job on both databases: seeded histories in the daily rollup, a real SMTP
server (aiosmtpd); a spike is recorded once and its account's owners are emailed once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_session_factory
from llmobserve_server.db.models import Membership, SpendAnomaly, UsageDaily, User
from llmobserve_server.jobs.unusual_spend import UnusualSpendReport, run_unusual_spend
from tests.support.mail import Mailbox, text_of
from tests.support.stored_data import add_account

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)
YESTERDAY = date(2026, 12, 6)


def spent_daily(
    engine: Engine, account_id: uuid.UUID, customer: str, costs: dict[date, str]
) -> None:
    """gpt-4o's spend for `customer` on each day, in the rollup's customer slice."""
    with Session(engine) as db, db.begin():
        for day, cost in costs.items():
            db.add(
                UsageDaily(
                    account_id=account_id, day=datetime.combine(day, time.min, timezone.utc),
                    dimension="customer", value=customer, provider="openai", model="gpt-4o",
                    events=1, unpriced_events=0, input_tokens=0, cached_input_tokens=0,
                    cache_write_input_tokens=0, output_tokens=0, reasoning_tokens=0,
                    cost_usd=Decimal(cost),
                )
            )  # fmt: skip


def days_before(day: date, count: int, cost: str) -> dict[date, str]:
    return {day - timedelta(days=back): cost for back in range(1, count + 1)}


def an_owner(engine: Engine, account_id: uuid.UUID) -> str:
    email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
    with Session(engine) as db, db.begin():
        user = User(id=uuid.uuid4(), email=email, name="Owner", password_hash="x", created_at=NOW)
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id, account_id=account_id, role="owner", created_at=NOW))
    return email


def test_a_spike_is_recorded_and_emailed_to_the_owners_once_and_nothing_else_is(
    engine: Engine, settings: Settings, mailbox: Mailbox
) -> None:
    account_id = add_account(engine, "free")
    owner = an_owner(engine, account_id)
    spent_daily(engine, account_id, "acme", days_before(YESTERDAY, 14, "6") | {YESTERDAY: "48"})
    spent_daily(engine, account_id, "globex", days_before(YESTERDAY, 14, "6") | {YESTERDAY: "7"})
    spent_daily(engine, account_id, "initech", days_before(YESTERDAY, 3, "1") | {YESTERDAY: "90"})
    quiet = add_account(engine, "free")
    quiet_owner = an_owner(engine, quiet)
    spent_daily(engine, quiet, "acme", days_before(YESTERDAY, 14, "6") | {YESTERDAY: "6"})
    mailing = settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}?timeout=5", "email_from": "t@x.io"}
    )
    sessions = create_session_factory(engine)

    first = run_unusual_spend(engine, sessions, mailing, now=NOW)
    again = run_unusual_spend(engine, sessions, mailing, now=NOW + timedelta(hours=1))

    assert first == UnusualSpendReport(recorded=1, emails_sent=1)
    assert again == UnusualSpendReport(recorded=0, emails_sent=0)
    (message,) = mailbox.to(owner)
    assert message["Subject"] == "Unusual spend: gpt-4o for acme, $48.00 vs usually $6.00"
    assert "Dec 6: gpt-4o for acme, $48.00 vs usually $6.00" in text_of(message)
    assert mailbox.to(quiet_owner) == []
    with Session(engine) as db:
        (anomaly,) = db.scalars(select(SpendAnomaly))
    assert (anomaly.account_id, anomaly.customer_id, anomaly.model) == (
        account_id,
        "acme",
        "gpt-4o",
    )
    assert (anomaly.spent_usd, anomaly.usual_usd) == (Decimal(48), Decimal(6))
    assert anomaly.day == datetime(2026, 12, 6, tzinfo=timezone.utc)
    assert anomaly.notified_at == NOW
