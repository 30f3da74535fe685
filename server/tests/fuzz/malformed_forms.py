"""The dashboard's forms, and the malformed bodies the fuzz test posts to each of them.

`FORMS` names every POST route of the web app (the test fails when the app has one it lacks):
its fields, whether it is used signed in (session cookie + csrf_token field) or signed out (the
pre-session double-submit cookie), and whether it may end the session it is sent with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from llmobserve_server.web.csrf import CSRF_FIELD


@dataclass(frozen=True)
class FormRoute:
    fields: tuple[str, ...]
    signed_in: bool = True
    # The route may end, move or downgrade the session it is sent with (sign-out, sign out
    # everywhere, delete the user, switch account): each of its requests gets a new user.
    ends_session: bool = False
    staff: bool = False


FORMS: dict[str, FormRoute] = {
    "/sign-up": FormRoute(("email", "password", "name", "invitation"), signed_in=False),
    "/sign-in": FormRoute(("email", "password", "next"), signed_in=False),
    "/forgot-password": FormRoute(("email",), signed_in=False),
    "/reset-password": FormRoute(("token", "password"), signed_in=False),
    "/sign-out": FormRoute((), ends_session=True),
    "/budgets": FormRoute(
        (
            "name",
            "customer_id",
            "agent",
            "section",
            "provider",
            "model",
            "period",
            "amount_usd",
            "alert_at",
            "emails",
            "webhook_url",
            "enforce",
        )
    ),
    "/budgets/{budget_id}/delete": FormRoute(()),
    "/onboarding/key": FormRoute(()),
    "/onboarding/install": FormRoute(("key",)),
    "/settings/api-keys": FormRoute(("name",)),
    "/settings/api-keys/{key_id}/revoke": FormRoute(()),
    "/settings/prices": FormRoute(
        (
            "provider",
            "model",
            "input_usd_per_mtok",
            "output_usd_per_mtok",
            "cached_input_usd_per_mtok",
            "cache_write_usd_per_mtok",
        )
    ),
    "/settings/prices/{price_id}/delete": FormRoute(()),
    "/settings/profile/name": FormRoute(("name",)),
    "/settings/profile/email": FormRoute(("email", "email_password")),
    "/settings/profile/password": FormRoute(("current_password", "new_password")),
    "/settings/profile/sessions/revoke": FormRoute(("scope",), ends_session=True),
    "/settings/profile/delete": FormRoute(("confirm_email",), ends_session=True),
    "/settings/team/invitations": FormRoute(("email", "role")),
    "/settings/team/invitations/{invitation_id}/resend": FormRoute(()),
    "/settings/team/invitations/{invitation_id}/revoke": FormRoute(()),
    "/settings/team/members/{user_id}/remove": FormRoute(()),
    "/settings/team/members/{user_id}/role": FormRoute(("role",)),
    "/settings/team/leave": FormRoute((), ends_session=True),
    "/verify-email/resend": FormRoute(("next",)),
    "/invitations/{token}/accept": FormRoute((), ends_session=True),
    "/switch-account": FormRoute(("account_id",), ends_session=True),
    "/settings/billing/checkout": FormRoute(()),
    "/settings/billing/portal": FormRoute(()),
    "/admin/accounts/{account_id}/tier": FormRoute(("tier",), staff=True),
    "/admin/accounts/{account_id}/disable": FormRoute(("reason",), staff=True),
    "/admin/accounts/{account_id}/enable": FormRoute((), staff=True),
    # The console's catch-all (a 404 page for any other URL and method under /admin).
    "/admin": FormRoute((), staff=True),
    "/admin/{rest:path}": FormRoute((), staff=True),
}

FORM_TYPE = "application/x-www-form-urlencoded"
# Under the dashboard's 64 KB body limit with room for the other fields, and far over every
# field's own limit.
HUGE = 12_000


@dataclass(frozen=True)
class Body:
    content: bytes
    content_type: str = FORM_TYPE
    chunked: bool = False


def _encode(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode()


def _with_each_field(value: str) -> Callable[[tuple[str, ...], str], Body]:
    def make(fields: tuple[str, ...], csrf: str) -> Body:
        return Body(_encode([(CSRF_FIELD, csrf), *((name, value) for name in fields)]))

    return make


def _raw(text_per_field: bytes) -> Callable[[tuple[str, ...], str], Body]:
    """Each field set to bytes written into the body as they are (no percent-encoding)."""

    def make(fields: tuple[str, ...], csrf: str) -> Body:
        parts = [f"{CSRF_FIELD}={quote(csrf, safe='')}".encode()]
        parts += [name.encode() + b"=" + text_per_field for name in fields]
        return Body(b"&".join(parts))

    return make


def _missing(_fields: tuple[str, ...], csrf: str) -> Body:
    return Body(_encode([(CSRF_FIELD, csrf)]))


def _duplicated(fields: tuple[str, ...], csrf: str) -> Body:
    pairs = [(CSRF_FIELD, "not the token")]
    for name in fields:
        pairs += [(name, "first"), (name, "x" * 300), (f"{name}[]", "array")]
    return Body(_encode([*pairs, (CSRF_FIELD, csrf)]))


def _json(fields: tuple[str, ...], csrf: str) -> Body:
    names = ", ".join(f'"{name}": [1, {{"a": null}}]' for name in fields)
    return Body(f'{{"{CSRF_FIELD}": "{csrf}", {names}}}'.encode(), "application/json")


def _multipart(fields: tuple[str, ...], csrf: str) -> Body:
    parts = [(CSRF_FIELD, csrf), *((name, "value") for name in fields)]
    body = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="'
        + k.encode()
        + b'"\r\n\r\n'
        + v.encode()
        + b"\r\n"
        for k, v in parts
    )
    return Body(body + b"--b--\r\n", "multipart/form-data; boundary=b")


def _oversized(fields: tuple[str, ...], csrf: str) -> Body:
    return Body(_encode([(CSRF_FIELD, csrf), (fields[0] if fields else "x", "x" * 70_000)]))


def _oversized_chunked(fields: tuple[str, ...], csrf: str) -> Body:
    return Body(_oversized(fields, csrf).content, chunked=True)


def _garbage_charset(fields: tuple[str, ...], csrf: str) -> Body:
    pairs = [(CSRF_FIELD, csrf), *((name, "é") for name in fields)]
    return Body(_encode(pairs), f"{FORM_TYPE}; charset=nope")


MALFORMED: dict[str, Callable[[tuple[str, ...], str], Body]] = {
    "missing fields": _missing,
    "empty fields": _with_each_field(""),
    "blank fields": _with_each_field(" \t\r\n "),
    "numbers where text goes": _with_each_field("-1e999"),
    "text where numbers go": _with_each_field("NaN"),
    "huge values": _with_each_field("x" * HUGE),
    "huge multibyte values": _with_each_field("🙂" * (HUGE // 12)),
    "control characters": _with_each_field("a\x01\x07\x1b[31m\u202e\ufeffb"),
    "NUL bytes": _with_each_field("a\x00b"),
    "lone surrogate escapes": _raw(b"%ED%A0%80"),
    "invalid UTF-8 percent-encoded": _raw(b"%FF%FE%C3%28"),
    "invalid UTF-8 raw": _raw(b"\xff\xfe\xc3\x28"),
    "invalid percent-encoding": _raw(b"%zz%4%"),
    "duplicate and array fields": _duplicated,
    "a JSON body": _json,
    "a multipart body": _multipart,
    "an unknown charset": _garbage_charset,
    "an oversized body": _oversized,
    "an oversized chunked body": _oversized_chunked,
}
