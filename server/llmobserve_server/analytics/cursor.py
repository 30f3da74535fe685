"""Opaque pagination cursors: base64url JSON, so clients cannot depend on what is inside."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from llmobserve_server.errors import ApiError


def encode_cursor(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise invalid_cursor() from exc
    if not isinstance(position, list):
        raise invalid_cursor()
    return position


def invalid_cursor() -> ApiError:
    """The error for a cursor that does not decode to a position this API hands out."""
    return ApiError(422, "invalid_cursor", "The cursor is not one this API returned.")
