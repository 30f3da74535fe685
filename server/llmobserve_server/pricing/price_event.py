"""The cost of one event at ingest, and which source priced it.

Decision order:

1. the account's override for this provider/model (when the caller passes one);
2. the genai-prices catalogue, at the price in force at the event's timestamp for the event's
   service tier (:mod:`.tiers`: the catalogue's variant, else our dated discount or premium);
3. the per-unit table (:mod:`.units`) for ``units`` such as Pinecone read/write units and tool
   fees (``web_search_requests``, ``grounding_requests``; the catalogue's own web search price
   for the model first);
4. ``client_cost_usd``, the cost the client computed itself (custom events);
5. otherwise zero, with cost_source ``"unknown_model"``.

Tokens and units are priced separately and summed: tokens by the override if it sets any token
price, else by the catalogue; each unit by the override's ``units`` if it names it, else by the
table. A server-side price always beats the client's figure: ``client_cost_usd`` is used only
when nothing else priced the event, so a client cannot change what a known model costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Literal

from .catalog import TokenUsage, lookup_model
from .units import WEB_SEARCH_UNITS, price_units

__all__ = [
    "COST_QUANTUM",
    "CostSource",
    "PriceOverride",
    "PricedEvent",
    "price_event",
    "quantize_cost",
]

CostSource = Literal["catalog", "override", "client", "unknown_model"]

COST_QUANTUM = Decimal("1E-10")
"""Costs are rounded (half-even) to 10 decimal places, the scale of the Numeric(20, 10) column."""

_QUANTIZE_CONTEXT = Context(prec=60)  # quantize never overflows the default 28 digits this way
_ZERO = Decimal(0)
_TOKENS_PER = 1_000_000


@dataclass(frozen=True, slots=True)
class PriceOverride:
    """An account's own price for one provider/model, USD per million tokens, and per unit for
    ``units``.

    Cached reads and cache writes default to the input price. An override that sets no token
    price at all (only ``units``) leaves tokens to the catalogue; one that sets some token
    prices charges nothing for the ones it leaves unset.
    """

    input_mtok: Decimal | None = None
    cached_input_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None
    output_mtok: Decimal | None = None
    units: Mapping[str, Decimal] = field(default_factory=dict)
    """Unit name -> USD per single unit."""

    @property
    def prices_tokens(self) -> bool:
        return not (
            self.input_mtok is None
            and self.cached_input_mtok is None
            and self.cache_write_mtok is None
            and self.output_mtok is None
        )

    def token_cost(self, usage: TokenUsage) -> Decimal:
        """USD cost of ``usage`` at these prices, unrounded."""
        input_price = _ZERO if self.input_mtok is None else self.input_mtok
        cached_price = input_price if self.cached_input_mtok is None else self.cached_input_mtok
        write_price = input_price if self.cache_write_mtok is None else self.cache_write_mtok
        output_price = _ZERO if self.output_mtok is None else self.output_mtok
        cached = usage.cached_input_tokens
        written = usage.cache_write_input_tokens  # 1-hour writes included, at the same price
        uncached = max(usage.input_tokens - cached - written, 0)
        per_million = (
            uncached * input_price
            + cached * cached_price
            + written * write_price
            + usage.output_tokens * output_price
        )
        return per_million / _TOKENS_PER


@dataclass(frozen=True, slots=True)
class PricedEvent:
    cost_usd: Decimal
    """USD, rounded half-even to 10 decimal places."""
    cost_source: CostSource


def quantize_cost(cost: Decimal) -> Decimal:
    """Round ``cost`` half-even to :data:`COST_QUANTUM`."""
    return cost.quantize(COST_QUANTUM, ROUND_HALF_EVEN, _QUANTIZE_CONTEXT)


_UNKNOWN = PricedEvent(quantize_cost(_ZERO), "unknown_model")


def price_event(
    *,
    provider: str | None,
    model: str | None,
    timestamp: datetime,
    usage: TokenUsage,
    units: Mapping[str, float | int] | None = None,
    client_cost_usd: Decimal | None = None,
    override: PriceOverride | None = None,
    service_tier: str | None = None,
) -> PricedEvent:
    """Price one event; see the module docstring for the decision order. Never raises for
    unknown providers or models.

    An override's token prices are the account's own: its service tier does not scale them."""
    cost: Decimal | None = None  # None until some server-side price applies
    source: CostSource = "catalog"
    entry = lookup_model(provider, model)
    if override is not None and override.prices_tokens:
        cost = override.token_cost(usage)
        source = "override"
    elif entry is not None:
        cost = entry.token_cost(usage, timestamp, service_tier)

    catalog_units = None
    if units and entry is not None and not WEB_SEARCH_UNITS.isdisjoint(units):
        search = entry.web_search_price(timestamp, service_tier)
        if search is not None:
            catalog_units = dict.fromkeys(WEB_SEARCH_UNITS, search)
    charge = price_units(
        provider, units, override.units if override is not None else None, catalog_units
    )
    if charge is not None:
        if charge.overridden:
            source = "override"
        cost = charge.cost if cost is None else cost + charge.cost

    if cost is not None:
        return PricedEvent(quantize_cost(cost), source)
    if client_cost_usd is not None and client_cost_usd.is_finite():
        return PricedEvent(quantize_cost(client_cost_usd), "client")
    return _UNKNOWN
