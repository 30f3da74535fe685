"""Deleting a user, and with them every account they alone own.

An account whose only owner is leaving is deleted with all its data when nobody else is in it
(events, rollups, runs, prices, API keys, invitations, memberships, sessions: every
account-scoped table references `accounts.id` with ON DELETE CASCADE, and SQLite enforces it
because the engine turns `PRAGMA foreign_keys` on). When other people are in it, deleting is
refused until the owner makes one of them an owner or removes them: their data is theirs too.
In the accounts that stay, the API keys the user created are revoked (a key must not outlive its
creator's access), recorded in each account's audit log.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.api_keys import revoke_keys_created_by
from llmobserve_server.accounts.memberships import count_members, count_owners
from llmobserve_server.audit import Actor, record
from llmobserve_server.audit.targets import describe_key
from llmobserve_server.db.models import Account, Membership, User
from llmobserve_server.db.scope import scope_session, scoped_account
from llmobserve_server.domain_errors import Conflict


def accounts_blocking_deletion(db: DbSession, *, user_id: uuid.UUID) -> list[Account]:
    """Accounts the user is the only owner of while others are members."""
    return [
        account
        for account, owners, members in _owned_accounts_with_counts(db, user_id)
        if owners == 1 and members > 1
    ]


def _owned_accounts_with_counts(
    db: DbSession, user_id: uuid.UUID
) -> list[tuple[Account, int, int]]:
    """Each account the user owns, with its numbers of owners and members. Counting another
    account's members needs that account's scope (Row Level Security would show only the user's
    own membership in it, making every account look like theirs alone); the scope the request
    had is restored afterwards."""
    previous = scoped_account(db)
    counted = []
    try:
        for account in _owned_accounts(db, user_id):
            scope_session(db, account_id=account.id, user_id=user_id)
            counted.append(
                (
                    account,
                    count_owners(db, account_id=account.id),
                    count_members(db, account_id=account.id),
                )
            )
    finally:
        scope_session(db, account_id=previous, user_id=user_id)
    return counted


def _owned_accounts(db: DbSession, user_id: uuid.UUID) -> list[Account]:
    return list(
        db.scalars(
            select(Account)
            .join(Membership, Membership.account_id == Account.id)
            .where(Membership.user_id == user_id, Membership.role == "owner")
            .order_by(Account.name)
        )
    )


def delete_user(db: DbSession, *, user: User, actor: Actor | None = None) -> list[uuid.UUID]:
    """Delete the user and the accounts only they belong to; returns those accounts' ids. In
    the other accounts, the keys the user created are revoked (audited as `actor`, the user
    by default). Raises Conflict `transfer_ownership_first`. The caller commits."""
    blocking = accounts_blocking_deletion(db, user_id=user.id)
    if blocking:
        names = ", ".join(f"“{account.name}”" for account in blocking)
        raise Conflict(
            "transfer_ownership_first",
            f"You are the only owner of {names}, which has other members. In Settings → Team, "
            "make one of them an owner or remove them, then delete your account.",
        )
    alone = [
        account.id
        for account, _owners, members in _owned_accounts_with_counts(db, user.id)
        if members == 1
    ]
    _revoke_keys_in_remaining_accounts(
        db, user=user, deleted=set(alone), actor=actor or Actor(user_id=user.id, email=user.email)
    )
    user_id = user.id
    db.expunge(user)
    if alone:
        db.execute(delete(Account).where(Account.id.in_(alone)))
    db.execute(delete(User).where(User.id == user_id))
    return alone


def _revoke_keys_in_remaining_accounts(
    db: DbSession, *, user: User, deleted: set[uuid.UUID], actor: Actor
) -> None:
    previous = scoped_account(db)
    try:
        scope_session(db, account_id=previous, user_id=user.id)  # the user's memberships
        account_ids = list(
            db.scalars(select(Membership.account_id).where(Membership.user_id == user.id))
        )
        for account_id in account_ids:
            if account_id in deleted:
                continue
            scope_session(db, account_id=account_id, user_id=user.id)
            keys = revoke_keys_created_by(db, account_id=account_id, user_id=user.id)
            if keys:
                record(
                    db,
                    account_id=account_id,
                    action="member_keys_revoked",
                    actor=actor,
                    target=user.email,
                    details={"keys": [describe_key(key) for key in keys]},
                )
                db.flush()
    finally:
        scope_session(db, account_id=previous, user_id=user.id)
