"""Inviting people to an account by emailed link.

An owner invites an email address with a role; the link carries a random token (only its sha256
is stored) and works for 7 days, once, for a user signed in with that email, once they have
verified it (`accounts.email_verification`: the link alone proves nothing about the address).
Pending invitations count against the plan's member limit, so a team cannot invite past it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import ColumnElement, Select, and_, column, func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from llmobserve_server.accounts.memberships import ROLES, count_members, require_owner, role_in
from llmobserve_server.accounts.tokens import random_token, sha256_hex
from llmobserve_server.accounts.users import normalize_email
from llmobserve_server.billing.plans import plan_for
from llmobserve_server.db.models import Account, Invitation, Membership, User
from llmobserve_server.db.scope import scope_session
from llmobserve_server.domain_errors import Conflict, Forbidden, Gone, Invalid, NotFound
from llmobserve_server.mail import Email

VALID_FOR = timedelta(days=7)
EMAIL_UNVERIFIED = "email_unverified"


@dataclass(frozen=True)
class IssuedInvitation:
    token: str  # goes into the emailed link, never stored
    invitation: Invitation


@dataclass(frozen=True)
class OpenedInvitation:
    """What the invitation page shows: whom it invites where, and why it cannot be used."""

    invitation: Invitation
    account: Account
    inviter_name: str
    problem: str | None  # None when it can be accepted


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _pending(account_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(
        Invitation.account_id == account_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )


def list_pending(db: DbSession, *, account_id: uuid.UUID) -> list[Invitation]:
    """Invitations not accepted or revoked yet (expired ones too, so they can be resent)."""
    return list(
        db.scalars(
            select(Invitation).where(_pending(account_id)).order_by(Invitation.created_at.desc())
        )
    )


def _check_member_limit(
    db: DbSession, account: Account, *, joining: int, not_counting: uuid.UUID | None = None
) -> None:
    plan = plan_for(account.subscription_tier)
    if plan.max_members is None:
        return
    statement = (
        select(func.count())
        .select_from(Invitation)
        .where(_pending(account.id), Invitation.expires_at > _now())
    )
    if not_counting is not None:
        statement = statement.where(Invitation.id != not_counting)
    seats = count_members(db, account_id=account.id) + (db.scalar(statement) or 0) + joining
    if not plan.allows_members(seats):
        raise Forbidden(
            "member_limit",
            f"{plan.describe_member_limit()} Upgrade the plan in Settings → Billing to add "
            "more people, or revoke a pending invitation.",
        )


def _issue(invitation: Invitation) -> IssuedInvitation:
    token = random_token()
    now = _now()
    invitation.token_hash = sha256_hex(token)
    invitation.created_at = now
    invitation.expires_at = now + VALID_FOR
    return IssuedInvitation(token=token, invitation=invitation)


def invitation_email(
    issued: IssuedInvitation, *, inviter: User, account: Account, base_url: str
) -> Email:
    """The email carrying the invitation link; `base_url` is the server's public address."""
    return Email(
        to=issued.invitation.email,
        subject=f"{inviter.name} invited you to {account.name} on llmobserve",
        template="invitation",
        context={
            "inviter": inviter.name,
            "account": account.name,
            "link": invitation_url(issued.token, base_url=base_url),
            "valid_days": VALID_FOR.days,
        },
    )


def invitation_url(token: str, *, base_url: str) -> str:
    return f"{base_url}/invitations/{token}"


def invite(
    db: DbSession, *, account: Account, inviter_id: uuid.UUID, email: str, role: str = "member"
) -> IssuedInvitation:
    """A new invitation (replacing a pending one for the same email). Raises Forbidden when
    the inviter is not an owner or the plan is full, 409 for an existing member, 422 for an
    invalid email or role. The caller commits."""
    require_owner(db, user_id=inviter_id, account_id=account.id)
    email = normalize_email(email)
    if "@" not in email or len(email) > 320 or " " in email:
        raise Invalid(
            "invalid_email", "Enter an email address, like dev@company.com.", field="email"
        )
    if role not in ROLES:
        raise Invalid("invalid_role", "A role is either owner or member.", field="role")
    member = db.scalar(
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.account_id == account.id, User.email == email)
    )
    if member is not None:
        raise Conflict("already_member", f"{email} is already a member of this account.")
    for previous in db.scalars(
        select(Invitation).where(_pending(account.id), Invitation.email == email)
    ):
        previous.revoked_at = _now()
    db.flush()
    _check_member_limit(db, account, joining=1)
    invitation = Invitation(account_id=account.id, email=email, role=role, invited_by=inviter_id)
    issued = _issue(invitation)
    db.add(invitation)
    db.flush()
    return issued


