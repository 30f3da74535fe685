"""Alert thresholds: fractions of a budget's amount, stored and compared as decimal strings."""

from __future__ import annotations

from decimal import Decimal

EXCEEDED = "1"
"""The threshold every budget records, alerted or not: its crossing is what blocks an enforced
budget's scope."""


def threshold_key(value: Decimal | float | str) -> str:
    """The one spelling of a threshold: 0.8 → "0.8", 1.0 → "1"."""
    return format(Decimal(str(value)).normalize(), "f")


def thresholds_to_check(alert_at: tuple[str, ...]) -> list[str]:
    """The alerted thresholds and EXCEEDED, lowest first."""
    return sorted({*alert_at, EXCEEDED}, key=Decimal)


def reached(spent: Decimal, amount: Decimal, threshold: str) -> bool:
    return spent >= Decimal(threshold) * amount
