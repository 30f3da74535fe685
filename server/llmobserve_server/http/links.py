"""Absolute links for emails (password resets, invitations).

`PUBLIC_URL` when it is set. Otherwise the address the page was opened at, but only on a
loopback host (`make run`, tests): the Host header is the client's to choose, and a reset link
built from a forged one would hand the token to another site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def absolute_url(request: Request, path: str) -> str:
    return public_base_url(request) + path


def public_base_url(request: Request) -> str:
    """The server's address without a trailing slash: what links in emails start with."""
    settings = request.app.state.settings
    base = str(settings.public_url)
    if "public_url" not in settings.model_fields_set:
        opened = str(request.base_url).rstrip("/")
        if urlsplit(opened).hostname in _LOOPBACK:
            base = opened
    return base.rstrip("/")
