"""Changing one's own name, email and password. The caller commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.password_resets import invalidate_pending_resets
from llmobserve_server.accounts.passwords import hash_password, password_problem, verify_password
from llmobserve_server.accounts.sessions import revoke_user_sessions
from llmobserve_server.accounts.users import normalize_email
from llmobserve_server.db.models import User
from llmobserve_server.domain_errors import Conflict, Forbidden, Invalid

MAX_NAME = 200
WRONG_PASSWORD = "That is not your current password."


def rename(user: User, *, name: str) -> None:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid("invalid_name", f"Enter your name, 1 to {MAX_NAME} characters.", field="name")
    user.name = name


def change_email(db: DbSession, *, user: User, email: str, current_password: str) -> None:
    """Raises Invalid `invalid_email`, Conflict `email_taken`, Forbidden `wrong_password`."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 320 or " " in email:
        raise Invalid(
            "invalid_email", "Enter an email address, like you@company.com.", field="email"
        )
    if not verify_password(user.password_hash, current_password):
        raise Forbidden("wrong_password", WRONG_PASSWORD)
    if email == user.email:
        return
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("email_taken", "Another account already uses this email.")
    user.email = email
    # The new address is not proven yet; reset links sent to the old one stop working.
    user.email_verified_at = None
    invalidate_pending_resets(db, user_id=user.id)


def change_password(
    db: DbSession, *, user: User, current_password: str, new_password: str, keep_session_id: str
) -> None:
    """Set a new password and sign out every other session of the user.
    Raises Forbidden `wrong_password` or Invalid `weak_password`."""
    if not verify_password(user.password_hash, current_password):
        raise Forbidden("wrong_password", WRONG_PASSWORD)
    problem = password_problem(new_password, email=user.email)
    if problem:
        raise Invalid("weak_password", problem, field="new_password")
    user.password_hash = hash_password(new_password)
    invalidate_pending_resets(db, user_id=user.id)
    revoke_user_sessions(db, user_id=user.id, keep_session_id=keep_session_id)
