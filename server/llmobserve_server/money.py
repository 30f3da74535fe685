"""Money as it leaves the server: one rule for the wire, one for people.

    format_usd(Decimal("0.01999882"))   "0.01999882": exact decimal strings for JSON and CSV
    display_usd(Decimal("0.01999882"))  "$0.02"     every page and template (the `usd` filter)
    display_usd(Decimal("1234.5"))      "$1,234.50"
    display_usd(Decimal("0.000435"))    "$0.000435"

Pages never show a float or a raw Decimal: an amount one page shows is spelt the same on every
other page.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_MICRO = Decimal("0.000001")
_CENT = Decimal("0.01")
SIGNIFICANT_DIGITS = 4
"""Below a dollar, amounts keep this many significant digits (LLM calls cost fractions of a
cent, so cents alone would show most of them as $0.00)."""


def format_usd(amount: Decimal) -> str:
    """At least six decimals ("0.000870"), more only when they carry value ("0.00000015")."""
    normalized = amount.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -6:
        return f"{amount.quantize(_MICRO):f}"
    return f"{normalized:f}"


def display_usd(amount: Decimal | str | int | None) -> str:
    """Dollars for people: thousands separators and cents from a dollar up; below a dollar,
    four significant digits without trailing zeros, but never fewer than two decimals
    ("$0.02", "$0.9650" → "$0.965", "$0.001317"). None is "$0.00"."""
    value = Decimal(0) if amount is None else Decimal(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value == 0:
        return "$0.00"
    if value.quantize(_CENT, rounding=ROUND_HALF_UP) >= 1:
        return f"{sign}${value.quantize(_CENT, rounding=ROUND_HALF_UP):,}"
    quantum = Decimal(1).scaleb(value.adjusted() - (SIGNIFICANT_DIGITS - 1))
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _, decimals = f"{rounded:f}".partition(".")
    return f"{sign}${whole}.{decimals.rstrip('0').ljust(2, '0')}"
