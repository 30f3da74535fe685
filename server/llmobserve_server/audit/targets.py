"""How the log names what an action was done to: never a secret, only what identifies it."""

from __future__ import annotations

from llmobserve_server.db.models import ApiKey


def describe_key(api_key: ApiKey) -> str:
    """`production (llmo_sk_AbCd…wxyz)`: the name and the ends of the key the keys page shows."""
    return f"{api_key.name} ({api_key.key_prefix}…{api_key.key_last4})"
