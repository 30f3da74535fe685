"""/forgot-password and /reset-password: a password reset by emailed link.

Asking always answers "if an account exists, we sent a link", and the email is sent after the
response (a background task), so neither the answer nor its timing tells which emails have an
account. Resetting ends every session of the user and signs this browser in.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.accounts.password_resets import (
    find_usable_reset,
    request_password_reset,
    reset_email,
    reset_password,
)
from llmobserve_server.accounts.sessions import SESSION_COOKIE, start_session
from llmobserve_server.accounts.users import primary_membership
from llmobserve_server.audit import record_for_user
from llmobserve_server.cookies import set_session_cookie
from llmobserve_server.domain_errors import DomainError
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep, client_ip, session_lifetime
from llmobserve_server.http.links import public_base_url
from llmobserve_server.mail import deliver
from llmobserve_server.web.csrf import SignedOutForm, keep_presession_token, presession_token
from llmobserve_server.web.flash import set_flash
from llmobserve_server.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    token = presession_token(request)
    response = render(request, template, csrf_token=token, **context)
    keep_presession_token(request, response, token)
    return response


@router.get("/forgot-password")
def forgot_password_page(request: Request) -> HTMLResponse:
    sent = request.query_params.get("sent") == "1"
    email = request.query_params.get("email", "")[:320] if not sent else ""
    return _page(
        request, "auth/forgot_password.html", sent=sent, values={"email": email}, errors={}
    )


@router.post("/forgot-password", response_model=None)
def forgot_password_submit(
    request: Request, form: SignedOutForm, db: DbDep, background: BackgroundTasks
) -> Response:
    email = form.get("email", "").strip()[:320]
    if "@" not in email:
        errors = {"email": "Enter the email address you sign in with."}
        values = {"email": email}
        return _page(request, "auth/forgot_password.html", sent=False, values=values, errors=errors)
    issued = request_password_reset(db, email=email, ip=client_ip(request))
    db.commit()
    if issued is not None:
        message = reset_email(issued, base_url=public_base_url(request))
        background.add_task(deliver, request.app.state.settings, message)
    return RedirectResponse("/forgot-password?sent=1", status_code=303)


@router.get("/reset-password")
def reset_password_page(request: Request, db: DbDep) -> HTMLResponse:
    token = request.query_params.get("token", "")
    if find_usable_reset(db, token) is None:
        return _page(request, "auth/reset_invalid.html")
    return _page(request, "auth/reset_password.html", token=token, errors={})


@router.post("/reset-password", response_model=None)
def reset_password_submit(request: Request, form: SignedOutForm, db: DbDep) -> Response:
    token = form.get("token", "")
    try:
        user = reset_password(db, token=token, new_password=form.get("password", "")[:1024])
    except DomainError as exc:
        if exc.code != "weak_password":
            db.rollback()
            return _page(request, "auth/reset_invalid.html")
        errors = {"password": exc.message}
        return _page(request, "auth/reset_password.html", token=token, errors=errors)
    actor = request_actor(request, user)
    record_for_user(db, user_id=user.id, action="password_reset", actor=actor)
    membership = primary_membership(db, user)
    if membership is None:  # a user without any account cannot have a session
        db.commit()
        response = RedirectResponse("/sign-in", status_code=303)
        set_flash(response, "Your password is changed. Sign in with it.")
        return response
    new = start_session(
        db,
        user_id=user.id,
        account_id=membership.account_id,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        lifetime=session_lifetime(request),
        replacing=request.cookies.get(SESSION_COOKIE),
    )
    db.commit()
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(request, response, new)
    set_flash(response, "Your password is changed, and every other session is signed out.")
    return response
