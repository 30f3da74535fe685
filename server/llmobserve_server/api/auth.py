"""POST /v1/auth/sign-up, sign-in, sign-out: the JSON twins of the HTML forms."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel, EmailStr, Field

from llmobserve_server.accounts.sessions import (
    SESSION_COOKIE,
    NewSession,
    revoke_session,
    start_session,
)
from llmobserve_server.accounts.sign_in import sign_in
from llmobserve_server.accounts.users import sign_up
from llmobserve_server.api.deps import SessionCaller
from llmobserve_server.api.text import Text
from llmobserve_server.audit import record, record_for_user
from llmobserve_server.cookies import clear_session_cookie, set_session_cookie
from llmobserve_server.db.models import User
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import DbDep, client_ip, session_lifetime
from llmobserve_server.http.verification import queue_verification_email

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class SignUpIn(BaseModel):
    email: EmailStr
    password: str = Field(max_length=1024)
    name: Text = Field(default="", max_length=200)


class SignInIn(BaseModel):
    email: Text = Field(max_length=320)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: str
    email: str
    name: str


class SessionOut(BaseModel):
    user: UserOut
    account_id: str
    csrf_token: str = Field(description="Send as X-CSRF-Token with cookie-authenticated changes.")


def _session_out(new: NewSession, *, email: str, name: str) -> SessionOut:
    return SessionOut(
        user=UserOut(id=str(new.session.user_id), email=email, name=name),
        account_id=str(new.session.account_id),
        csrf_token=new.session.csrf_token,
    )


@router.post("/sign-up", status_code=201, response_model=SessionOut)
def sign_up_endpoint(
    body: SignUpIn,
    request: Request,
    response: Response,
    db: DbDep,
    background: BackgroundTasks,
) -> SessionOut:
    """Create a user with their own account and sign in. A link to confirm the email address
    is sent (needed to accept invitations); `POST /v1/auth/verify-email/resend` sends another."""
    created = sign_up(
        db,
        email=body.email,
        password=body.password,
        name=body.name,
        tier=request.app.state.settings.new_account_tier,
        ip=client_ip(request),
    )
    new = start_session(
        db,
        user_id=created.user.id,
        account_id=created.account.id,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        lifetime=session_lifetime(request),
        replacing=request.cookies.get(SESSION_COOKIE),
    )
    record(
        db,
        account_id=created.account.id,
        action="sign_up",
        actor=request_actor(request, created.user),
    )
    db.commit()
    queue_verification_email(request, background, db, created.user)
    set_session_cookie(request, response, new)
    return _session_out(new, email=created.user.email, name=created.user.name)


@router.post("/sign-in", response_model=SessionOut)
def sign_in_endpoint(body: SignInIn, request: Request, response: Response, db: DbDep) -> SessionOut:
    user, new = sign_in(
        db,
        email=body.email,
        password=body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        lifetime=session_lifetime(request),
        replacing=request.cookies.get(SESSION_COOKIE),
    )
    set_session_cookie(request, response, new)
    return _session_out(new, email=user.email, name=user.name)


@router.post("/sign-out", status_code=204)
def sign_out_endpoint(request: Request, caller: SessionCaller, db: DbDep) -> Response:
    assert caller.session is not None
    revoke_session(db, caller.session.id)
    user = db.get(User, caller.session.user_id)
    if user is not None:
        actor = request_actor(request, user)
        record_for_user(db, user_id=user.id, action="sign_out", actor=actor)
    db.commit()
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


class VerificationOut(BaseModel):
    email: str
    verified: bool
    sent: bool = Field(
        description="Whether a new link was sent (not when verified already, or "
        "after several links in the last hour)."
    )


@router.post("/verify-email/resend", response_model=VerificationOut)
def resend_verification(
    request: Request, caller: SessionCaller, db: DbDep, background: BackgroundTasks
) -> VerificationOut:
    """Email a new link that confirms the signed-in user's address."""
    user = db.get(User, caller.user_id)
    assert user is not None
    sent = queue_verification_email(request, background, db, user)
    return VerificationOut(email=user.email, verified=user.email_verified_at is not None, sent=sent)
