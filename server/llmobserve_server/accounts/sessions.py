"""Server-side, revocable sessions. The cookie carries a random token; the table its sha256."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.tokens import random_token, sha256_hex
from llmobserve_server.db.models import Session
from llmobserve_server.db.scope import scope_session

SESSION_COOKIE = "llmo_session"
ABSOLUTE_LIFETIME = timedelta(days=30)
IDLE_TIMEOUT = timedelta(days=7)
# last_seen_at is refreshed at most this often, so that reads do not write on every request.
_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, never stored
    session: Session


def start_session(
    db: DbSession,
    *,
    user_id: uuid.UUID,
    account_id: uuid.UUID,
    ip: str | None,
    user_agent: str | None,
) -> NewSession:
    now = datetime.now(timezone.utc)
    token = random_token()
    session = Session(
        id=sha256_hex(token),
        user_id=user_id,
        account_id=account_id,
        csrf_token=random_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_LIFETIME,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    db.add(session)
    return NewSession(token=token, session=session)


def find_active_session(db: DbSession, token: str) -> Session | None:
    """The live session for a cookie token; refreshes its idle timer now and then. Scopes `db`
    to the session's account and user (`db.scope`)."""
    session = db.get(Session, sha256_hex(token))
    now = datetime.now(timezone.utc)
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    if now - session.last_seen_at > IDLE_TIMEOUT:
        return None
    if now - session.last_seen_at > _TOUCH_INTERVAL:
        session.last_seen_at = now
        db.commit()
    # From here on the request's transactions act for the session's account and user.
    scope_session(db, account_id=session.account_id, user_id=session.user_id)
    return session


def revoke_session(db: DbSession, session_id: str) -> None:
    db.execute(
        update(Session)
        .where(Session.id == session_id, Session.revoked_at.is_(None))
        .values(revoked_at=datetime.now(timezone.utc))
    )


def revoke_user_sessions(
    db: DbSession,
    *,
    user_id: uuid.UUID,
    account_id: uuid.UUID | None = None,
    keep_session_id: str | None = None,
) -> None:
    """End the user's live sessions (only those in `account_id` when given), except
    `keep_session_id`: after a password change or reset, or removal from an account."""
    statement = update(Session).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if account_id is not None:
        statement = statement.where(Session.account_id == account_id)
    if keep_session_id is not None:
        statement = statement.where(Session.id != keep_session_id)
    db.execute(statement.values(revoked_at=datetime.now(timezone.utc)))
