"""Finding accounts, and everything the console shows about one. Cross-account.

page = search_accounts(db, now=now, query="acme", tier="pro", page=1)
detail = account_detail(db, account_id=some_id, now=now)  # None when there is no such account
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.api_keys import list_api_keys
from llmobserve_server.admin.days import last_days
from llmobserve_server.admin.overview import DayVolume, events_per_day
from llmobserve_server.billing.plans import Plan, plan_for
from llmobserve_server.billing.quota import UsageMeter, month_start, usage_meter
from llmobserve_server.db.models import Account, ApiKey, Membership, UsageMonthly, User

PER_PAGE = 50
USAGE_DAYS = 30
Status = Literal["any", "active", "disabled"]


@dataclass(frozen=True)
class AccountRow:
    id: uuid.UUID
    name: str
    tier: str
    created_at: datetime
    disabled_at: datetime | None
    owner_email: str | None  # the first owner's, alphabetically
    members: int
    events_this_month: int

    @property
    def plan(self) -> Plan:
        return plan_for(self.tier)


@dataclass(frozen=True)
class AccountPage:
    rows: list[AccountRow]
    page: int
    has_next: bool


@dataclass(frozen=True)
class AccountMember:
    user_id: uuid.UUID
    name: str
    email: str
    role: str
    joined_at: datetime
    is_staff: bool  # staff of this install (shown, so that staff spot their own test accounts)


@dataclass(frozen=True)
class AccountDetail:
    account: Account
    plan: Plan
    meter: UsageMeter
    members: list[AccountMember]
    keys: list[ApiKey]
    usage: list[DayVolume]  # the last USAGE_DAYS days, oldest first

    @property
    def events_in_window(self) -> int:
        return sum(day.events for day in self.usage)

    @property
    def cost_in_window(self) -> Decimal:
        return sum((day.cost_usd for day in self.usage), Decimal(0))

    @property
    def active_keys(self) -> int:
        return sum(1 for key in self.keys if key.revoked_at is None)


def search_accounts(
    db: DbSession,
    *,
    now: datetime,
    query: str = "",
    tier: str | None = None,
    status: Status = "any",
    page: int = 1,
) -> AccountPage:
    """Accounts matching `query` (part of the name or of a member's email, or the exact id),
    newest first, `PER_PAGE` a page."""
    page = max(1, page)
    statement = _account_rows(now)
    for condition in _filters(query=query.strip(), tier=tier, status=status):
        statement = statement.where(condition)
    rows = db.execute(
        statement.order_by(Account.created_at.desc(), Account.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    found = [
        AccountRow(
            id=row.id,
            name=row.name,
            tier=row.subscription_tier,
            created_at=row.created_at,
            disabled_at=row.disabled_at,
            owner_email=row.owner_email,
            members=int(row.members or 0),
            events_this_month=int(row.events or 0),
        )
        for row in rows[:PER_PAGE]
    ]
    return AccountPage(rows=found, page=page, has_next=len(rows) > PER_PAGE)


def _account_rows(now: datetime) -> Select[tuple[object, ...]]:
    owner_email = (
        select(func.min(User.email))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == Account.id, Membership.role == "owner")
        .scalar_subquery()
    )
    members = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.account_id == Account.id)
        .scalar_subquery()
    )
    return select(
        Account.id,
        Account.name,
        Account.subscription_tier,
        Account.created_at,
        Account.disabled_at,
        owner_email.label("owner_email"),
        members.label("members"),
        UsageMonthly.events.label("events"),
    ).outerjoin(
        UsageMonthly,
        (UsageMonthly.account_id == Account.id) & (UsageMonthly.month == month_start(now)),
    )


def _filters(*, query: str, tier: str | None, status: Status) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query:
        conditions.append(_matching(query))
    if tier:
        conditions.append(Account.subscription_tier == tier)
    if status == "disabled":
        conditions.append(Account.disabled_at.is_not(None))
    elif status == "active":
        conditions.append(Account.disabled_at.is_(None))
    return conditions


def _matching(query: str) -> ColumnElement[bool]:
    try:
        return Account.id == uuid.UUID(query)
    except ValueError:
        pass
    member_email = (
        select(Membership.account_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == Account.id, User.email.icontains(query, autoescape=True))
        .exists()
    )
    return or_(Account.name.icontains(query, autoescape=True), member_email)


def account_detail(db: DbSession, *, account_id: uuid.UUID, now: datetime) -> AccountDetail | None:
    account = db.get(Account, account_id)
    if account is None:
        return None
    members = account_members(db, account_id=account_id)
    return AccountDetail(
        account=account,
        plan=plan_for(account.subscription_tier),
        meter=usage_meter(db, account, now),
        members=members,
        keys=list_api_keys(db, account_id=account_id),
        usage=account_usage(db, account_id=account_id, now=now),
    )


def account_usage(
    db: DbSession, *, account_id: uuid.UUID, now: datetime, days: int = USAGE_DAYS
) -> list[DayVolume]:
    """One account's events and cost per UTC day, the last `days` days."""
    return events_per_day(db, days=last_days(now, days), account_id=account_id)


def account_members(db: DbSession, *, account_id: uuid.UUID) -> list[AccountMember]:
    rows = db.execute(
        select(
            User.id, User.name, User.email, User.is_staff, Membership.role, Membership.created_at
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.account_id == account_id)
        .order_by(Membership.created_at, User.email)
    )
    return [
        AccountMember(row.id, row.name, row.email, row.role, row.created_at, bool(row.is_staff))
        for row in rows
    ]
