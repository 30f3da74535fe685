"""Webhook signatures: `X-Llmobserve-Signature: t=<unix seconds>,v1=<hex>`, where the hex is
HMAC-SHA256 under the budget's secret of `"<t>." + body`. A receiver recomputes it over the raw
body and the header's `t`, compares in constant time, and refuses a `t` older than a few
minutes (a replay)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Llmobserve-Signature"


def sign(secret: str, body: bytes, *, timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (used by our tests; the docs show it too)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
