"""Server-side, revocable sessions. The cookie carries a random token; the table its sha256.

A session ends when it is revoked (sign-out, password change, "sign out everywhere"), when it
has not been used for `idle` (SESSION_IDLE_MINUTES), or `absolute` after sign-in
(SESSION_MAX_DAYS), whichever comes first. Its id is rotated (a new token, the old one revoked)
at sign-in and whenever what it may do changes: see `rotate_session`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.tokens import random_token, sha256_hex
from llmobserve_server.config import Settings
from llmobserve_server.db.models import Session
from llmobserve_server.db.scope import scope_session

SESSION_COOKIE = "llmo_session"


@dataclass(frozen=True)
class SessionLifetime:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> SessionLifetime:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(days=settings.session_max_days),
        )

    @property
    def touch_interval(self) -> timedelta:
        """How often last_seen_at is refreshed: rarely enough that reads do not write on every
        request, often enough that an active session never looks idle."""
        return min(timedelta(minutes=5), self.idle / 10)


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, never stored
    session: Session


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_session(
    db: DbSession,
    *,
    user_id: uuid.UUID,
    account_id: uuid.UUID,
    ip: str | None,
    user_agent: str | None,
    lifetime: SessionLifetime,
    replacing: str | None = None,
) -> NewSession:
    """A new session (not committed). `replacing` is the cookie token the browser still sent,
    if any: that session is revoked, so signing in never keeps an id that existed before."""
    if replacing:
        revoke_session(db, sha256_hex(replacing))
    now = _now()
    return _add(
        db,
        user_id=user_id,
        account_id=account_id,
        ip=ip,
        user_agent=user_agent,
        expires_at=now + lifetime.absolute,
    )


def _add(
    db: DbSession,
    *,
    user_id: uuid.UUID,
    account_id: uuid.UUID,
    ip: str | None,
    user_agent: str | None,
    expires_at: datetime,
    csrf_token: str | None = None,
) -> NewSession:
    now = _now()
    token = random_token()
    session = Session(
        id=sha256_hex(token),
        user_id=user_id,
        account_id=account_id,
        csrf_token=csrf_token or random_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
        ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:300] or None,
    )
    db.add(session)
    return NewSession(token=token, session=session)


def rotate_session(
    db: DbSession, session: Session, *, account_id: uuid.UUID | None = None
) -> NewSession:
    """Replace `session` by a new one with a new id (in `account_id` when given), revoking the
    old one. Used after a privilege change (switching account, joining one, a role or password
    change), so that an id seen before the change is worth nothing after it. The sign-in's
    absolute expiry is kept, and so is the CSRF token: it is no credential without the cookie,
    and the browser's other open tabs keep working. Not committed; the caller sets the cookie."""
    revoke_session(db, session.id)
    return _add(
        db,
        user_id=session.user_id,
        account_id=account_id or session.account_id,
        ip=session.ip,
        user_agent=session.user_agent,
        expires_at=session.expires_at,
        csrf_token=session.csrf_token,
    )


def find_active_session(db: DbSession, token: str, lifetime: SessionLifetime) -> Session | None:
    """The live session for a cookie token; refreshes its idle timer now and then. Scopes `db`
    to the session's account and user (`db.scope`)."""
    if not token or len(token) > 200:
        return None
    session = db.get(Session, sha256_hex(token))
    now = _now()
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    if now - session.last_seen_at > lifetime.idle:
        return None
    if now - session.last_seen_at > lifetime.touch_interval:
        session.last_seen_at = now
        db.commit()
    # From here on the request's transactions act for the session's account and user.
    scope_session(db, account_id=session.account_id, user_id=session.user_id)
    return session


def list_active_sessions(
    db: DbSession, *, user_id: uuid.UUID, lifetime: SessionLifetime
) -> list[Session]:
    """The user's sessions that still work, most recently used first."""
    now = _now()
    return list(
        db.scalars(
            select(Session)
            .where(
                Session.user_id == user_id,
                Session.revoked_at.is_(None),
                Session.expires_at > now,
                Session.last_seen_at > now - lifetime.idle,
            )
            .order_by(Session.last_seen_at.desc(), Session.id)
        )
    )


def revoke_session(db: DbSession, session_id: str) -> None:
    db.execute(
        update(Session)
        .where(Session.id == session_id, Session.revoked_at.is_(None))
        .values(revoked_at=_now())
    )


def revoke_user_sessions(
    db: DbSession,
    *,
    user_id: uuid.UUID,
    account_id: uuid.UUID | None = None,
    keep_session_id: str | None = None,
) -> int:
    """End the user's live sessions (only those in `account_id` when given), except
    `keep_session_id`: after a password change or reset, removal from an account, a role change,
    or "sign out everywhere". Returns how many ended."""
    statement = update(Session).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if account_id is not None:
        statement = statement.where(Session.account_id == account_id)
    if keep_session_id is not None:
        statement = statement.where(Session.id != keep_session_id)
    result = db.execute(statement.values(revoked_at=_now()))
    return int(getattr(result, "rowcount", 0) or 0)
