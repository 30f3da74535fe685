"""Showing a new API key exactly once, without ever storing it.

Creating a key is a POST that redirects (so a reload never creates a second key). The plaintext
crosses that redirect in a cookie that lives two minutes at most, is HttpOnly, SameSite=Strict,
scoped to the page's path, and deleted by the page that shows it; the database only has its
sha256. Reloading the page afterwards finds no cookie and shows the key's prefix instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session as DbSession
from starlette.requests import Request
from starlette.responses import Response

from llmobserve_server.accounts.api_keys import find_active_key
from llmobserve_server.db.models import ApiKey

REVEAL_COOKIE = "llmo_new_key"


@dataclass(frozen=True)
class RevealedKey:
    key: str
    api_key: ApiKey


def stash_key(request: Request, response: Response, key: str, *, path: str) -> None:
    response.set_cookie(
        REVEAL_COOKIE,
        key,
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.settings.cookies_secure),
        path=path,
    )


def take_key(request: Request, db: DbSession, *, account_id: uuid.UUID) -> RevealedKey | None:
    """The key stashed for this page, if it is still this account's and not revoked. The page
    must then `forget_key` on its response, shown or not."""
    key = request.cookies.get(REVEAL_COOKIE)
    if not key:
        return None
    api_key = find_active_key(db, account_id=account_id, key=key)
    return RevealedKey(key=key, api_key=api_key) if api_key else None


def forget_key(response: Response, *, path: str) -> None:
    response.delete_cookie(REVEAL_COOKIE, path=path)
