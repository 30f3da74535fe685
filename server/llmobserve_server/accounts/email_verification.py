"""Proving an email address: a link sent to it at sign-up (and again on request) whose random
token (only its sha256 is stored) marks the address verified, once, within 2 days.

An invitation is for an email address, so accepting one needs a verified address: holding the
invitation link is not proof (the inviter sees it, and so may a log or a forwarded mail). A
link proves the address it was sent to only while the user still has that address: changing
one's email unverifies it (`accounts.profile`), and an older link stops counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.tokens import random_token, sha256_hex
from llmobserve_server.db.models import EmailVerification, User
from llmobserve_server.domain_errors import Gone
from llmobserve_server.mail import Email

VALID_FOR = timedelta(days=2)
THROTTLE_WINDOW = timedelta(hours=1)
MAX_PER_USER = 5  # links per hour, so that "resend" cannot flood an inbox
SUBJECT = "Confirm your email address for llmobserve"


@dataclass(frozen=True)
class IssuedVerification:
    token: str  # goes into the emailed link, never stored
    user: User


def issue_verification(db: DbSession, *, user: User) -> IssuedVerification | None:
    """A new link for the user's current address, or None when it is verified already or too
    many were sent lately. The caller commits, then sends `verification_email`."""
    if user.email_verified_at is not None:
        return None
    now = datetime.now(timezone.utc)
    recent = db.scalar(
        select(func.count())
        .select_from(EmailVerification)
        .where(
            EmailVerification.user_id == user.id,
            EmailVerification.created_at >= now - THROTTLE_WINDOW,
        )
    )
    if (recent or 0) >= MAX_PER_USER:
        return None
    token = random_token()
    db.add(
        EmailVerification(
            user_id=user.id,
            email=user.email,
            token_hash=sha256_hex(token),
            created_at=now,
            expires_at=now + VALID_FOR,
        )
    )
    # Keep the table small: links past their life (and the throttle's window) go.
    db.execute(
        delete(EmailVerification).where(EmailVerification.expires_at < now - THROTTLE_WINDOW)
    )
    return IssuedVerification(token=token, user=user)


def verify_email(db: DbSession, *, token: str) -> User:
    """Mark the address the link was sent to as verified. Raises Gone
    `invalid_verification_link` for an unknown, used or expired link, or one sent to an address
    the user no longer has. The caller commits."""
    invalid = Gone(
        "invalid_verification_link",
        "This confirmation link has expired or was already used. Send a new one from your "
        "profile (Settings → Profile).",
    )
    if not token or len(token) > 200:
        raise invalid
    now = datetime.now(timezone.utc)
    link = db.scalar(
        select(EmailVerification).where(EmailVerification.token_hash == sha256_hex(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise invalid
    user = db.get(User, link.user_id)
    if user is None or user.email != link.email:
        raise invalid
    # Conditional update: of two concurrent uses of one link, only one counts.
    used = db.execute(
        update(EmailVerification)
        .where(EmailVerification.id == link.id, EmailVerification.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(used, "rowcount", 1) != 1:
        raise invalid
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


def verification_email(issued: IssuedVerification, *, base_url: str) -> Email:
    """The email carrying the confirmation link; `base_url` is the server's public address."""
    return Email(
        to=issued.user.email,
        subject=SUBJECT,
        template="verify_email",
        context={
            "name": issued.user.name,
            "email": issued.user.email,
            "link": f"{base_url}/verify-email?token={issued.token}",
            "valid_days": VALID_FOR.days,
        },
    )
