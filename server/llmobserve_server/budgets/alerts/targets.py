"""Where a webhook may point. In production (`LLMOBSERVE_ENV=production`) a webhook URL must be
https and every address its host resolves to must be public: no loopback, private, link-local,
multicast, reserved or unspecified address, so that an account cannot make the server send
requests into the operator's network. The URL is checked when it is saved (its form, and a
literal address) and again before every attempt (the name resolved then, every address checked:
a name that resolved to a public address yesterday may not today). In development local
receivers are allowed, so that a team can test its endpoint.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from llmobserve_server.domain_errors import Invalid

_FIELD = "notify.webhook_url"


class RefusedTarget(Exception):
    """The webhook's address may not be called from this server."""


def check_webhook_url(url: str, *, production: bool) -> None:
    """Raise Invalid (naming the field) unless `url` may be saved."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid("invalid_budget", f"{_FIELD}: must be an http(s) URL", field=_FIELD)
    if not production:
        return
    if parts.scheme != "https":
        raise Invalid("invalid_budget", f"{_FIELD}: must use https", field=_FIELD)
    literal = _literal_address(parts.hostname)
    if literal is not None and not literal.is_global:
        raise Invalid(
            "invalid_budget",
            f"{_FIELD}: {parts.hostname} is not a public address",
            field=_FIELD,
        )


def check_before_sending(url: str, *, production: bool) -> None:
    """Raise RefusedTarget unless `url` may be called now (resolving its host in production)."""
    parts = urlsplit(url)
    if not production:
        return
    if parts.scheme != "https" or not parts.hostname:
        raise RefusedTarget("webhook URLs must use https in production")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RefusedTarget(f"could not resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise RefusedTarget(f"{parts.hostname} resolves to {address}, not a public address")


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
