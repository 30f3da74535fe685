"""Cost computation at ingest: what one LLM or vector-database event cost, and who said so.

Entry point: :func:`price_event`. Pure functions, no database; the catalogue is the
genai-prices data bundled with the installed package (never auto-updated at runtime).
"""

from __future__ import annotations

from .catalog import (
    CatalogModel,
    TokenUsage,
    catalog_token_cost,
    clear_catalog_cache,
    lookup_model,
)
from .price_event import (
    COST_QUANTUM,
    CostSource,
    PricedEvent,
    PriceOverride,
    price_event,
    quantize_cost,
)
from .units import UNIT_PRICES, price_units, unit_price

__all__ = [
    "COST_QUANTUM",
    "UNIT_PRICES",
    "CatalogModel",
    "CostSource",
    "PriceOverride",
    "PricedEvent",
    "TokenUsage",
    "catalog_token_cost",
    "clear_catalog_cache",
    "lookup_model",
    "price_event",
    "price_units",
    "quantize_cost",
    "unit_price",
]
