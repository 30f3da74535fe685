"""Who belongs to an account, with which role, and the owner's powers over that list.

Roles: an `owner` invites, removes members and changes roles (and manages billing); a `member`
sees the account's data and the team list. An account always keeps at least one owner: every
change that could take the last one away first locks the account's membership rows (`SELECT …
FOR UPDATE`, in one order), so two owners demoting or removing each other at once are decided
one after the other, and the second sees the first's result. Whoever leaves an account (removed,
leaving, or deleting their user) takes the API keys they created in it along: they are revoked
in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.api_keys import revoke_keys_created_by
from llmobserve_server.accounts.sessions import revoke_user_sessions
from llmobserve_server.audit import Actor, record
from llmobserve_server.audit.targets import describe_key
from llmobserve_server.db.models import Account, ApiKey, Membership, Session, User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.domain_errors import Conflict, Forbidden, Invalid, NotFound

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


@dataclass(frozen=True)
class Departure:
    """Someone who left an account, and the API keys of theirs that were revoked with it."""

    user: User
    revoked_keys: list[ApiKey]


def role_in(db: DbSession, *, user_id: uuid.UUID, account_id: uuid.UUID) -> str | None:
    return db.scalar(
        select(Membership.role).where(
            Membership.user_id == user_id, Membership.account_id == account_id
        )
    )


def require_owner(db: DbSession, *, user_id: uuid.UUID, account_id: uuid.UUID) -> None:
    if role_in(db, user_id=user_id, account_id=account_id) != "owner":
        raise Forbidden(
            "owner_required", "Only owners of this account can manage its team. Ask one."
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
        for membership, user in rows
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
    # Read afresh: after `lock_memberships` the row must be the committed one, not a cached copy.
    membership = db.get(Membership, (user_id, account_id), populate_existing=True)
    if membership is None:
        raise NotFound("not_found", "This person is not a member of this account.")
    return membership


def lock_memberships(db: DbSession, *, account_id: uuid.UUID) -> None:
    """Hold the account's membership rows until the transaction ends (PostgreSQL; SQLite's
    `BEGIN IMMEDIATE` already runs writers one at a time), so that "is this the last owner?"
    cannot be answered for two changes at once."""
    db.execute(
        select(Membership.user_id)
        .where(Membership.account_id == account_id)
        .order_by(Membership.user_id)
        .with_for_update()
    ).all()


def _refuse_losing_last_owner(db: DbSession, membership: Membership, message: str) -> None:
    if membership.role == "owner" and count_owners(db, account_id=membership.account_id) <= 1:
        raise Conflict("last_owner", message)


def remove_member(
    db: DbSession, *, account_id: uuid.UUID, actor_id: uuid.UUID, user_id: uuid.UUID
) -> Departure:
    """An owner removes someone (themselves included, unless they are the last owner); the
    removed user's sessions in this account end at once and the API keys they created in it are
    revoked. The caller commits."""
    lock_memberships(db, account_id=account_id)
    require_owner(db, user_id=actor_id, account_id=account_id)
    membership = _membership(db, account_id=account_id, user_id=user_id)
    _refuse_losing_last_owner(
        db,
        membership,
        "An account needs an owner: make someone else an owner before removing this one.",
    )
    return _depart(db, account_id=account_id, user_id=user_id)


def leave(db: DbSession, *, account_id: uuid.UUID, user_id: uuid.UUID) -> Departure:
    """The user leaves the account: refused for its last owner (409 `last_owner`) and for the
    user's only account (409 `only_account`: a user without an account could not sign in, so
    they delete their user instead). The caller commits and moves the session elsewhere."""
    lock_memberships(db, account_id=account_id)
    membership = _membership(db, account_id=account_id, user_id=user_id)
    _refuse_losing_last_owner(
        db, membership, "An account needs an owner: make someone else an owner before leaving."
    )
    if len(accounts_of(db, user_id=user_id)) <= 1:
        raise Conflict(
            "only_account",
            "This is your only account, so you cannot leave it. To go, delete your user in "
            "Settings → Profile.",
        )
    return _depart(db, account_id=account_id, user_id=user_id)


def _depart(db: DbSession, *, account_id: uuid.UUID, user_id: uuid.UUID) -> Departure:
    user = db.get(User, user_id)
    assert user is not None  # the membership's foreign key
    db.execute(
        delete(Membership).where(Membership.account_id == account_id, Membership.user_id == user_id)
    )
    revoke_user_sessions(db, user_id=user_id, account_id=account_id)
    keys = revoke_keys_created_by(db, account_id=account_id, user_id=user_id)
    return Departure(user=user, revoked_keys=keys)


def change_role(
    db: DbSession, *, account_id: uuid.UUID, actor_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> Member:
    """An owner makes someone an owner or a member; the last owner cannot step down."""
    if role not in ROLES:
        raise Invalid("invalid_role", "A role is either owner or member.", field="role")
    lock_memberships(db, account_id=account_id)
    require_owner(db, user_id=actor_id, account_id=account_id)
    membership = _membership(db, account_id=account_id, user_id=user_id)
    if role != "owner":
        _refuse_losing_last_owner(
            db, membership, "An account needs an owner: make someone else an owner first."
        )
    membership.role = role
    user = db.get(User, user_id)
    assert user is not None
    return Member(user.id, user.name, user.email, role, membership.created_at)


def primary_account_after_leaving(db: DbSession, *, user_id: uuid.UUID) -> uuid.UUID:
    """The account a session moves to after its user left its account: their oldest other one
    (`leave` refuses to leave the only one). Scopes `db` to it, after writing what is pending
    (the audit of leaving) in the account left."""
    db.flush()
    scope_session(db, account_id=None, user_id=user_id)  # the user's own memberships
    account_id = db.scalar(
        select(Membership.account_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.created_at, Membership.account_id)
        .limit(1)
    )
    assert account_id is not None  # `leave` keeps at least one
    scope_session(db, account_id=account_id, user_id=user_id)
    return account_id


def audit_revoked_keys(
    db: DbSession, *, account_id: uuid.UUID, actor: Actor, departure: Departure
) -> None:
    """One audit row naming the keys revoked with a departure (none when there were none)."""
    if departure.revoked_keys:
        record(
            db,
            account_id=account_id,
            action="member_keys_revoked",
            actor=actor,
            target=departure.user.email,
            details={"keys": [describe_key(key) for key in departure.revoked_keys]},
        )


def switch_account(db: DbSession, *, session: Session, account_id: uuid.UUID) -> Account:
    """Point a session at another of its user's accounts. The caller commits."""
    account = db.get(Account, account_id)
    if account is None or role_in(db, user_id=session.user_id, account_id=account_id) is None:
        raise NotFound("not_found", "You are not a member of that account.")
    session.account_id = account_id
    scope_session(db, account_id=account_id, user_id=session.user_id)
    return account
