"""Slowing down password guessing: sign-in attempts counted per email and per client IP.

Counts live in the database so that every replica sees the same numbers. An attempt is counted
before its password is checked, and atomically: its row is committed in a transaction of its
own, then the window's rows are counted. Of N concurrent attempts, the k-th to commit counts at
least k rows, so no burst gets more passwords evaluated than the limit (40 at once for one email
evaluate at most 5). A refused attempt's row is deleted again; a failed one stays for the window;
a successful sign-in clears its email's rows. The table holds `sign_in_failures` rows: an attempt
not known to have succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import SignInFailure, SignUpRefusal
from llmobserve_server.domain_errors import Throttled

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


@dataclass(frozen=True)
class Attempt:
    """A counted attempt: `email_count` attempts for its email in the window, itself included."""

    email_count: int

    @property
    def pauses(self) -> bool:
        """Failing this attempt uses up the email's allowance (the audit's `sign_in_locked`)."""
        return self.email_count == MAX_FAILURES_PER_EMAIL


def count_attempt(db: DbSession, *, email: str, ip: str) -> Attempt:
    """Count this attempt (committed), or raise 429 when it is over the email's or the IP's
    limit; call it before the password is checked. The message says which limit, and what to
    do. Commits `db`."""
    now = datetime.now(timezone.utc)
    attempt = SignInFailure(email=email, ip=ip[:64], created_at=now)
    db.add(attempt)
    # Keep the table small: drop what no longer counts.
    db.execute(delete(SignInFailure).where(SignInFailure.created_at < now - WINDOW))
    db.commit()
    since = now - WINDOW
    minutes = int(WINDOW.total_seconds() // 60)
    email_count = _count(db, SignInFailure.email == email, since)
    if email_count > MAX_FAILURES_PER_EMAIL:
        reason = (
            f"Too many failed sign-ins for this email. Wait {minutes} minutes, "
            "or reset your password."
        )
    elif _count(db, SignInFailure.ip == attempt.ip, since) > MAX_FAILURES_PER_IP:
        reason = f"Too many failed sign-ins from your network. Wait {minutes} minutes."
    else:
        return Attempt(email_count=email_count)
    db.execute(delete(SignInFailure).where(SignInFailure.id == attempt.id))
    db.commit()
    raise Throttled(
        "too_many_attempts",
        reason,
        retry_after=int(WINDOW.total_seconds()),
    )


def _count(db: DbSession, condition: ColumnElement[bool], since: datetime) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(condition, SignInFailure.created_at >= since)
        )
        or 0
    )


def clear_failures(db: DbSession, *, email: str) -> None:
    """After a successful sign-in (or reset): the email's attempts, this one included, go."""
    db.execute(delete(SignInFailure).where(SignInFailure.email == email))


# Sign-up answers "this email already has an account"; from one address, only so many times.
MAX_EMAIL_TAKEN_PER_IP = 10
_SIGN_UPS_PAUSED = (
    "Too many sign-ups for existing emails from your network. Wait {minutes} minutes."
)


def check_sign_up_allowed(db: DbSession, *, ip: str) -> None:
    """Raise 429 for every sign-up (whatever its email, so that the pause itself tells nothing)
    from an IP that was told "email taken" too often within the window."""
    if _email_taken_answers(db, ip=ip[:64]) >= MAX_EMAIL_TAKEN_PER_IP:
        raise _sign_ups_paused()


def count_email_taken(db: DbSession, *, ip: str) -> None:
    """Count an "email taken" answer about to be given (committed first, then counted, like
    `count_attempt`); raise 429 instead when it is over the limit. Commits `db`."""
    now = datetime.now(timezone.utc)
    db.add(SignUpRefusal(ip=ip[:64], created_at=now))
    db.execute(delete(SignUpRefusal).where(SignUpRefusal.created_at < now - WINDOW))
    db.commit()
    if _email_taken_answers(db, ip=ip[:64]) > MAX_EMAIL_TAKEN_PER_IP:
        raise _sign_ups_paused()


def _email_taken_answers(db: DbSession, *, ip: str) -> int:
    since = datetime.now(timezone.utc) - WINDOW
    statement = (
        select(func.count())
        .select_from(SignUpRefusal)
        .where(SignUpRefusal.ip == ip, SignUpRefusal.created_at >= since)
    )
    return db.scalar(statement) or 0


def _sign_ups_paused() -> Throttled:
    minutes = int(WINDOW.total_seconds() // 60)
    return Throttled(
        "too_many_attempts",
        _SIGN_UPS_PAUSED.format(minutes=minutes),
        retry_after=int(WINDOW.total_seconds()),
    )
