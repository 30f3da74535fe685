"""Request-scoped dependencies both faces use: the database session and the caller's client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.accounts.sessions import SessionLifetime


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


def session_lifetime(request: Request) -> SessionLifetime:
    """How long sessions last on this server (SESSION_IDLE_MINUTES, SESSION_MAX_DAYS)."""
    return SessionLifetime.of(request.app.state.settings)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
