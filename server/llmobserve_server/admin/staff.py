"""Who runs this install: users with `is_staff` see the operator console at /admin.

Managed from the command line only (`llmobserve-server staff add|remove|list EMAIL`), so that
a web session can never make anyone staff.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.users import normalize_email
from llmobserve_server.db.models import User


class StaffError(LookupError):
    """No user has that email; the message says what to do."""


def set_staff(db: DbSession, *, email: str, is_staff: bool) -> tuple[User, bool]:
    """Make the user with `email` staff or not (not committed); (the user, whether it changed)."""
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise StaffError(
            f"No user signed up with {email}. They sign up first (or use "
            "`llmobserve-server create-user`), then you make them staff."
        )
    changed = user.is_staff != is_staff
    user.is_staff = is_staff
    return user, changed


def list_staff(db: DbSession) -> list[User]:
    return list(db.scalars(select(User).where(User.is_staff).order_by(User.email)))
