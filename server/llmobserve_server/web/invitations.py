"""/invitations/{token}: the page an invitation email links to, and accepting it.

Signed in with the invited email: one button joins the account (and switches to it). Signed
out: sign up (the email is filled in, and the new user lands in the team) or sign in (and come
back here through `next`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session as DbSession
from starlette.responses import Response

from llmobserve_server.accounts import invitations
from llmobserve_server.accounts.sessions import NewSession, rotate_session
from llmobserve_server.audit import record
from llmobserve_server.cookies import set_session_cookie
from llmobserve_server.db.models import Account, Session, User
from llmobserve_server.db.scope import scope_session, scoped_account
from llmobserve_server.domain_errors import DomainError
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep
from llmobserve_server.mail import sends_email
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.redirects import sign_in_url
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep, find_viewer

router = APIRouter(prefix="/invitations", include_in_schema=False)


def _page(request: Request, db: DbDep, token: str, error: str | None = None) -> HTMLResponse:
    viewer = find_viewer(request, db)
    opened = invitations.open_invitation(db, token)
    return render(
        request,
        "invitations/invitation.html",
        viewer=viewer,
        opened=opened,
        token=token,
        error=error,
        sign_in_href=sign_in_url(f"/invitations/{token}"),
        sends_email=sends_email(request.app.state.settings),
    )


@router.get("/{token}")
def invitation_page(token: str, request: Request, db: DbDep) -> HTMLResponse:
    return _page(request, db, token)


@router.post("/{token}/accept", response_model=None)
def accept_invitation(
    token: str, request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep
) -> Response:
    try:
        account, new = join(db, token=token, user=viewer.user, session=viewer.session)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, token, error=exc.message)
    record(
        db,
        account_id=account.id,
        action="member_joined",
        actor=request_actor(request, viewer.user),
    )
    db.commit()
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, new)
    set_flash(response, f"Welcome to {account.name}! You are now a member.")
    return response


def join(db: DbSession, *, token: str, user: User, session: Session) -> tuple[Account, NewSession]:
    """Accept the invitation and replace the session by one in its account (a privilege change:
    the session id is rotated). The caller commits and sets the new cookie."""
    account = invitations.accept(db, token=token, user=user)
    return account, rotate_session(db, session, account_id=account.id)


def invitation_for_sign_up(db: DbSession, token: str) -> invitations.OpenedInvitation | None:
    """The invitation a sign-up form was opened from, when it can still be accepted."""
    opened = invitations.open_invitation(db, token) if token else None
    return opened if opened is not None and opened.problem is None else None


def join_after_sign_up(db: DbSession, *, token: str, user: User) -> Account | None:
    """The invited account a user who just signed up joins, or None (no, or another email's,
    invitation: they start in their own account, which sign-up created)."""
    if not token:
        return None
    own_account = scoped_account(db)
    try:
        with db.begin_nested():
            return invitations.accept(db, token=token, user=user)
    except DomainError:  # back to the account sign-up created (`accept` had scoped to the other)
        scope_session(db, account_id=own_account, user_id=user.id)
        return None
