"""Who the audit log says acted, from an HTTP request: the user, their IP and browser."""

from __future__ import annotations

from fastapi import Request

from llmobserve_server.audit import Actor
from llmobserve_server.db.models import User
from llmobserve_server.http.deps import client_ip


def request_actor(request: Request, user: User | None = None, *, email: str | None = None) -> Actor:
    """`user` (or, for a failed sign-in, only the `email` that was tried) acting from this
    request's client IP (see FORWARDED_ALLOW_IPS) and User-Agent."""
    return Actor(
        kind="user",
        user_id=user.id if user else None,
        email=user.email if user else email,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
