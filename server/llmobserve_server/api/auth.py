"""POST /v1/auth/sign-up, sign-in, sign-out: the JSON twins of the HTML forms."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, EmailStr, Field

from llmobserve_server.accounts import throttle
from llmobserve_server.accounts.sessions import (
    ABSOLUTE_LIFETIME,
    SESSION_COOKIE,
    NewSession,
    revoke_session,
    start_session,
)
from llmobserve_server.accounts.users import (
    authenticate,
    normalize_email,
    primary_membership,
    sign_up,
)
from llmobserve_server.api.deps import DbDep, SessionCaller, client_ip
from llmobserve_server.errors import ApiError

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class SignUpIn(BaseModel):
    email: EmailStr
    password: str = Field(max_length=1024)
    name: str = Field(default="", max_length=200)


class SignInIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: str
    email: str
    name: str


class SessionOut(BaseModel):
    user: UserOut
    account_id: str
    csrf_token: str = Field(description="Send as X-CSRF-Token with cookie-authenticated changes.")


def _set_session_cookie(request: Request, response: Response, new: NewSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(ABSOLUTE_LIFETIME.total_seconds()),
        httponly=True,
        secure=request.app.state.settings.cookies_secure,
        samesite="lax",
        path="/",
    )


def _session_out(new: NewSession, *, email: str, name: str) -> SessionOut:
    return SessionOut(
        user=UserOut(id=str(new.session.user_id), email=email, name=name),
        account_id=str(new.session.account_id),
        csrf_token=new.session.csrf_token,
    )


@router.post("/sign-up", status_code=201, response_model=SessionOut)
def sign_up_endpoint(body: SignUpIn, request: Request, response: Response, db: DbDep) -> SessionOut:
    created = sign_up(db, email=body.email, password=body.password, name=body.name)
    new = start_session(
        db,
        user_id=created.user.id,
        account_id=created.account.id,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    db.commit()
    _set_session_cookie(request, response, new)
    return _session_out(new, email=created.user.email, name=created.user.name)


@router.post("/sign-in", response_model=SessionOut)
def sign_in_endpoint(body: SignInIn, request: Request, response: Response, db: DbDep) -> SessionOut:
    email, ip = normalize_email(body.email), client_ip(request)
    throttle.check_sign_in_allowed(db, email=email, ip=ip)
    user = authenticate(db, email=email, password=body.password)
    membership = primary_membership(db, user) if user else None
    if user is None or membership is None:
        throttle.record_failure(db, email=email, ip=ip)
        db.commit()
        raise ApiError(401, "invalid_credentials", "Wrong email or password.")
    throttle.clear_failures(db, email=email)
    new = start_session(
        db,
        user_id=user.id,
        account_id=membership.account_id,
        ip=ip,
        user_agent=request.headers.get("user-agent"),
    )
    db.commit()
    _set_session_cookie(request, response, new)
    return _session_out(new, email=user.email, name=user.name)


@router.post("/sign-out", status_code=204)
def sign_out_endpoint(caller: SessionCaller, db: DbDep) -> Response:
    assert caller.session is not None
    revoke_session(db, caller.session.id)
    db.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
