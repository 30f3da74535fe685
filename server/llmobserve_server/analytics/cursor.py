"""Opaque pagination cursors: base64url JSON, so clients cannot depend on what is inside.

A cursor comes back from the client, so it is untrusted input like any other: anything that is
not a position this API handed out (too long, nested, NUL characters, an offset or a time out of
range) is a 400 `invalid_cursor`, never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timezone
from typing import Any

from llmobserve_server.domain_errors import Malformed

MAX_CURSOR_CHARS = 1024  # the cursors handed out are a few hundred characters at most
MAX_OFFSET = 10**9


def encode_cursor(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The flat list of strings and numbers inside `cursor`; `invalid_cursor` otherwise."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise invalid_cursor()
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise invalid_cursor() from exc
    if not isinstance(position, list) or not all(map(_is_storable_scalar, position)):
        raise invalid_cursor()
    return position


def _is_storable_scalar(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    return isinstance(value, int) and not isinstance(value, bool)


def cursor_offset(value: Any) -> int:
    """An offset read from a cursor: an integer from 0 to MAX_OFFSET; `invalid_cursor` else."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_OFFSET:
        raise invalid_cursor()
    return value


def cursor_instant(value: Any) -> datetime:
    """A time read from a cursor: an RFC 3339 string with an offset, as UTC; `invalid_cursor`
    for anything else, a time out of range in UTC included (9999-12-31T23:59:59-01:00)."""
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
        if instant is None or instant.tzinfo is None:
            raise invalid_cursor()
        return instant.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise invalid_cursor() from exc


def invalid_cursor() -> Malformed:
    """The error for a cursor that does not decode to a position this API hands out."""
    return Malformed(
        "invalid_cursor",
        "The cursor is not one this API returned; start again without `cursor`.",
    )
