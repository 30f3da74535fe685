"""An account's own model prices, as ingestion prices a batch with them.

Each server process keeps every account's overrides in memory with the account's
`prices_version`, which the database moves on every change to its `model_prices` (a trigger,
migration 010) and which the API key lookup reads anyway: a batch reloads them only when that
number has moved, so most batches send no query for them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import ModelPrice
from llmobserve_server.pricing import PriceOverride

OverrideKey = tuple[str, str]  # (provider, model); provider "" matches any provider
Overrides = dict[OverrideKey, PriceOverride]

_CACHED_ACCOUNTS = 10_000  # past this many, the cache starts again (a few hundred bytes each)
_cache: dict[uuid.UUID, tuple[int, Overrides]] = {}


def overrides_for(db: DbSession, account_id: uuid.UUID, *, version: int) -> Overrides:
    """The account's overrides at `version` (its `prices_version` in this transaction): from
    this process's cache when they were loaded at that version, else from the database. The
    dicts are shared between batches: read them, never change them."""
    cached = _cache.get(account_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    overrides = load_overrides(db, account_id)
    if len(_cache) >= _CACHED_ACCOUNTS:
        _cache.clear()
    _cache[account_id] = (version, overrides)
    return overrides


def load_overrides(db: DbSession, account_id: uuid.UUID) -> Overrides:
    # Columns rather than ORM objects: this can run once per ingested batch.
    prices = db.execute(
        select(
            ModelPrice.provider,
            ModelPrice.model,
            ModelPrice.input_mtok,
            ModelPrice.cached_input_mtok,
            ModelPrice.cache_write_mtok,
            ModelPrice.output_mtok,
            ModelPrice.units,
        ).where(ModelPrice.account_id == account_id)
    )
    return {
        (price.provider, price.model): PriceOverride(
            input_mtok=price.input_mtok,
            cached_input_mtok=price.cached_input_mtok,
            cache_write_mtok=price.cache_write_mtok,
            output_mtok=price.output_mtok,
            units={name: Decimal(str(value)) for name, value in (price.units or {}).items()},
        )
        for price in prices
    }


def find_override(
    overrides: Overrides, provider: str | None, model: str | None
) -> PriceOverride | None:
    if not overrides or model is None:
        return None
    return overrides.get((provider or "", model)) or overrides.get(("", model))
