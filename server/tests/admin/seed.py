"""A small install with known numbers, written straight to a database: five accounts on every
plan, one disabled, with sign-ups, hourly usage and monthly counts around `NOW`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from llmobserve_server.db.models import (
    Account,
    ApiKey,
    Membership,
    UsageDaily,
    UsageHourly,
    UsageMonthly,
    User,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
NOVEMBER = datetime(2026, 11, 1, tzinfo=timezone.utc)
OCTOBER = datetime(2026, 10, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Seeded:
    acme: uuid.UUID  # Pro through Stripe, two members, busy this week
    beta: uuid.UUID  # Pro set by hand, active 20 days ago only, 85 % of its quota
    cold: uuid.UUID  # Free, no events in the rollup, 90 % of its quota
    gone: uuid.UUID  # Free, disabled, over its quota
    ent: uuid.UUID  # Enterprise, huge month, last events 60 days ago


def seed(engine: Engine) -> Seeded:
    ids = Seeded(*(uuid.uuid4() for _ in range(5)))
    with Session(engine) as db, db.begin():
        _account(db, ids.acme, "Acme Corp", "pro", NOW - 2 * DAY, stripe="sub_acme")
        _account(db, ids.beta, "Beta LLC", "pro", NOW - 40 * DAY)
        _account(db, ids.cold, "Cold Start", "free", NOW - DAY)
        _account(db, ids.gone, "Gone Fishing", "free", NOW - 10 * DAY, disabled=True)
        _account(db, ids.ent, "Enterprise Inc", "enterprise", NOW - 5 * DAY)
        db.flush()
        _person(db, "ada@acme.test", ids.acme, "owner", NOW - 2 * DAY)
        _person(db, "bob@acme.test", ids.acme, "member", NOW - 2 * DAY + HOUR)
        _person(db, "bea@beta.test", ids.beta, "owner", NOW - 40 * DAY)
        _person(db, "cy@cold.test", ids.cold, "owner", NOW - DAY)
        _person(db, "gil@gone.test", ids.gone, "owner", NOW - 10 * DAY)
        _person(db, "eve@ent.test", ids.ent, "owner", NOW - 5 * DAY)
        _hour(db, ids.acme, NOW - HOUR, events=100, cost="2.50")
        _hour(db, ids.acme, NOW - 3 * DAY, events=50, cost="1.00")
        _hour(db, ids.beta, NOW - 20 * DAY, events=10, cost="5.00")
        _hour(db, ids.gone, NOW - 2 * DAY, events=7, cost="0.07")
        _hour(db, ids.ent, NOW - 60 * DAY, events=1000, cost="99.00")
        for account, events in (
            (ids.acme, 150),
            (ids.beta, 850_000),
            (ids.cold, 9_000),
            (ids.gone, 10_000),
            (ids.ent, 5_000_000),
        ):
            db.add(UsageMonthly(account_id=account, month=NOVEMBER, events=events))
        db.add(UsageMonthly(account_id=ids.cold, month=OCTOBER, events=10))
        db.add(
            ApiKey(
                account_id=ids.acme,
                key_hash="0" * 64,
                key_prefix="llmo_sk_AbCd",
                key_last4="wxyz",
                name="production",
                created_at=NOW - DAY,
            )
        )
    return ids


def _account(
    db: Session,
    account_id: uuid.UUID,
    name: str,
    tier: str,
    created_at: datetime,
    *,
    stripe: str | None = None,
    disabled: bool = False,
) -> None:
    db.add(
        Account(
            id=account_id,
            name=name,
            subscription_tier=tier,
            created_at=created_at,
            stripe_subscription_id=stripe,
            stripe_customer_id="cus_x" if stripe else None,
            disabled_at=NOW - DAY if disabled else None,
            disabled_reason="chargeback" if disabled else None,
        )
    )


def _person(db: Session, email: str, account: uuid.UUID, role: str, created_at: datetime) -> None:
    user = User(
        id=uuid.uuid4(),
        email=email,
        name=email.split("@")[0],
        password_hash="x",
        created_at=created_at,
    )
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, account_id=account, role=role, created_at=created_at))


def _hour(db: Session, account: uuid.UUID, hour: datetime, *, events: int, cost: str) -> None:
    """One hourly rollup row, and the daily slice of every event that ingest keeps with it."""
    sums = {
        "events": events,
        "unpriced_events": 0,
        "input_tokens": events * 10,
        "cached_input_tokens": 0,
        "cache_write_input_tokens": 0,
        "output_tokens": events,
        "reasoning_tokens": 0,
        "cost_usd": Decimal(cost),
    }
    day = hour.replace(hour=0, minute=0, second=0, microsecond=0)
    db.add(
        UsageDaily(
            account_id=account,
            day=day,
            dimension="",
            value="",
            provider="openai",
            model="gpt-4o-mini",
            **sums,
        )
    )
    db.add(
        UsageHourly(
            account_id=account,
            hour=hour,
            provider="openai",
            model="gpt-4o-mini",
            customer_id="",
            section="",
            agent="",
            **sums,
        )
    )
