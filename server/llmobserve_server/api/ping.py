"""GET /v1/ping: which account a key (or session) acts for; GET /v1/usage: that account's events
this month against its plan's quota."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter
from pydantic import BaseModel

from llmobserve_server.api.deps import AnyCaller
from llmobserve_server.billing.quota import usage_meter
from llmobserve_server.db.models import Account
from llmobserve_server.errors import ApiError
from llmobserve_server.http.deps import DbDep

router = APIRouter(prefix="/v1", tags=["account"])


class AccountOut(BaseModel):
    id: str
    name: str
    subscription_tier: str


class KeyInfoOut(BaseModel):
    name: str
    prefix: str


class PingOut(BaseModel):
    ok: bool
    account: AccountOut
    key: KeyInfoOut | None


@router.get("/ping", response_model=PingOut)
def ping(caller: AnyCaller, db: DbDep) -> PingOut:
    """Check that a key works, and which account it sends to (`llmobserve.ping()`)."""
    account = db.get(Account, caller.account_id)
    if account is None:
        raise ApiError(404, "not_found", "Account not found.")
    key = caller.api_key
    return PingOut(
        ok=True,
        account=AccountOut(
            id=str(account.id), name=account.name, subscription_tier=account.subscription_tier
        ),
        key=KeyInfoOut(name=key.name, prefix=key.key_prefix) if key else None,
    )


class UsageOut(BaseModel):
    tier: str
    used: int
    limit: int | None
    percent: int | None
    days_left: int
    next_reset: datetime


@router.get("/usage", response_model=UsageOut)
def usage(caller: AnyCaller, db: DbDep) -> UsageOut:
    """Events counted this month (UTC) against the plan's quota; `limit` null when unlimited."""
    account = db.get(Account, caller.account_id)
    if account is None:
        raise ApiError(404, "not_found", "Account not found.")
    meter = usage_meter(db, account, datetime.now(timezone.utc))
    return UsageOut(
        tier=meter.plan.tier,
        used=meter.used,
        limit=meter.limit,
        percent=meter.percent,
        days_left=meter.days_left,
        next_reset=meter.next_reset,
    )
