"""Changing an account's plan: `change_tier` is the one place a tier changes, and it writes the
audit log's `plan_changed` with who did it (Stripe's webhooks, the `set-tier` command, a user).
`set_tier` finds the account for `llmobserve-server set-tier`, for installs without Stripe (and for
support)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.users import normalize_email
from llmobserve_server.audit import CLI, Actor, record
from llmobserve_server.billing.plans import PLANS
from llmobserve_server.db.models import Account, Membership, User


class TierChangeError(ValueError):
    """The account cannot be found, is ambiguous, or the tier does not exist; says what to do."""


@dataclass(frozen=True)
class TierChange:
    account: Account
    old_tier: str

    @property
    def changed(self) -> bool:
        return self.account.subscription_tier != self.old_tier


def set_tier(
    db: DbSession, *, tier: str, email: str | None = None, account_id: uuid.UUID | None = None
) -> TierChange:
    """Put the account on `tier` (not committed): the account given by id, or the one account
    owned by the user with `email`.

        change = set_tier(db, email="owner@example.com", tier="pro"); db.commit()
    """
    if tier not in PLANS:
        raise TierChangeError(f"Unknown tier {tier!r}: choose one of {', '.join(PLANS)}.")
    account = _account_by_id(db, account_id) if account_id else _account_owned_by(db, email or "")
    return change_tier(db, account=account, tier=tier, actor=CLI)


def change_tier(
    db: DbSession, *, account: Account, tier: str, actor: Actor, reason: str | None = None
) -> TierChange:
    """Put `account` on `tier` (not committed) and, when that is a change, record it in the
    account's audit log as done by `actor` (`audit.STRIPE`, `audit.CLI` or a user), with
    `reason` (e.g. the Stripe event type)."""
    if tier not in PLANS:
        raise TierChangeError(f"Unknown tier {tier!r}: choose one of {', '.join(PLANS)}.")
    change = TierChange(account=account, old_tier=account.subscription_tier)
    account.subscription_tier = tier
    if change.changed:
        details = {"from": change.old_tier, "to": tier}
        if reason:
            details["reason"] = reason
        record(
            db,
            account_id=account.id,
            action="plan_changed",
            actor=actor,
            target=PLANS[tier].name,
            details=details,
        )
    return change


def _account_by_id(db: DbSession, account_id: uuid.UUID) -> Account:
    account = db.get(Account, account_id)
    if account is None:
        raise TierChangeError(f"No account has the id {account_id}.")
    return account


def _account_owned_by(db: DbSession, email: str) -> Account:
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise TierChangeError(f"No user signed up with {email}.")
    owned = list(
        db.scalars(
            select(Account)
            .join(Membership, Membership.account_id == Account.id)
            .where(Membership.user_id == user.id, Membership.role == "owner")
            .order_by(Account.created_at)
        )
    )
    if not owned:
        raise TierChangeError(f"{email} owns no account; give the account id with --account.")
    if len(owned) > 1:
        ids = ", ".join(f"{a.id} ({a.name})" for a in owned)
        raise TierChangeError(f"{email} owns several accounts: pick one with --account: {ids}.")
    return owned[0]
