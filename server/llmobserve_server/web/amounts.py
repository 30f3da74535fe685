"""Short money for summary tables and headline numbers: cents from a dollar up, four significant
digits below ($0.9650, $0.001317). The costs page and the CSV keep every exact digit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from llmobserve_server.web.filters import usd


def usd_brief(amount: Decimal | None) -> str:
    value = Decimal(0) if amount is None else amount
    if value == 0 or abs(value) >= 1:
        return usd(value)
    quantum = Decimal(1).scaleb(value.adjusted() - 3)  # four significant digits
    return usd(value.quantize(quantum, rounding=ROUND_HALF_UP))
