"""CSRF protection for every form, with and without a session.

Signed in: each form carries the session's `csrf_token` (hidden field `csrf_token`); htmx requests
send it as the `X-CSRF-Token` header (base.html sets `hx-headers` on <body>). Compared in constant
time with `digests_match`.

Signed out (sign-up, sign-in): there is no session yet, so the token is a *double-submit cookie*.
GET of the form sets a random token in an HttpOnly, SameSite=Strict cookie (named
`__Host-llmo_csrf` under https, which no subdomain can set or overwrite) and embeds the same value
in the form; the POST must carry both, equal. The token is `<random>.<HMAC-SHA256(SECRET_KEY,
random)>`, so that a cookie planted by someone else (e.g. from a sibling subdomain over plain
http, where the `__Host-` prefix does not apply) is refused: only this server can mint one. A
cross-site page can neither read the cookie nor
make the browser send it (SameSite=Strict). As a second, independent check, a POST whose `Origin`
header names another site, or whose `Sec-Fetch-Site` says cross-site, is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from fastapi import Depends, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from llmobserve_server.accounts.tokens import digests_match, random_token
from llmobserve_server.web.viewer import ViewerDep

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_REFUSED = (
    "This form could not be accepted: it expired or did not come from this site. "
    "Go back, reload the page and try again."
)

Form = dict[str, str]
_NUL_IN_FORM = (
    "The form contains a NUL character, which no field can hold. Go back, remove it and try again."
)


async def read_form(request: Request) -> Form:
    """The URL-encoded form body (all our forms are); the last value wins for repeated names."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    body = (await request.body()).decode("utf-8", errors="replace")
    form = dict(parse_qsl(body, keep_blank_values=True))
    if any("\x00" in name or "\x00" in value for name, value in form.items()):
        raise HTTPException(400, _NUL_IN_FORM)
    return form


def _refuse() -> HTTPException:
    return HTTPException(403, _REFUSED)


def check_signed_in_form(
    request: Request, viewer: ViewerDep, form: Annotated[Form, Depends(read_form)]
) -> Form:
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
    if not sent or not digests_match(viewer.csrf_token, sent):
        raise _refuse()
    return form


# ---- before sign-in: the double-submit cookie ----


def presession_cookie_name(request: Request) -> str:
    secure = bool(request.app.state.settings.cookies_secure)
    return "__Host-llmo_csrf" if secure else "llmo_csrf"


def _signature(request: Request, nonce: str) -> str:
    key = request.app.state.settings.secret_key.get_secret_value().encode("utf-8")
    message = b"llmobserve presession csrf:" + nonce.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _signed_here(request: Request, token: str) -> bool:
    nonce, dot, signature = token.rpartition(".")
    return bool(dot and nonce) and digests_match(_signature(request, nonce), signature)


def presession_token(request: Request) -> str:
    """The browser's pre-session token if this server signed it, else a new one (give it to
    `keep_presession_token`)."""
    cookie = request.cookies.get(presession_cookie_name(request))
    if cookie and _signed_here(request, cookie):
        return cookie
    nonce = random_token()
    return f"{nonce}.{_signature(request, nonce)}"


def keep_presession_token(request: Request, response: Response, token: str) -> None:
    if request.cookies.get(presession_cookie_name(request)) == token:
        return
    response.set_cookie(
        presession_cookie_name(request),
        token,
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.settings.cookies_secure),
        path="/",
    )


def _same_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    ours = {f"{request.url.scheme}://{request.url.netloc}"}
    public = urlsplit(request.app.state.settings.public_url)
    ours.add(f"{public.scheme}://{public.netloc}")
    return origin in ours


def check_signed_out_form(request: Request, form: Annotated[Form, Depends(read_form)]) -> Form:
    cookie = request.cookies.get(presession_cookie_name(request), "")
    sent = form.get(CSRF_FIELD, "")
    if (
        not cookie
        or not sent
        or not digests_match(cookie, sent)
        or not _signed_here(request, cookie)
        or not _same_site(request)
    ):
        raise _refuse()
    return form


SignedInForm = Annotated[Form, Depends(check_signed_in_form)]
SignedOutForm = Annotated[Form, Depends(check_signed_out_form)]
