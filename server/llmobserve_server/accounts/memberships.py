"""Who belongs to an account, with which role, and the owner's powers over that list.

Roles: an `owner` invites, removes members and changes roles (and manages billing); a `member`
sees the account's data and the team list. An account always keeps at least one owner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.sessions import revoke_user_sessions
from llmobserve_server.db.models import Account, Membership, Session, User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.errors import ApiError

ROLES = ("owner", "member")


@dataclass(frozen=True)
class Member:
    user_id: uuid.UUID
    name: str
    email: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class AccountChoice:
    """An account the user belongs to, for the account switcher."""

    id: uuid.UUID
    name: str
    role: str


def role_in(db: DbSession, *, user_id: uuid.UUID, account_id: uuid.UUID) -> str | None:
    return db.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.account_id == account_id
        )
    )


def require_owner(db: DbSession, *, user_id: uuid.UUID, account_id: uuid.UUID) -> None:
    if role_in(db, user_id=user_id, account_id=account_id) != "owner":
        raise ApiError(
            403, "owner_required", "Only owners of this account can manage its team. Ask one."
        )


def list_members(db: DbSession, *, account_id: uuid.UUID) -> list[Member]:
    rows = db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == account_id)
        .order_by(Membership.created_at, User.email)
    )
    return [
        Member(user.id, user.name, user.email, membership.role, membership.created_at)
        for membership, user in rows.tuples()
    ]


def count_members(db: DbSession, *, account_id: uuid.UUID) -> int:
    return (
        db.scalar(
            select(func.count()).select_from(Membership).where(Membership.account_id == account_id)
        )
        or 0
    )


def count_owners(db: DbSession, *, account_id: uuid.UUID) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.account_id == account_id, Membership.role == "owner")
        )
        or 0
    )


def accounts_of(db: DbSession, *, user_id: uuid.UUID) -> list[AccountChoice]:
    rows = db.execute(
        select(Account.id, Account.name, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.user_id == user_id)
        .order_by(Account.name, Account.id)
    )
    return [AccountChoice(id=row.id, name=row.name, role=row.role) for row in rows]


def _membership(db: DbSession, *, account_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
    membership = db.get(Membership, (user_id, account_id))
    if membership is None:
        raise ApiError(404, "not_found", "This person is not a member of this account.")
    return membership


def remove_member(
    db: DbSession, *, account_id: uuid.UUID, actor_id: uuid.UUID, user_id: uuid.UUID
) -> User:
    """An owner removes someone (themselves included, unless they are the last owner); the
    removed user's sessions in this account end at once. The caller commits."""
    require_owner(db, user_id=actor_id, account_id=account_id)
    membership = _membership(db, account_id=account_id, user_id=user_id)
    if membership.role == "owner" and count_owners(db, account_id=account_id) <= 1:
        raise ApiError(
            409,
            "last_owner",
            "An account needs an owner: make someone else an owner before removing this one.",
        )
    user = db.get(User, user_id)
    assert user is not None  # the membership's foreign key
    db.execute(
        delete(Membership).where(Membership.account_id == account_id, Membership.user_id == user_id)
    )
    revoke_user_sessions(db, user_id=user_id, account_id=account_id)
    return user


def change_role(
    db: DbSession, *, account_id: uuid.UUID, actor_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> Member:
    """An owner makes someone an owner or a member; the last owner cannot step down."""
    require_owner(db, user_id=actor_id, account_id=account_id)
    if role not in ROLES:
        raise ApiError(422, "invalid_role", "A role is either owner or member.")
    membership = _membership(db, account_id=account_id, user_id=user_id)
    if membership.role == "owner" and role != "owner":
        if count_owners(db, account_id=account_id) <= 1:
            raise ApiError(
                409,
                "last_owner",
                "An account needs an owner: make someone else an owner first.",
            )
    membership.role = role
    user = db.get(User, user_id)
    assert user is not None
    return Member(user.id, user.name, user.email, role, membership.created_at)


def switch_account(db: DbSession, *, session: Session, account_id: uuid.UUID) -> Account:
    """Point a session at another of its user's accounts. The caller commits."""
    account = db.get(Account, account_id)
    if account is None or role_in(db, user_id=session.user_id, account_id=account_id) is None:
        raise ApiError(404, "not_found", "You are not a member of that account.")
    session.account_id = account_id
    scope_session(db, account_id=account_id, user_id=session.user_id)
    return account
