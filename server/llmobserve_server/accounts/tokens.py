"""Random secrets and their stored digests (sessions and API keys keep only a sha256)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def random_token(num_bytes: int = 32) -> str:
    """A URL-safe random string carrying `num_bytes` * 8 bits of randomness."""
    return secrets.token_urlsafe(num_bytes)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def digests_match(expected: str, given: str) -> bool:
    """Constant-time comparison of two digests or tokens."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
