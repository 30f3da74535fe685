"""Signing in with email and password: throttled, and silent about which emails exist.

Shared by the JSON API (`POST /v1/auth/sign-in`) and the sign-in page.
"""

from __future__ import annotations

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts import throttle
from llmobserve_server.accounts.sessions import NewSession, start_session
from llmobserve_server.accounts.users import authenticate, normalize_email, primary_membership
from llmobserve_server.db.models import User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.errors import ApiError

WRONG_CREDENTIALS = "Wrong email or password."


def sign_in(
    db: DbSession, *, email: str, password: str, ip: str, user_agent: str | None
) -> tuple[User, NewSession]:
    """A new session for these credentials, committed. Raises ApiError 429 when this email or IP
    has failed too often, 401 (the same message whether or not the email exists) otherwise."""
    email = normalize_email(email)
    throttle.check_sign_in_allowed(db, email=email, ip=ip)
    user = authenticate(db, email=email, password=password)
    if user is not None:  # their memberships become visible, then their account's rows
        scope_session(db, account_id=None, user_id=user.id)
    membership = primary_membership(db, user) if user else None
    if user is not None and membership is not None:
        scope_session(db, account_id=membership.account_id, user_id=user.id)
    if user is None or membership is None:
        throttle.record_failure(db, email=email, ip=ip)
        db.commit()
        raise ApiError(401, "invalid_credentials", WRONG_CREDENTIALS)
    throttle.clear_failures(db, email=email)
    new = start_session(
        db, user_id=user.id, account_id=membership.account_id, ip=ip, user_agent=user_agent
    )
    db.commit()
    return user, new
