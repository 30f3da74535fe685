"""/settings/profile: name, email, password, the user's sessions, and deleting one's user.

Each card is its own form; an error re-renders the page (200) with the message next to its field
and what was typed kept (never a password).
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts.deletion import accounts_blocking_deletion, delete_user
from llmobserve_server.accounts.profile import change_email, change_password, rename
from llmobserve_server.accounts.sessions import (
    list_active_sessions,
    revoke_user_sessions,
    rotate_session,
)
from llmobserve_server.audit import record_for_user
from llmobserve_server.cookies import clear_session_cookie, set_session_cookie
from llmobserve_server.domain_errors import DomainError
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep, session_lifetime
from llmobserve_server.http.verification import queue_verification_email
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import Viewer, ViewerDep

router = APIRouter(prefix="/settings/profile", include_in_schema=False)

PAGE = "/settings/profile"


def _page(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    db.rollback()  # a failed change must not linger in the identity map
    shown = {"name": viewer.user.name, "email": viewer.user.email, **(values or {})}
    return render(
        request,
        "settings/profile.html",
        viewer=viewer,
        values=shown,
        errors=errors or {},
        blocking=accounts_blocking_deletion(db, user_id=viewer.user.id),
        sessions=list_active_sessions(
            db, user_id=viewer.user.id, lifetime=session_lifetime(request)
        ),
    )


def _done(message: str) -> Response:
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(response, message)
    return response


@router.get("")
def profile_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    return _page(request, viewer, db)


@router.post("/name", response_model=None)
def update_name(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    name = form.get("name", "")
    try:
        rename(viewer.user, name=name)
    except DomainError as exc:
        return _page(request, viewer, db, values={"name": name}, errors={"name": exc.message})
    db.commit()
    return _done("Your name is saved.")


@router.post("/email", response_model=None)
def update_email(
    request: Request,
    viewer: ViewerDep,
    form: SignedInForm,
    db: DbDep,
    background: BackgroundTasks,
) -> Response:
    email = form.get("email", "").strip()[:400]
    old_email = viewer.user.email
    try:
        change_email(
            db, user=viewer.user, email=email, current_password=form.get("email_password", "")
        )
    except DomainError as exc:
        field = "email_password" if exc.code == "wrong_password" else "email"
        return _page(request, viewer, db, values={"email": email}, errors={field: exc.message})
    if viewer.user.email != old_email:
        record_for_user(
            db,
            user_id=viewer.user.id,
            action="email_changed",
            actor=request_actor(request, viewer.user, email=old_email),
            target=viewer.user.email,
            details={"from": old_email, "to": viewer.user.email},
        )
    db.commit()
    if viewer.user.email != old_email:  # the new address is unconfirmed: send it a link
        queue_verification_email(request, background, db, viewer.user)
    return _done(f"Your email is now {viewer.user.email}.")


@router.post("/password", response_model=None)
def update_password(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    try:
        change_password(
            db,
            user=viewer.user,
            current_password=form.get("current_password", "")[:1024],
            new_password=form.get("new_password", "")[:1024],
            keep_session_id=viewer.session.id,
        )
    except DomainError as exc:
        field = "current_password" if exc.code == "wrong_password" else "new_password"
        return _page(request, viewer, db, errors={field: exc.message})
    actor = request_actor(request, viewer.user)
    record_for_user(db, user_id=viewer.user.id, action="password_changed", actor=actor)
    new = rotate_session(db, viewer.session)  # a new id for the new credentials
    db.commit()
    response = _done("Your password is changed. Your other sessions are signed out.")
    set_session_cookie(request, response, new)
    return response


@router.post("/sessions/revoke", response_model=None)
def sign_out_sessions(
    request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep
) -> Response:
    """Sign out the user's other sessions (`scope=others`), or every one, this one included
    (`scope=all`), in every account."""
    everywhere = form.get("scope") == "all"
    ended = revoke_user_sessions(
        db, user_id=viewer.user.id, keep_session_id=None if everywhere else viewer.session.id
    )
    record_for_user(
        db,
        user_id=viewer.user.id,
        action="sessions_revoked",
        actor=request_actor(request, viewer.user),
        details={"sessions": ended, "scope": "all" if everywhere else "others"},
    )
    db.commit()
    if everywhere:
        response = RedirectResponse("/sign-in", status_code=303)
        clear_session_cookie(response)
        set_flash(response, "You are signed out everywhere, this browser included.", "info")
        return response
    others = ended
    noun = "session" if others == 1 else "sessions"
    return _done(f"Signed out {others} other {noun}. This browser stays signed in.")


@router.post("/delete", response_model=None)
def delete_account(request: Request, viewer: ViewerDep, form: SignedInForm, db: DbDep) -> Response:
    typed = form.get("confirm_email", "").strip()
    if typed.lower() != viewer.user.email:
        error = f"Type {viewer.user.email} to confirm."
        return _page(
            request, viewer, db, values={"confirm_email": typed}, errors={"confirm_email": error}
        )
    # In the log of every account the user is in: those that stay keep it (an account deleted
    # with the user takes its log along).
    actor = request_actor(request, viewer.user)
    record_for_user(db, user_id=viewer.user.id, action="user_deleted", actor=actor)
    try:
        delete_user(db, user=viewer.user, actor=actor)
    except DomainError as exc:
        db.rollback()
        values = {"confirm_email": typed}
        return _page(request, viewer, db, values=values, errors={"confirm_email": exc.message})
    db.commit()
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookie(response)
    set_flash(
        response, "Your user and its data are deleted. Thank you for trying llmobserve.", "info"
    )
    return response
