"""The session cookie, set the same way by the JSON API and the HTML pages."""

from __future__ import annotations

from datetime import datetime, timezone

from starlette.requests import Request
from starlette.responses import Response

from llmobserve_server.accounts.sessions import SESSION_COOKIE, NewSession


def set_session_cookie(request: Request, response: Response, new: NewSession) -> None:
    """The new session's token, in a cookie that lasts as long as the session can."""
    remaining = new.session.expires_at - datetime.now(timezone.utc)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=max(int(remaining.total_seconds()), 0),
        httponly=True,
        secure=request.app.state.settings.cookies_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
