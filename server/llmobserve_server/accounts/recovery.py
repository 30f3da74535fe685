"""What an operator does from the command line when users cannot: make someone an owner of an
account (an account left without owner, or whose owners are gone), and vouch for an email
address (an install without email, or a user whose mail never arrives).

    llmobserve-server make-owner ada@example.com 5b0e…   # or the account's exact name
    llmobserve-server verify-email ada@example.com
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.memberships import lock_memberships, role_in
from llmobserve_server.accounts.users import normalize_email
from llmobserve_server.audit import CLI, record
from llmobserve_server.db.models import Account, Membership, User


class RecoveryError(ValueError):
    """The user or account cannot be found, or the account is ambiguous; says what to do."""


@dataclass(frozen=True)
class OwnerMade:
    user: User
    account: Account
    was: str | None  # the user's role before: None when they were not a member


def make_owner(db: DbSession, *, email: str, account: str) -> OwnerMade:
    """Make the user with `email` an owner of `account` (its id, or its exact name when no other
    account has it), adding them to it if needed; audited as done by the CLI. Not committed."""
    user = find_user(db, email)
    target = _account(db, account)
    lock_memberships(db, account_id=target.id)
    was = role_in(db, user_id=user.id, account_id=target.id)
    if was is None:
        now = datetime.now(timezone.utc)
        db.add(Membership(user_id=user.id, account_id=target.id, role="owner", created_at=now))
    elif was != "owner":
        membership = db.get(Membership, (user.id, target.id))
        assert membership is not None
        membership.role = "owner"
    if was != "owner":
        details = {"role": "owner", **({"was": was} if was else {})}
        record(
            db,
            account_id=target.id,
            action="role_changed" if was else "member_joined",
            actor=CLI,
            target=user.email,
            details=details,
        )
    return OwnerMade(user=user, account=target, was=was)


def verify_email(db: DbSession, *, email: str) -> tuple[User, bool]:
    """Mark the user's email address as verified (the operator vouches for it). Returns the user
    and whether that changed anything. Not committed."""
    user = find_user(db, email)
    if user.email_verified_at is not None:
        return user, False
    user.email_verified_at = datetime.now(timezone.utc)
    return user, True


def find_user(db: DbSession, email: str) -> User:
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise RecoveryError(f"No user signed up with {normalize_email(email)}.")
    return user


def _account(db: DbSession, reference: str) -> Account:
    try:
        account_id = uuid.UUID(reference)
    except ValueError:
        named = list(db.scalars(select(Account).where(Account.name == reference).limit(2)))
        if len(named) == 1:
            return named[0]
        problem = "Several accounts are" if named else "No account is"
        raise RecoveryError(
            f"{problem} named {reference!r}: give the account's id (Settings → Billing, or the "
            "operator console at /admin)."
        ) from None
    account = db.get(Account, account_id)
    if account is None:
        raise RecoveryError(f"No account has the id {account_id}.")
    return account
