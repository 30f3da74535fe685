"""Password reset by emailed link: a random token valid for an hour, once; only its sha256 is
stored. Asking never tells whether an email has an account, and is throttled per user (so
nobody can flood someone's inbox) and per client IP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.passwords import hash_password, password_problem
from llmobserve_server.accounts.sessions import revoke_user_sessions
from llmobserve_server.accounts.tokens import random_token, sha256_hex
from llmobserve_server.accounts.users import normalize_email
from llmobserve_server.db.models import PasswordResetToken, SignInFailure, User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.domain_errors import Gone, Invalid
from llmobserve_server.mail import Email

VALID_FOR = timedelta(hours=1)
THROTTLE_WINDOW = timedelta(hours=1)
MAX_PER_USER = 3
MAX_PER_IP = 20


@dataclass(frozen=True)
class IssuedReset:
    token: str  # goes into the emailed link, never stored
    user: User


def reset_email(issued: IssuedReset, *, base_url: str) -> Email:
    """The email carrying the reset link; `base_url` is the server's public address."""
    return Email(
        to=issued.user.email,
        subject="Reset your llmobserve password",
        template="password_reset",
        context={
            "name": issued.user.name,
            "email": issued.user.email,
            "link": f"{base_url}/reset-password?token={issued.token}",
            "valid_minutes": int(VALID_FOR.total_seconds() // 60),
        },
    )


def request_password_reset(db: DbSession, *, email: str, ip: str) -> IssuedReset | None:
    """A new reset token for the user with this email, or None when there is no such user or
    too many were asked for lately. The caller answers the same in every case."""
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        return None
    now = datetime.now(timezone.utc)
    since = now - THROTTLE_WINDOW
    if _count(db, PasswordResetToken.user_id == user.id, since) >= MAX_PER_USER:
        return None
    if _count(db, PasswordResetToken.requested_ip == ip, since) >= MAX_PER_IP:
        return None
    token = random_token()
    db.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=sha256_hex(token),
            requested_ip=ip[:64],
            created_at=now,
            expires_at=now + VALID_FOR,
        )
    )
    # Keep the table small: tokens older than the throttle window no longer count or work.
    db.execute(delete(PasswordResetToken).where(PasswordResetToken.created_at < since - VALID_FOR))
    return IssuedReset(token=token, user=user)


def _count(db: DbSession, condition: object, since: datetime) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(condition, PasswordResetToken.created_at >= since)  # type: ignore[arg-type]
        )
        or 0
    )


def invalidate_pending_resets(db: DbSession, *, user_id: uuid.UUID) -> None:
    """Use up every reset link the user was sent: after a password change, an email change or a
    reset, a link issued before it must not work (it may sit in an old or shared mailbox)."""
    db.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=datetime.now(timezone.utc))
    )


def find_usable_reset(db: DbSession, token: str) -> PasswordResetToken | None:
    """The unexpired, unused reset for this token, or None."""
    if not token or len(token) > 200:
        return None
    reset = db.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == sha256_hex(token))
    )
    if reset is None or reset.used_at is not None:
        return None
    if reset.expires_at <= datetime.now(timezone.utc):
        return None
    return reset


def reset_password(db: DbSession, *, token: str, new_password: str) -> User:
    """Set the password of the token's user, use the token up and end every session the user
    had. Raises Gone `invalid_reset_link` or Invalid `weak_password`. The caller commits."""
    reset = find_usable_reset(db, token)
    user = db.get(User, reset.user_id) if reset else None
    if reset is None or user is None:
        raise Gone("invalid_reset_link", "This reset link has expired or was already used.")
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise Invalid("weak_password", problem, field="password")
    now = datetime.now(timezone.utc)
    # Conditional update: of two concurrent submissions of one link, only one wins.
    used = db.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(used, "rowcount", 1) != 1:
        raise Gone("invalid_reset_link", "This reset link was already used.")
    user.password_hash = hash_password(new_password)
    invalidate_pending_resets(db, user_id=user.id)  # the other links sent before this one
    revoke_user_sessions(db, user_id=user.id)
    scope_session(db, account_id=None, user_id=user.id)  # the link proved who they are
    db.execute(delete(SignInFailure).where(SignInFailure.email == user.email))
    return user
