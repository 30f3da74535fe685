"""Who is calling the JSON API: an API key, a session, or either (`http.deps` has the database
session and the client both faces use)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.api_keys import authenticate_key
from llmobserve_server.accounts.sessions import (
    SESSION_COOKIE,
    find_active_session,
)
from llmobserve_server.accounts.tokens import digests_match
from llmobserve_server.db.models import ApiKey, Session
from llmobserve_server.errors import ApiError
from llmobserve_server.http.deps import DbDep, session_lifetime

CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
