"""Where a `next` parameter may send the browser: only to a path on this site."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` when it is a local path (`/runs?x=1`), else `default`.

    Refuses absolute and scheme-relative URLs (`https://evil`, `//evil`), backslashes (browsers
    read `/\\evil` as `//evil`) and control characters, also in the percent-decoded path
    (`/%2F%2Fevil`, `/%5Cevil`, `/%09/evil`), so sign-in cannot be an open redirect.
    """
    if not value or len(value) > 2000:
        return default
    path = value.split("?", 1)[0].split("#", 1)[0]
    for candidate in (value, unquote(path)):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        if "\\" in candidate or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in candidate):
            return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def path_with_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def sign_in_url(next_path: str) -> str:
    if next_path in ("", "/"):
        return "/sign-in"
    return "/sign-in?next=" + quote(next_path, safe="/")