def _owned_pending(
    db: DbSession, *, account_id: uuid.UUID, actor_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation:
    require_owner(db, user_id=actor_id, account_id=account_id)
    invitation = db.scalar(
        select(Invitation).where(_pending(account_id), Invitation.id == invitation_id)
    )
    if invitation is None:
        raise NotFound("not_found", "Invitation not found. It may have been accepted.")
    return invitation


def revoke(
    db: DbSession, *, account_id: uuid.UUID, actor_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation:
    invitation = _owned_pending(
        db, account_id=account_id, actor_id=actor_id, invitation_id=invitation_id
    )
    invitation.revoked_at = _now()
    return invitation


def resend(
    db: DbSession, *, account: Account, actor_id: uuid.UUID, invitation_id: uuid.UUID
) -> IssuedInvitation:
    """A fresh link (the old one stops working) valid for another 7 days."""
    invitation = _owned_pending(
        db, account_id=account.id, actor_id=actor_id, invitation_id=invitation_id
    )
    _check_member_limit(db, account, joining=1, not_counting=invitation.id)
    return _issue(invitation)


def open_invitation(db: DbSession, token: str) -> OpenedInvitation | None:
    """The invitation behind a link, or None for an unknown token."""
    if not token or len(token) > 200:
        return None
    invitation = db.scalar(_by_token_hash(db, sha256_hex(token)))
    account = db.get(Account, invitation.account_id) if invitation else None
    if invitation is None or account is None:
        return None
    inviter = db.get(User, invitation.invited_by) if invitation.invited_by else None
    inviter_name = inviter.name if inviter else "A teammate"
    return OpenedInvitation(invitation, account, inviter_name, problem_of(invitation))


def has_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    """Whether the invitation's 7 days are over (whatever else happened to it)."""
    return invitation.expires_at <= (now or _now())


def problem_of(invitation: Invitation, now: datetime | None = None) -> str | None:
    """Why the invitation's link cannot be used any more, or None while it can: the one
    statement of an invitation's states (pending, accepted, withdrawn, expired)."""
    if invitation.accepted_at is not None:
        return "This invitation was already accepted."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn."
    if has_expired(invitation, now):
        return "This invitation has expired."
    return None


def _by_token_hash(db: DbSession, token_hash: str) -> Select[Invitation]:
    """The invitation with this digest. Whoever opens the link is not in its account yet, so
    Row Level Security would hide it: on PostgreSQL it comes from the owner's narrow lookup
    function (migration 009), which returns only the row whose token the caller holds."""
    if db.get_bind().dialect.name != "postgresql":
        return select(Invitation).where(Invitation.token_hash == token_hash)
    found = func.llmobserve_invitation_by_token_hash(token_hash).table_valued(
        *(column(c.name, c.type) for c in Invitation.__table__.columns), name="invitations"
    )
    return select(aliased(Invitation, found, adapt_on_names=True))


def accept(db: DbSession, *, token: str, user: User) -> Account:
    """Make `user` a member of the invitation's account. The user's email must be the invited
    one. Raises NotFound (unknown link), Gone (expired, used, withdrawn), Forbidden (another email,
    or the plan is full, or 403 `email_unverified`). The caller commits."""
    opened = open_invitation(db, token)
    if opened is None:
        raise NotFound("not_found", "This invitation link is not valid.")
    if opened.problem:
        raise Gone("invitation_unusable", opened.problem)
    invitation, account = opened.invitation, opened.account
    # The link proves the invitation: the rest acts in the account it is for (its members, its
    # pending invitations, the new membership), which the session then switches to.
    scope_session(db, account_id=account.id, user_id=user.id)
    if normalize_email(user.email) != invitation.email:
        raise Forbidden(
            "wrong_email",
            f"This invitation is for {invitation.email}, and you are signed in as {user.email}. "
            "Sign out, then sign in or sign up with the invited email.",
        )
    if user.email_verified_at is None:
        raise Forbidden(
            EMAIL_UNVERIFIED,
            f"Confirm your email address first: open the link we emailed to {user.email} "
            "(or send a new one below), then accept this invitation.",
        )
    if role_in(db, user_id=user.id, account_id=account.id) is None:
        _check_member_limit(db, account, joining=1, not_counting=invitation.id)
        db.add(
            Membership(
                user_id=user.id, account_id=account.id, role=invitation.role, created_at=_now()
            )
        )
    invitation.accepted_at = _now()
    invitation.accepted_by = user.id
    return account
