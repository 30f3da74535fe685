"""Signing in with email and password: throttled, audited, and silent about which emails exist.

Shared by the JSON API (`POST /v1/auth/sign-in`) and the sign-in page. Each attempt is counted
(committed) before its password is hashed (`throttle.count_attempt`). A success and every
failure for an existing email go into the audit log of each of the user's accounts; a failure for
an unknown email has no account to go to and is only counted for throttling. Refusals while
throttled are not logged one by one (they would let anyone flood an account's log): the failure
that starts the pause is (`sign_in_locked`).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts import throttle
from llmobserve_server.accounts.sessions import NewSession, SessionLifetime, start_session
from llmobserve_server.accounts.users import authenticate, normalize_email, primary_membership
from llmobserve_server.audit import Actor, record_for_user
from llmobserve_server.db.models import User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.domain_errors import Unauthorized

logger = logging.getLogger(__name__)

WRONG_CREDENTIALS = "Wrong email or password."


def sign_in(
    db: DbSession,
    *,
    email: str,
    password: str,
    ip: str,
    user_agent: str | None,
    lifetime: SessionLifetime,
    replacing: str | None = None,
) -> tuple[User, NewSession]:
    """A new session for these credentials, committed (the session of the `replacing` cookie
    token, if any, is revoked). Raises Throttled when this email or IP has failed too often,
    401 (the same message whether or not the email exists) otherwise."""
    email = normalize_email(email)
    attempt = throttle.count_attempt(db, email=email, ip=ip)
    user = authenticate(db, email=email, password=password)
    if user is not None:  # their memberships become visible, then their account's rows
        scope_session(db, account_id=None, user_id=user.id)
    membership = primary_membership(db, user) if user else None
    if user is not None and membership is not None:
        scope_session(db, account_id=membership.account_id, user_id=user.id)
    if user is None or membership is None:
        _audit_failure(db, email=email, ip=ip, user_agent=user_agent, paused=attempt.pauses)
        db.commit()
        raise Unauthorized("invalid_credentials", WRONG_CREDENTIALS)
    throttle.clear_failures(db, email=email)
    new = start_session(
        db,
        user_id=user.id,
        account_id=membership.account_id,
        ip=ip,
        user_agent=user_agent,
        lifetime=lifetime,
        replacing=replacing,
    )
    actor = Actor(user_id=user.id, email=user.email, ip=ip, user_agent=user_agent)
    record_for_user(db, user_id=user.id, action="sign_in", actor=actor)
    db.commit()
    return user, new


def _audit_failure(
    db: DbSession, *, email: str, ip: str, user_agent: str | None, paused: bool
) -> None:
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        logger.info("failed sign-in for an unknown email from %s", ip)
        return
    actor = Actor(user_id=user.id, email=email, ip=ip, user_agent=user_agent)
    record_for_user(db, user_id=user.id, action="sign_in_failed", actor=actor)
    if paused:
        minutes = int(throttle.WINDOW.total_seconds() // 60)
        details = {"failures": throttle.MAX_FAILURES_PER_EMAIL, "minutes": minutes}
        record_for_user(db, user_id=user.id, action="sign_in_locked", actor=actor, details=details)
