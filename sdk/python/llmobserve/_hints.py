"""What to tell a person whose API key or collector URL is wrong in a way we can recognise.

Pure functions: each takes what the SDK was given (or what the collector answered) and returns a
sentence that says what is wrong and what to do, or None when nothing is recognisably wrong.

- A key copied from the docs with its placeholder (`llmo_sk_…`, `llmo_sk_...`, `<your key>`)
  cannot work; a key with a character outside printable ASCII cannot even be sent in an HTTP
  header (urllib fails with "'latin-1' codec can't encode … ordinal not in range(256)").
- A collector URL ending in `/v1` (the SDK adds `/v1/events` itself), or one that answers an
  HTML page (the dashboard, a docs site, a proxy's sign-in page), is not the server's base URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

KEY_PREFIX = "llmo_sk_"
_PLACEHOLDER_MARKS = ("…", "...", "<", ">")  # none is in a real key (urlsafe base64)
_API_SUFFIXES = ("/v1/events", "/v1/ping", "/v1")


def api_key_problem(key: str) -> str | None:
    """Why `key` cannot be an API key, or None when it may be one.

    Example:
        ```python
        api_key_problem("llmo_sk_…")  # "llmobserve: replace the placeholder API key …"
        api_key_problem("llmo_sk_" + 43 * "x")  # None
        ```
    """
    if key == KEY_PREFIX or any(mark in key for mark in _PLACEHOLDER_MARKS):
        return (
            f"llmobserve: replace the placeholder API key {key[:40]!r} with your own key "
            "(Settings → API keys → Create key; it starts with llmo_sk_ and has no '…'). "
            "Nothing will be recorded until then."
        )
    bad = next((ch for ch in key if not " " < ch < "\x7f"), None)
    if bad is not None:
        return (
            f"llmobserve: the API key contains {_quoted(bad)} at position {key.index(bad)}, "
            "which no API key has: copy it again from Settings → API keys (a key is letters, "
            "digits, '-' and '_'). Nothing will be recorded until then."
        )
    return None


def collector_url_problem(url: str) -> str | None:
    """A hint when `url` is not a base URL (it ends in `/v1` or an API path), else None.

    Example:
        ```python
        collector_url_problem("http://127.0.0.1:8000/v1")  # "… use 'http://127.0.0.1:8000' …"
        ```
    """
    path = urlsplit(url).path.rstrip("/")
    for suffix in _API_SUFFIXES:
        if path.endswith(suffix):
            base = _with_path(url, path[: -len(suffix)])
            return (
                f"llmobserve: the collector URL {quoted(url)} ends in {suffix!r}, but the SDK adds "
                f"the API paths itself: use {quoted(base)} (collector_url or "
                "LLMOBSERVE_COLLECTOR_URL)."
            )
    return None


def answer_problem(url: str, status: int | None, body: bytes) -> str | None:
    """A hint when the collector's answer shows `url` is not the llmobserve API: an HTML page
    (the dashboard, or any web site), a redirect (the API never sends one; the dashboard sends
    signed-out browsers to its sign-in page), or a 404 for the API's own paths. None otherwise.
    """
    if status is None:
        return None
    if 300 <= status < 400:
        what = f"a redirect (HTTP {status})"
    elif status < 500 and _looks_like_html(body):  # (a proxy's 502 page is not a wrong URL)
        what = f"a web page (HTTP {status})"
    elif status in (404, 405):
        what = f"HTTP {status} for the API's own paths"
    else:
        return None
    return collector_url_problem(url) or (
        f"llmobserve: {quoted(url)} answered with {what}, so it is not the llmobserve API: set "
        f"collector_url (or LLMOBSERVE_COLLECTOR_URL) to the server's base URL, {_advice(url)}."
    )


def _advice(url: str) -> str:
    base = _with_path(url, "")
    if base != url.rstrip("/"):
        return f"e.g. {quoted(base)}, without a page path such as /runs"
    return "exactly as the server answers it (https:// if it redirects there)"


def _looks_like_html(body: bytes) -> bool:
    start = body[:256].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _quoted(ch: str) -> str:
    if ch.isspace():
        return "a space or line break"
    return f"the character {ch!r} (U+{ord(ch):04X})"


def quoted(text: str, limit: int = 300) -> str:
    """`text` quoted for a warning, cut at `limit` characters (a warning is one readable line)."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")
