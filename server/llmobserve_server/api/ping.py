"""GET /v1/ping: which account a key (or session) acts for."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from llmobserve_server.api.deps import AnyCaller, DbDep
from llmobserve_server.db.models import Account
from llmobserve_server.errors import ApiError

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
