"""Writing audit rows. The caller commits, with the change the row describes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.audit.actions import ACTIONS
from llmobserve_server.db.models import AuditEvent, Membership
from llmobserve_server.db.scope import scope_session, scoped_account, scoped_user

ACTOR_KINDS = ("user", "stripe", "cli")


@dataclass(frozen=True)
class Actor:
    """Who acted: a user (with the request's IP and browser), Stripe's webhooks or the CLI."""

    kind: str = "user"
    user_id: uuid.UUID | None = None
    email: str | None = None
    ip: str | None = None
    user_agent: str | None = None


STRIPE = Actor(kind="stripe")
CLI = Actor(kind="cli")


def record(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    action: str,
    actor: Actor,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one row to `account_id`'s log (not committed)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit/actions.py")
    if actor.kind not in ACTOR_KINDS:
        raise ValueError(f"unknown actor kind {actor.kind!r}")
    event = AuditEvent(
        id=uuid.uuid4(),
        account_id=account_id,
        created_at=datetime.now(timezone.utc),
        action=action,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_email=actor.email[:320] if actor.email else None,
        ip=actor.ip[:64] if actor.ip else None,
        user_agent=actor.user_agent[:300] if actor.user_agent else None,
        target=target[:320] if target else None,
        details=details or None,
    )
    db.add(event)
    return event


def record_for_user(
    db: DbSession,
    *,
    user_id: uuid.UUID,
    action: str,
    actor: Actor,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Add the row to the log of every account the user belongs to (for what concerns the user
    everywhere: sign-ins, password and email changes). Returns how many rows were added.

    The one deliberate write into several accounts at once: each row is written (flushed) in
    its own account's scope, for Row Level Security (`db.scope`), and the request's scope is
    restored afterwards."""
    account, user = scoped_account(db), scoped_user(db)
    db.flush()  # what is pending belongs to the request's scope: write it under that scope
    try:
        scope_session(db, account_id=account, user_id=user_id)  # the user's memberships
        account_ids = list(
            db.scalars(select(Membership.account_id).where(Membership.user_id == user_id))
        )
        for account_id in account_ids:
            scope_session(db, account_id=account_id, user_id=user_id)
            record(
                db,
                account_id=account_id,
                action=action,
                actor=actor,
                target=target,
                details=details,
            )
            db.flush()
    finally:
        scope_session(db, account_id=account, user_id=user)
    return len(account_ids)
