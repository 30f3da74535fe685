"""An account's own model prices, loaded once per batch."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import ModelPrice
from llmobserve_server.pricing import PriceOverride

OverrideKey = tuple[str, str]  # (provider, model); provider "" matches any provider


def load_overrides(db: DbSession, account_id: uuid.UUID) -> dict[OverrideKey, PriceOverride]:
    # Columns rather than ORM objects: this runs once per ingested batch.
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
    overrides: dict[OverrideKey, PriceOverride], provider: str | None, model: str | None
) -> PriceOverride | None:
    if not overrides or model is None:
        return None
    return overrides.get((provider or "", model)) or overrides.get(("", model))
