"""How amounts of money leave the server: exact decimal strings, never floats."""

from __future__ import annotations

from decimal import Decimal

_MICRO = Decimal("0.000001")


def format_usd(amount: Decimal) -> str:
    """At least six decimals ("0.000870"), more only when they carry value ("0.00000015")."""
    normalized = amount.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -6:
        return f"{amount.quantize(_MICRO):f}"
    return f"{normalized:f}"
