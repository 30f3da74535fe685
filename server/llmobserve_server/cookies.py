"""The session cookie, set the same way by the JSON API and the HTML pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from llmobserve_server.accounts.sessions import ABSOLUTE_LIFETIME, SESSION_COOKIE


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ABSOLUTE_LIFETIME.total_seconds()),
        httponly=True,
        secure=request.app.state.settings.cookies_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
