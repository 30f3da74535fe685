"""Request-scoped dependencies: the database session and who is calling."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.api_keys import authenticate_key
from llmobserve_server.accounts.sessions import (
    SESSION_COOKIE,
    SessionLifetime,
    find_active_session,
)
from llmobserve_server.accounts.tokens import digests_match
from llmobserve_server.db.models import ApiKey, Session
from llmobserve_server.errors import ApiError

CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[DbSession]:
    with request.app.state.session_factory() as db:
        yield db


DbDep = Annotated[DbSession, Depends(get_db)]


def get_system_db(request: Request) -> Iterator[DbSession]:
    """A session as the tables' owner (DATABASE_OWNER_URL), which Row Level Security does not
    hold: only for the deliberately cross-account paths (the operator console, Stripe's
    webhooks). Everything a user or an API key asks for uses `DbDep`."""
    with request.app.state.system_session_factory() as db:
        yield db


SystemDbDep = Annotated[DbSession, Depends(get_system_db)]


@dataclass(frozen=True)
class Caller:
    """The account a request acts for, and how it proved it (an API key or a session)."""

    account_id: uuid.UUID
    user_id: uuid.UUID | None = None
    api_key: ApiKey | None = None
    session: Session | None = None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401, "invalid_authorization", "Send the API key as `Authorization: Bearer llmo_sk_…`."
        )
    return token.strip()


def _caller_from_key(db: DbSession, token: str) -> Caller:
    owner = authenticate_key(db, token)
    db.commit()  # persists last_used_at when it was due
    return Caller(account_id=owner.account.id, api_key=owner.api_key)


def _caller_from_session(request: Request, db: DbSession) -> Caller | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = find_active_session(db, token, session_lifetime(request))
    if session is None:
        return None
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not digests_match(session.csrf_token, sent):
            raise ApiError(
                403,
                "csrf_failed",
                f"Missing or wrong {CSRF_HEADER} header. Use the csrf_token from sign-in.",
            )
    return Caller(account_id=session.account_id, user_id=session.user_id, session=session)


def require_api_key(request: Request, db: DbDep) -> Caller:
    token = bearer_token(request)
    if token is None:
        raise ApiError(
            401, "missing_api_key", "Send your API key as `Authorization: Bearer llmo_sk_…`."
        )
    return _caller_from_key(db, token)


def require_session(request: Request, db: DbDep) -> Caller:
    caller = _caller_from_session(request, db)
    if caller is None:
        raise ApiError(401, "not_signed_in", "Sign in first (POST /v1/auth/sign-in).")
    return caller


def require_caller(request: Request, db: DbDep) -> Caller:
    """An API key when an Authorization header is sent, otherwise the session cookie."""
    token = bearer_token(request)
    if token is not None:
        return _caller_from_key(db, token)
    caller = _caller_from_session(request, db)
    if caller is None:
        raise ApiError(
            401,
            "not_authenticated",
            "Send an API key (`Authorization: Bearer llmo_sk_…`) or sign in.",
        )
    return caller


ApiKeyCaller = Annotated[Caller, Depends(require_api_key)]
SessionCaller = Annotated[Caller, Depends(require_session)]
AnyCaller = Annotated[Caller, Depends(require_caller)]


def session_lifetime(request: Request) -> SessionLifetime:
    """How long sessions last on this server (SESSION_IDLE_MINUTES, SESSION_MAX_DAYS)."""
    return SessionLifetime.of(request.app.state.settings)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
