"""A one-line message carried across a redirect ("API key revoked."), in a short-lived cookie.

    response = RedirectResponse("/settings/api-keys", status_code=303)
    set_flash(response, "API key revoked.")

The next full page that is rendered shows it (components/flash.html) and clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

FLASH_COOKIE = "llmo_flash"
Kind = Literal["success", "error", "info"]
_KINDS = ("success", "error", "info")


@dataclass(frozen=True)
class Flash:
    kind: str
    message: str

    def clear(self, response: Response) -> None:
        response.delete_cookie(FLASH_COOKIE, path="/")


def set_flash(response: Response, message: str, kind: Kind = "success") -> None:
    response.set_cookie(
        FLASH_COOKIE, quote(f"{kind}:{message}"), max_age=60, httponly=True, samesite="lax"
    )


def take_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition(":")
    if kind not in _KINDS or not message:
        return None
    return Flash(kind=kind, message=message[:300])
