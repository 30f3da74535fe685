"""The monthly event quota: how many events an account has stored this month, how many more a
batch may store, and the usage meter the dashboard and billing page show.

    used = lock_month_count(db, account.id, month_start(received_at))  # locked till commit
    over, taken = take_room(events, plan.events_per_month - used, known=stored_ids)
    meter = usage_meter(db, account, now)  # "7,432 of 10,000 events this month · 74 %"

The month is the UTC calendar month in which the collector *received* the events (not their
timestamps), so a batch is counted once, in the month it arrived. The count is one row of
`usage_monthly` per account and month, kept at ingest: no count over raw events per request.

The check is exact under concurrency: the month's counter row is locked (`lock_month_count`)
before the room is computed (`take_room`; ingest/group_store.py does both for a group of
batches, in arrival order), and the lock is held until the transaction commits the events and
the new count together. Concurrent batches of one account on a plan with a limit therefore take
their room one after the other, and the month never stores more counted events than its limit.
The month's first batches create the row (at 0) with the same statement that locks it, so two
of them queue like any others. On SQLite every write transaction holds the database's write
lock from its start, which serialises them just the same. Unlimited plans take no lock.

Not counted: duplicates (a resent id costs nothing) and the SDK's span markers, the events a
`run`, `section` or `agent` span sends when it closes (no provider, model, tokens, units or
cost): they are structure, not usage, and a run's tree must not eat into the quota twice. A
marker that carries any usage counts like any other event (`is_counted`).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.plans import Plan, plan_for
from llmobserve_server.db.models import Account, UsageMonthly
from llmobserve_server.domain_errors import Throttled
from llmobserve_server.ingest.rows import TOKEN_FIELDS
from llmobserve_server.ingest.schema import EventIn

MARKER_OPERATIONS = frozenset({"run", "section", "agent"})
QUOTA_EXCEEDED = "quota_exceeded"
UPGRADE_HINT = "upgrade in Settings → Billing"


def month_start(moment: datetime) -> datetime:
    """The first instant of `moment`'s UTC calendar month: the key of `usage_monthly`."""
    utc = moment.astimezone(timezone.utc)
    return datetime(utc.year, utc.month, 1, tzinfo=timezone.utc)


def next_month_start(moment: datetime) -> datetime:
    """When the quota of `moment`'s month resets."""
    start = month_start(moment)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


_USAGE_FIELDS = ("provider", "model", *TOKEN_FIELDS, "units", "cost_usd")


def is_counted(event: EventIn | Mapping[str, Any]) -> bool:
    """Whether an event is usage: it counts against the quota and is an "event" wherever the
    dashboard counts them. Only a purely structural span is free: a `run`, `section` or `agent`
    marker with no provider, model, tokens, units or cost. Anything that carries usage counts,
    whatever its operation says. Takes an `EventIn` or an event row (the same field names)."""
    get = event.get if isinstance(event, Mapping) else event.__dict__.get
    if get("operation") not in MARKER_OPERATIONS:
        return True
    return any(get(name) for name in _USAGE_FIELDS)


def used_this_month(db: DbSession, account_id: uuid.UUID, now: datetime) -> int:
    """Events counted for the account in `now`'s month (one indexed row)."""
    used = db.scalar(
        select(UsageMonthly.events).where(
            UsageMonthly.account_id == account_id, UsageMonthly.month == month_start(now)
        )
    )
    return int(used or 0)


def lock_month_count(db: DbSession, account_id: uuid.UUID, month: datetime) -> int:
    """The month's count, its row locked until the transaction ends (and created at 0 by the
    month's first batch): add to it (ingest/store.py) in this transaction, so that no other
    batch computes its room meanwhile.

    `INSERT … ON CONFLICT DO UPDATE` locks the row whether it inserts it or finds it, and returns
    the latest committed count: one statement, where `INSERT … DO NOTHING` and then `SELECT …
    FOR UPDATE` would take two round trips."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(UsageMonthly)
        .values(account_id=account_id, month=month, events=0)
        .on_conflict_do_update(
            index_elements=[UsageMonthly.account_id, UsageMonthly.month],
            set_={"events": UsageMonthly.events},
        )
        .returning(UsageMonthly.events)
    )
    return int(db.execute(statement).scalar_one())


def take_room(
    events: list[EventIn], room: int | None, known: Collection[uuid.UUID] = ()
) -> tuple[list[int], int]:
    """The positions in `events` (valid, in batch order) that do not fit in `room`, and how much
    room the others take. Markers always fit and take none; so do ids in `known` (stored
    already, or accepted by an earlier batch of the same transaction: they will be duplicates).
    A repeat of an id earlier in the batch shares that occurrence's fate. An id stored by a
    transaction not yet committed still takes room (that is only known after the insert), so a
    resend racing the limit may be refused rather than reported as a duplicate."""
    fits: dict[uuid.UUID, bool] = {}  # id -> whether its first occurrence fitted
    over: list[int] = []
    taken = 0
    for position, event in enumerate(events):
        if not is_counted(event) or event.id in known:
            continue
        if event.id not in fits:
            fits[event.id] = room is None or taken < room
            taken += fits[event.id]
        if not fits[event.id]:
            over.append(position)
    return over, taken


def quota_exceeded_error(plan: Plan, now: datetime) -> Throttled:
    """The 429 for a batch sent when the month's quota is used up."""
    assert plan.events_per_month is not None
    retry_after = math.ceil((next_month_start(now) - now).total_seconds())
    message = (
        f"The {plan.name} plan includes {plan.events_per_month:,} events a month and this "
        f"account has used them all; {UPGRADE_HINT} or wait until {_reset_label(now)}."
    )
    return Throttled(QUOTA_EXCEEDED, message, retry_after=max(1, retry_after))


def over_quota_message(plan: Plan, now: datetime) -> str:
    """The message of each event refused because its batch crossed the month's limit."""
    return (
        f"Over the {plan.name} plan's {plan.events_per_month:,} events this month; "
        f"{UPGRADE_HINT} or wait until {_reset_label(now)}."
    )


def _reset_label(now: datetime) -> str:
    return next_month_start(now).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class UsageMeter:
    """This month's usage against the plan, for the dashboard and the billing page."""

    plan: Plan
    used: int
    limit: int | None  # None: unlimited
    percent: int | None  # of the limit, floored (99 until really used up), capped at 100
    days_left: int  # whole or partial days until next_reset
    next_reset: datetime  # the next month's start, UTC

    @property
    def level(self) -> str:
        """The meter's colour: `ok`, `warning` (80 % or more) or `full` (100 %)."""
        if self.percent is None or self.percent < 80:
            return "ok"
        return "full" if self.percent >= 100 else "warning"


def usage_meter(db: DbSession, account: Account, now: datetime) -> UsageMeter:
    """The account's meter for `now`'s month, e.g.::

    meter = usage_meter(db, viewer.account, datetime.now(timezone.utc))
    meter.used, meter.limit, meter.percent, meter.days_left  # 7432, 10000, 74, 5
    """
    plan = plan_for(account.subscription_tier)
    used = used_this_month(db, account.id, now)
    reset = next_month_start(now)
    limit = plan.events_per_month
    percent = None if limit is None else min(100, used * 100 // limit)
    days_left = math.ceil((reset - now).total_seconds() / 86_400)
    return UsageMeter(plan, used, limit, percent, days_left, reset)
