"""/settings/team: members and invitations. Everyone in the account sees the list; only owners
invite, resend, revoke, remove and change roles (the domain refuses others with 403, and the
page does not offer them the buttons).

A new invitation's link is shown once on the page to copy (the database has only its sha256):
it crosses the redirect in a short-lived cookie scoped to this page, like a new API key.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from llmobserve_server.accounts import invitations
from llmobserve_server.accounts.api_keys import live_keys_by_creator
from llmobserve_server.accounts.memberships import (
    accounts_of,
    audit_revoked_keys,
    change_role,
    leave,
    list_members,
    primary_account_after_leaving,
    remove_member,
    role_in,
)
from llmobserve_server.accounts.sessions import revoke_user_sessions, rotate_session
from llmobserve_server.accounts.tokens import sha256_hex
from llmobserve_server.audit import record
from llmobserve_server.billing.plans import plan_for
from llmobserve_server.cookies import set_session_cookie
from llmobserve_server.db.models import Invitation
from llmobserve_server.domain_errors import Conflict, DomainError
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep
from llmobserve_server.http.links import public_base_url
from llmobserve_server.mail import deliver, sends_email
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import Viewer, ViewerDep

router = APIRouter(prefix="/settings/team", include_in_schema=False)

PAGE = "/settings/team"
_LINK_COOKIE = "llmo_new_invite"


def _new_link(request: Request, viewer: Viewer, db: DbDep) -> tuple[Invitation, str] | None:
    token = request.cookies.get(_LINK_COOKIE)
    if not token:
        return None
    invitation = db.scalar(select(Invitation).where(Invitation.token_hash == sha256_hex(token)))
    if invitation is None or invitation.account_id != viewer.account.id:
        return None
    if invitations.problem_of(invitation) is not None:
        return None
    return invitation, invitations.invitation_url(token, base_url=public_base_url(request))


def _page(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    db.rollback()
    members = list_members(db, account_id=viewer.account.id)
    response = render(
        request,
        "settings/team.html",
        viewer=viewer,
        members=members,
        live_keys=live_keys_by_creator(db, account_id=viewer.account.id),
        can_leave=len(accounts_of(db, user_id=viewer.user.id)) > 1,
        pending=invitations.list_pending(db, account_id=viewer.account.id),
        plan=plan_for(viewer.account.subscription_tier),
        new_link=_new_link(request, viewer, db),
        has_expired=invitations.has_expired,
        values=values or {"role": "member"},
        errors=errors or {},
    )
    response.delete_cookie(_LINK_COOKIE, path=PAGE)
    return response


def _send(request: Request, viewer: Viewer, issued: invitations.IssuedInvitation) -> bool:
    email = invitations.invitation_email(
        issued, inviter=viewer.user, account=viewer.account, base_url=public_base_url(request)
    )
    return deliver(request.app.state.settings, email)


def _after_issue(
    request: Request, viewer: Viewer, issued: invitations.IssuedInvitation, verb: str
) -> Response:
    """Send the email once the invitation is committed, and show the link either way."""
    email = issued.invitation.email
    response = RedirectResponse(PAGE, status_code=303)
    if _send(request, viewer, issued) and sends_email(request.app.state.settings):
        set_flash(response, f"Invitation {verb} to {email}. You can also copy the link below.")
    elif not sends_email(request.app.state.settings):  # the console transport only logs it
        set_flash(
            response,
            f"The invitation to {email} is ready. This server sends no email (SMTP_URL is not "
            "set), so copy the link below and share it with them yourself.",
        )
    else:
        set_flash(
            response,
            f"The invitation to {email} is ready, but the email could not be sent. "
            "Copy the link below and send it yourself.",
            "error",
        )
    response.set_cookie(
        _LINK_COOKIE,
        issued.token,
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.settings.cookies_secure),
        path=PAGE,
    )
    return response


def _done(message: str) -> Response:
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(response, message)
    return response


def _refused(exc: DomainError) -> Response:
    """A change the rules forbid (the last owner) is explained on the page; not being allowed
    at all (403) or an unknown id (404) is an error page."""
    if not isinstance(exc, Conflict):
        raise exc
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(response, exc.message, "error")
    return response


@router.get("")
def team_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    return _page(request, viewer, db)


@router.post("/invitations", response_model=None)
def invite(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    values = {"email": form.get("email", "").strip()[:400], "role": form.get("role", "member")}
    try:
        issued = invitations.invite(
            db,
            account=viewer.account,
            inviter_id=viewer.user.id,
            email=values["email"],
            role=values["role"],
        )
    except DomainError as exc:
        if exc.code == "owner_required":
            raise
        field = "role" if exc.code == "invalid_role" else "email"
        return _page(request, viewer, db, values=values, errors={field: exc.message})
    _audit(request, viewer, db, "member_invited", issued.invitation.email, role=values["role"])
    db.commit()
    return _after_issue(request, viewer, issued, "sent")


@router.post("/invitations/{invitation_id}/resend", response_model=None)
def resend(
    invitation_id: uuid.UUID, request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep
) -> Response:
    issued = invitations.resend(
        db, account=viewer.account, actor_id=viewer.user.id, invitation_id=invitation_id
    )
    _audit(request, viewer, db, "invitation_resent", issued.invitation.email)
    db.commit()
    return _after_issue(request, viewer, issued, "sent again")


@router.post("/invitations/{invitation_id}/revoke", response_model=None)
def revoke(
    invitation_id: uuid.UUID, request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep
) -> Response:
    revoked = invitations.revoke(
        db, account_id=viewer.account.id, actor_id=viewer.user.id, invitation_id=invitation_id
    )
    _audit(request, viewer, db, "invitation_revoked", revoked.email)
    db.commit()
    return _done(f"Invitation to {revoked.email} withdrawn. Its link no longer works.")


@router.post("/members/{user_id}/remove", response_model=None)
def remove(
    user_id: uuid.UUID, request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep
) -> Response:
    try:
        departure = remove_member(
            db, account_id=viewer.account.id, actor_id=viewer.user.id, user_id=user_id
        )
    except DomainError as exc:
        return _refused(exc)
    removed = departure.user
    _audit(request, viewer, db, "member_removed", removed.email)
    actor = request_actor(request, viewer.user)
    audit_revoked_keys(db, account_id=viewer.account.id, actor=actor, departure=departure)
    db.commit()
    message = f"{removed.name} ({removed.email}) no longer has access to {viewer.account.name}."
    return _done(message + _keys_phrase(len(departure.revoked_keys), "they"))


@router.post("/leave", response_model=None)
def leave_account(request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep) -> Response:
    """The viewer leaves this account; their session moves to their oldest other account."""
    account = viewer.account
    try:
        departure = leave(db, account_id=account.id, user_id=viewer.user.id)
    except DomainError as exc:
        return _refused(exc)
    actor = request_actor(request, viewer.user)
    record(db, account_id=account.id, action="member_left", actor=actor, target=viewer.user.email)
    audit_revoked_keys(db, account_id=account.id, actor=actor, departure=departure)
    moved_to = primary_account_after_leaving(db, user_id=viewer.user.id)
    new = rotate_session(db, viewer.session, account_id=moved_to)
    db.commit()
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, new)
    revoked = _keys_phrase(len(departure.revoked_keys), "you")
    set_flash(response, f"You left {account.name}.{revoked}")
    return response


def _keys_phrase(revoked: int, creator: str) -> str:
    if not revoked:
        return ""
    keys = "1 API key" if revoked == 1 else f"{revoked} API keys"
    return f" The {keys} {creator} created there {'is' if revoked == 1 else 'are'} revoked."


@router.post("/members/{user_id}/role", response_model=None)
def set_role(
    user_id: uuid.UUID, request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep
) -> Response:
    """A role change is a privilege change: the actor's own session gets a new id; someone
    else's sessions in this account end, so their next sign-in starts a fresh one."""
    old_role = role_in(db, user_id=user_id, account_id=viewer.account.id)
    try:
        member = change_role(
            db,
            account_id=viewer.account.id,
            actor_id=viewer.user.id,
            user_id=user_id,
            role=form.get("role", ""),
        )
    except DomainError as exc:
        return _refused(exc)
    rotated = None
    if old_role != member.role:
        _audit(request, viewer, db, "role_changed", member.email, role=member.role, was=old_role)
        if user_id == viewer.user.id:
            rotated = rotate_session(db, viewer.session)
        else:
            revoke_user_sessions(db, user_id=user_id, account_id=viewer.account.id)
    db.commit()
    message = f"{member.name} is now {_role_phrase(member.role)}."
    if old_role != member.role and user_id != viewer.user.id:
        message += (
            " Their sessions in this account are signed out: the new role starts at their"
            " next sign-in."
        )
    response = _done(message)
    if rotated is not None:
        set_session_cookie(request, response, rotated)
    return response


def _role_phrase(role: str) -> str:
    return "an owner" if role == "owner" else "a member"


def _audit(
    request: Request, viewer: Viewer, db: DbDep, action: str, target: str, **details: str | None
) -> None:
    record(
        db,
        account_id=viewer.account.id,
        action=action,
        actor=request_actor(request, viewer.user),
        target=target,
        details={k: v for k, v in details.items() if v is not None} or None,
    )
