"""Per-unit list prices for services the genai-prices catalogue doesn't cover.

Prices are USD per single unit, keyed by ``(provider, unit name)``; provider names are matched
case-insensitively, unit names exactly. This table is our documented catalogue for per-unit
services: an event priced from it gets cost_source ``"catalog"``.

Pinecone serverless, Standard plan list prices as of 2025
(source: https://www.pinecone.io/pricing/):

* ``read_units``:  $16 per million read units
* ``write_units``: $4 per million write units

Not modelled: storage (billed per GB-month, not per request), the plan's monthly minimum and the
Enterprise plan's higher unit prices; an account on another plan sets a PriceOverride with
``units``.

Tool fees of LLM calls, as units (checked 2026-12-07). The catalogue's own per-model web search
price (genai-prices ``web_searches_kcount``) comes first; this table prices the models it has
none for:

* ``web_search_requests`` at OpenAI: $10 per 1,000 web search tool calls (reasoning and GPT-5
  models; https://platform.openai.com/docs/pricing#built-in-tools)
* ``web_search_requests`` at Anthropic: $10 per 1,000 searches
  (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool#usage-and-pricing)
* ``grounding_requests`` at Google (Gemini API and Vertex AI): $35 per 1,000 grounded prompts
  with Google Search, past the free daily allowance, which is not modelled
  (https://ai.google.dev/gemini-api/docs/pricing, "Grounding with Google Search")
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

__all__ = ["UNIT_PRICES", "WEB_SEARCH_UNITS", "UnitsCharge", "price_units", "unit_price"]

_PER_MILLION = Decimal(1_000_000)
_PER_THOUSAND = Decimal(1_000)

WEB_SEARCH_UNITS = frozenset({"web_search_requests", "grounding_requests"})
"""Units a catalogue model's own web search price (``web_searches_kcount``) prices."""

UNIT_PRICES: Mapping[tuple[str, str], Decimal] = MappingProxyType(
    {
        ("pinecone", "read_units"): Decimal("16") / _PER_MILLION,
        ("pinecone", "write_units"): Decimal("4") / _PER_MILLION,
        ("openai", "web_search_requests"): Decimal("10") / _PER_THOUSAND,
        ("azure", "web_search_requests"): Decimal("10") / _PER_THOUSAND,
        ("anthropic", "web_search_requests"): Decimal("10") / _PER_THOUSAND,
        ("google", "grounding_requests"): Decimal("35") / _PER_THOUSAND,
        ("gemini", "grounding_requests"): Decimal("35") / _PER_THOUSAND,
        ("vertex_ai", "grounding_requests"): Decimal("35") / _PER_THOUSAND,
    }
)
"""USD per single unit, keyed by (lower-case provider, unit name)."""


def unit_price(provider: str | None, unit: str) -> Decimal | None:
    """The list price of one ``unit`` from ``provider``, or None if the table doesn't know it."""
    if not provider:
        return None
    return UNIT_PRICES.get((provider.strip().lower(), unit))


@dataclass(frozen=True, slots=True)
class UnitsCharge:
    """What the priced units of one event cost."""

    cost: Decimal
    """USD, unrounded."""
    overridden: bool
    """Whether an account override priced at least one of the units."""


def _as_decimal(count: object) -> Decimal | None:
    """Exact Decimal for a unit count; None for anything that isn't a finite number."""
    if isinstance(count, int):
        return Decimal(count)
    if isinstance(count, float):
        # repr() is the shortest string that round-trips: 2.5 -> Decimal("2.5"), not the binary
        # expansion. genai-prices converts float usage the same way.
        return Decimal(repr(count)) if math.isfinite(count) else None
    if isinstance(count, Decimal):
        return count if count.is_finite() else None
    return None


def price_units(
    provider: str | None,
    units: Mapping[str, float | int] | None,
    override_units: Mapping[str, Decimal] | None = None,
    catalog_units: Mapping[str, Decimal] | None = None,
) -> UnitsCharge | None:
    """Price ``units`` (unit name -> count), or None when no unit in it has a price.

    For each unit an account override price wins over the catalogue's price for the model
    (``catalog_units``: its web search fee), which wins over the table; units none knows are
    ignored.
    """
    if not units:
        return None
    total = Decimal(0)
    priced = overridden = False
    for name, count in units.items():
        amount = _as_decimal(count)
        if amount is None:
            continue
        override_price = override_units.get(name) if override_units else None
        price = override_price
        if price is None and catalog_units:
            price = catalog_units.get(name)
        if price is None:
            price = unit_price(provider, name)
        if price is None:
            continue
        total += price * amount
        priced = True
        overridden = overridden or override_price is not None
    return UnitsCharge(total, overridden) if priced else None
