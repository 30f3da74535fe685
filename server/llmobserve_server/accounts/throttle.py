"""Slowing down password guessing: failed sign-ins counted per email and per client IP.

Counts live in the database so that every replica sees the same numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import SignInFailure
from llmobserve_server.errors import ApiError

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


def check_sign_in_allowed(db: DbSession, *, email: str, ip: str) -> None:
    """Raise 429 when this email or IP has failed too often within the window. The message says
    which, and what to do."""
    since = datetime.now(timezone.utc) - WINDOW
    minutes = int(WINDOW.total_seconds() // 60)
    if _failures(db, SignInFailure.email == email, since) >= MAX_FAILURES_PER_EMAIL:
        reason = (
            f"Too many failed sign-ins for this email. Wait {minutes} minutes, "
            "or reset your password."
        )
    elif _failures(db, SignInFailure.ip == ip, since) >= MAX_FAILURES_PER_IP:
        reason = f"Too many failed sign-ins from your network. Wait {minutes} minutes."
    else:
        return
    raise ApiError(
        429,
        "too_many_attempts",
        reason,
        headers={"Retry-After": str(int(WINDOW.total_seconds()))},
    )


def _failures(db: DbSession, condition: object, since: datetime) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(
                condition,  # type: ignore[arg-type]
                SignInFailure.created_at >= since,
            )
        )
        or 0
    )


def record_failure(db: DbSession, *, email: str, ip: str) -> bool:
    """Count a failed sign-in. True when it is the one that pauses this email's sign-ins."""
    now = datetime.now(timezone.utc)
    db.add(SignInFailure(email=email, ip=ip[:64], created_at=now))
    # Keep the table small: drop what no longer counts.
    db.execute(delete(SignInFailure).where(SignInFailure.created_at < now - WINDOW))
    db.flush()
    return _failures(db, SignInFailure.email == email, now - WINDOW) == MAX_FAILURES_PER_EMAIL


def clear_failures(db: DbSession, *, email: str) -> None:
    db.execute(delete(SignInFailure).where(SignInFailure.email == email))
