"""Sign-up, sign-in and sign-out pages. The logic is `accounts`'; this module speaks HTML.

Both forms are protected by the pre-session double-submit cookie (`web.csrf`); sign-out by the
session's token. Errors are shown next to their field, with what was typed kept (never the
password).
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts.invitations import OpenedInvitation
from llmobserve_server.accounts.sessions import SESSION_COOKIE, revoke_session, start_session
from llmobserve_server.accounts.sign_in import sign_in
from llmobserve_server.accounts.users import is_valid_email, sign_up
from llmobserve_server.audit import record, record_for_user
from llmobserve_server.cookies import clear_session_cookie, set_session_cookie
from llmobserve_server.domain_errors import DomainError, Unauthorized
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep, client_ip, session_lifetime
from llmobserve_server.http.verification import queue_verification_email
from llmobserve_server.web.csrf import (
    SignedInForm,
    SignedOutForm,
    keep_presession_token,
    presession_token,
)
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.invitations import invitation_for_sign_up, join_after_sign_up
from llmobserve_server.web.redirects import safe_next
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep, any_user_exists, find_viewer

router = APIRouter(include_in_schema=False)

# Which field an error from `accounts` belongs next to.
_FIELD_OF_CODE = {"weak_password": "password", "email_taken": "email"}


def _form_page(
    request: Request,
    template: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    next_path: str | None = None,
    invitation: OpenedInvitation | None = None,
    first_visit: bool = False,
) -> HTMLResponse:
    token = presession_token(request)
    response = render(
        request,
        template,
        csrf_token=token,
        values=values or {},
        errors=errors or {},
        next=safe_next(next_path or request.query_params.get("next"), default=""),
        invitation=invitation,
        first_visit=first_visit,
    )
    keep_presession_token(request, response, token)
    return response


@router.get("/sign-up", response_model=None)
def sign_up_page(request: Request, db: DbDep) -> Response:
    if find_viewer(request, db) is not None:
        return RedirectResponse("/", status_code=303)
    token = request.query_params.get("invitation", "")[:200]
    opened = invitation_for_sign_up(db, token)
    values = {"email": opened.invitation.email, "invitation": token} if opened else {}
    return _form_page(request, "auth/sign_up.html", values=values, invitation=opened)


@router.post("/sign-up", response_model=None)
def sign_up_submit(
    request: Request, form: SignedOutForm, db: DbDep, background: BackgroundTasks
) -> Response:
    values = {"email": form.get("email", "").strip(), "name": form.get("name", "").strip()}
    password = form.get("password", "")
    errors = {}
    if not is_valid_email(values["email"]):
        errors["email"] = "Enter your email address, like you@company.com."
    if len(values["name"]) > 200:
        errors["name"] = "Use at most 200 characters."
    if not errors:
        try:
            created = sign_up(
                db,
                email=values["email"],
                password=password,
                name=values["name"],
                ip=client_ip(request),
                tier=request.app.state.settings.new_account_tier,
            )
        except DomainError as exc:
            errors[_FIELD_OF_CODE.get(exc.code, "email")] = exc.message
    token = form.get("invitation", "")[:200]
    if errors:
        opened = invitation_for_sign_up(db, token)
        values["invitation"] = token if opened else ""
        return _form_page(
            request, "auth/sign_up.html", values=values, errors=errors, invitation=opened
        )
    actor = request_actor(request, created.user)
    # In the new account's scope, before joining another account moves the scope there.
    record(db, account_id=created.account.id, action="sign_up", actor=actor)
    joined = join_after_sign_up(db, token=token, user=created.user)
    new = start_session(
        db,
        user_id=created.user.id,
        account_id=joined.id if joined else created.account.id,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        lifetime=session_lifetime(request),
        replacing=request.cookies.get(SESSION_COOKIE),
    )
    if joined:
        record(db, account_id=joined.id, action="member_joined", actor=actor)
    db.commit()
    queue_verification_email(request, background, db, created.user)
    # Joining needs a confirmed address: back to the invitation, which says so, until then.
    waiting = not joined and token and invitation_for_sign_up(db, token) is not None
    after = "/" if joined else f"/invitations/{token}" if waiting else "/onboarding"
    response = RedirectResponse(after, status_code=303)
    set_session_cookie(request, response, new)
    if joined:
        set_flash(response, f"Welcome to {joined.name}! You are now a member.")
    return response


def _missing_sign_in_fields(email: str, password: str) -> dict[str, str]:
    errors = {}
    if not email:
        errors["email"] = "Enter the email address you signed up with."
    if not password:
        errors["password"] = "Enter your password."
    return errors


@router.get("/sign-in", response_model=None)
def sign_in_page(request: Request, db: DbDep) -> Response:
    if find_viewer(request, db) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _form_page(request, "auth/sign_in.html", first_visit=not any_user_exists(db))


@router.post("/sign-in", response_model=None)
def sign_in_submit(request: Request, form: SignedOutForm, db: DbDep) -> Response:
    email = form.get("email", "").strip()
    missing = _missing_sign_in_fields(email, form.get("password", ""))
    if missing:
        return _form_page(
            request,
            "auth/sign_in.html",
            values={"email": email},
            errors=missing,
            next_path=form.get("next"),
        )
    try:
        _user, new = sign_in(
            db,
            email=email[:320],
            password=form.get("password", "")[:1024],
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
            lifetime=session_lifetime(request),
            replacing=request.cookies.get(SESSION_COOKIE),
        )
    except DomainError as exc:
        field = "password" if isinstance(exc, Unauthorized) else "email"
        return _form_page(
            request,
            "auth/sign_in.html",
            values={"email": email},
            errors={field: exc.message},
            next_path=form.get("next"),
        )
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_session_cookie(request, response, new)
    return response


@router.post("/sign-out", response_model=None)
def sign_out(request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep) -> Response:
    revoke_session(db, viewer.session.id)
    actor = request_actor(request, viewer.user)
    record_for_user(db, user_id=viewer.user.id, action="sign_out", actor=actor)
    db.commit()
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookie(response)
    set_flash(response, "You are signed out.", "info")
    return response
