"""Disabling an account, and enabling it again. Nothing is deleted either way.

    disable_account(db, account_id=a, reason="Chargeback, see ticket 4411", now=now); db.commit()

While disabled, every API key of the account is refused with 403 `account_disabled` (checked
in the key lookup itself, `accounts.api_keys.authenticate_key`, at no extra query): the SDK
stops sending and nothing is stored or counted. Its members can still sign in and read their
data; every page shows a banner saying the account is disabled and to contact the operator.
The reason is a note for staff, never shown to the account's members; the account's audit log
records who disabled or enabled it (without the reason).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.audit import Actor, record
from llmobserve_server.db.models import Account

MAX_REASON = 500


class AccountNotFound(LookupError):
    pass


def disable_account(
    db: DbSession, *, account_id: uuid.UUID, reason: str, now: datetime, actor: Actor
) -> Account:
    """Disable the account (not committed); disabling it again keeps the first time, and
    updates the reason."""
    account = _account(db, account_id)
    if account.disabled_at is None:
        account.disabled_at = now
        record(db, account_id=account_id, action="account_disabled", actor=actor)
    account.disabled_reason = " ".join(reason.split())[:MAX_REASON] or None
    return account


def enable_account(db: DbSession, *, account_id: uuid.UUID, actor: Actor) -> Account:
    """Enable the account again (not committed): its keys work at once."""
    account = _account(db, account_id)
    if account.disabled_at is not None:
        record(db, account_id=account_id, action="account_enabled", actor=actor)
    account.disabled_at = None
    account.disabled_reason = None
    return account


def _account(db: DbSession, account_id: uuid.UUID) -> Account:
    account = db.get(Account, account_id)
    if account is None:
        raise AccountNotFound(f"No account has the id {account_id}.")
    return account
