"""Signing up and checking credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts import throttle
from llmobserve_server.accounts.passwords import hash_password, password_problem, verify_password
from llmobserve_server.db.models import Account, Membership, User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.domain_errors import Conflict, Invalid


@dataclass(frozen=True)
class SignedUp:
    user: User
    account: Account


_EMAIL = TypeAdapter(EmailStr)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    """The same check as the JSON API's `EmailStr` fields, for forms."""
    try:
        _EMAIL.validate_python(email)
    except ValidationError:
        return False
    return len(email) <= 320


def sign_up(
    db: DbSession,
    *,
    email: str,
    password: str,
    name: str,
    tier: str = "free",
    ip: str | None = None,
) -> SignedUp:
    """Create a user with their own account, of which they are the owner, on plan `tier` (the
    server passes `Settings.new_account_tier`). With the client's `ip` (a sign-up over HTTP),
    "email taken" answers are limited per IP (429 past the limit, for any email), so that sign-up
    cannot list which emails have accounts."""
    email = normalize_email(email)
    if ip is not None:
        throttle.check_sign_up_allowed(db, ip=ip)
    problem = password_problem(password, email=email)
    if problem:
        raise Invalid("weak_password", problem, field="password")
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise _email_taken(db, ip)
    now = datetime.now(timezone.utc)
    display_name = name.strip() or email.split("@")[0]
    user = User(
        email=email, name=display_name, password_hash=hash_password(password), created_at=now
    )
    account = Account(name=f"{display_name}'s account", subscription_tier=tier, created_at=now)
    db.add_all([user, account])
    db.flush()
    scope_session(db, account_id=account.id, user_id=user.id)  # the new account is theirs
    db.add(Membership(user_id=user.id, account_id=account.id, role="owner", created_at=now))
    try:
        db.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same email won the race
        db.rollback()
        raise _email_taken(db, ip) from exc
    return SignedUp(user=user, account=account)


def _email_taken(db: DbSession, ip: str | None) -> Conflict:
    if ip is not None:
        throttle.count_email_taken(db, ip=ip)  # raises 429 past the limit
    return Conflict("email_taken", "An account with this email already exists. Sign in instead.")


def authenticate(db: DbSession, *, email: str, password: str) -> User | None:
    """The user with these credentials, or None. Takes as long for unknown emails as for known.
    The transaction ends before the password is hashed, so that no connection (and on SQLite,
    no write lock) is held for the hash's duration."""
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    db.commit()  # nothing to write: ends the transaction
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user


def primary_membership(db: DbSession, user: User) -> Membership | None:
    """The membership a fresh session starts in: the oldest one."""
    return db.scalar(
        select(Membership)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at, Membership.account_id)
        .limit(1)
    )
