"""Checking what the host application hands the SDK: every public entry point runs its arguments
through these, so that no value, however wrong, raises into the application.

Each helper takes the value, the parameter's name and the entry point's name (for the warning),
and returns a usable value or a fallback. A value that cannot be used is dropped with ONE warning
on the `llmobserve` logger per entry point and parameter (see `_log.warn_once`); it never raises,
whatever it is given (None, bytes, NaN, a 10 MB string, an object whose `__str__` raises).

    text(value, "model", "record_call")       str cut to `limit`, or None
    count(value, "input_tokens", "track")     a whole number 0..10**9 (the wire format's), or 0
    number(value, "duration_ms", "track")     a finite number >= 0, or None
    seconds(value, "timeout", "flush", 2.0)   a timeout in seconds a lock can wait for
    choice(value, ("ok", "error"), "status", "track", "ok")
    mapping(value, "metadata", "track")       a shallow dict copy, or None
    units(value, "track")                     {str: number >= 0}, at most 32 keys, or None
    moment(value, "started_at", "record_call")  a datetime or a time.time() float, or now

A new public function calls them first thing (or in the worker, for what the worker builds) and
is then covered by tests/test_hostile_values.py, which feeds every export hostile values.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from llmobserve._log import warn_once

MAX_COUNT = 10**9  # the wire format's largest token count
MAX_UNITS = 32
MAX_TEXT = 4000  # no string field of the wire format is longer
MAX_SECONDS = min(threading.TIMEOUT_MAX, 366 * 24 * 3600.0)


def describe(value: object) -> str:
    """A short repr for a warning: never raises, never long."""
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__} whose repr() fails>"
    return text if len(text) <= 60 else text[:57] + "..."


def invalid(where: str, name: str, value: object, expected: str, outcome: str) -> None:
    """Warn (once per entry point and parameter) that `value` is not usable."""
    warn_once(
        f"invalid:{where}:{name}",
        "llmobserve.%s(): %s=%s is not %s; %s. (Logged once.)",
        where,
        name,
        describe(value),
        expected,
        outcome,
    )


def text(value: object, name: str, where: str, *, limit: int = MAX_TEXT) -> str | None:
    """A string cut to `limit` characters; numbers and bytes are converted; None stays None."""
    if value is None or isinstance(value, str):
        return value[:limit] if value else None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value[: limit * 4]).decode("utf-8", "replace")[:limit] or None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)[:limit]
    invalid(where, name, value, "a string", "it was left out")
    return None


def count(value: object, name: str, where: str) -> int:
    """A whole number of tokens, 0..10**9; anything else is 0 (the wire format's default)."""
    if type(value) is int and 0 <= value <= MAX_COUNT:  # the usual case, first
        return value
    real = _real(value)
    if real is not None and 0 <= real <= MAX_COUNT:
        return int(real)
    if value is not None:
        invalid(where, name, value, f"a whole number 0..{MAX_COUNT}", "it was left out")
    return 0


def number(value: object, name: str, where: str) -> float | None:
    """A finite number >= 0, or None."""
    real = _real(value)
    if real is not None and 0 <= real < math.inf:
        return real
    if value is not None:
        invalid(where, name, value, "a finite number >= 0", "it was left out")
    return None


def seconds(value: object, name: str, where: str, default: float) -> float:
    """A timeout: a number >= 0 (infinity waits as long as a lock can); else `default`."""
    if value is None:
        return default
    real = _real(value)
    if real is not None and real >= 0:
        return min(real, MAX_SECONDS)
    invalid(where, name, value, "a number of seconds >= 0", f"{default} s was used")
    return default


def choice_or_none(value: object, allowed: tuple[str, ...]) -> str | None:
    """`value` if it is one of `allowed`, else None, silently: a provider's answer, not the
    host's input (a new tier name upstream is no mistake of the app's)."""
    return value if isinstance(value, str) and value in allowed else None


def choice(value: object, allowed: tuple[str, ...], name: str, where: str, default: str) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    invalid(where, name, value, " or ".join(map(repr, allowed)), f"{default!r} was used")
    return default


def mapping(value: object, name: str, where: str) -> dict[Any, Any] | None:
    """A shallow copy of a mapping (the caller may change theirs later), or None."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        try:
            return dict(value)
        except Exception:  # the application's own mapping type failed
            pass
    invalid(where, name, value, "a dict", "it was left out")
    return None


def units(value: object, where: str) -> dict[str, float] | None:
    """Non-token usage: numbers >= 0 under keys of at most 64 characters, at most 32 of them."""
    copied = mapping(value, "units", where)
    if not copied:
        return None
    clean: dict[str, float] = {}
    for key, amount in copied.items():
        label = text(key, "units key", where, limit=64)
        if label is None or "\x00" in label:
            continue
        if len(clean) >= MAX_UNITS:
            invalid(where, "units", value, f"at most {MAX_UNITS} entries", "the rest were left out")
            break
        usable = number(amount, f"units[{label!r}]", where)
        if usable is not None:
            clean[label] = int(amount) if type(amount) is int else usable
    return clean or None


def moment(value: object, name: str, where: str) -> datetime | float:
    """A datetime, or a `time.time()` value, that the wire format can write; else now."""
    if isinstance(value, datetime):
        return value
    real = _real(value)
    if real is not None and 0 <= real <= 253_402_300_799:  # up to the year 9999
        return real
    invalid(where, name, value, "a datetime", "the current time was used")
    return time.time()


def _real(value: object) -> float | None:
    """A number (int, float, Decimal; not bool) as a float, infinities kept; None for NaN and
    for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, Decimal) and value.is_nan():  # a signaling NaN raises when compared
        return None
    try:
        real = float(value)
    except OverflowError:  # an int too large for a float
        real = math.inf if value > 0 else -math.inf
    return None if math.isnan(real) else real


__all__ = [
    "choice",
    "count",
    "describe",
    "invalid",
    "mapping",
    "moment",
    "number",
    "seconds",
    "text",
    "units",
]
