"""An account's price overrides (`model_prices`): list, save, delete, and the models that
still need one. Used by the settings page and `/v1/prices`; ingest reads the same rows
(`ingest/overrides.py`) at the start of every batch.

A saved price applies to events received from then on: costs are computed at ingest and stored
with each event, so events already stored keep the cost they were given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import ModelPrice, UsageHourly
from llmobserve_server.domain_errors import NotFound
from llmobserve_server.pricing.price_input import PriceInput

MAX_UNPRICED = 100


def list_prices(db: DbSession, *, account_id: uuid.UUID) -> list[ModelPrice]:
    """The account's overrides, by provider then model ("" — any provider — first)."""
    return list(
        db.scalars(
            select(ModelPrice)
            .where(ModelPrice.account_id == account_id)
            .order_by(ModelPrice.provider, ModelPrice.model)
        )
    )


def find_price(
    db: DbSession, *, account_id: uuid.UUID, provider: str, model: str
) -> ModelPrice | None:
    return db.scalar(
        select(ModelPrice).where(
            ModelPrice.account_id == account_id,
            ModelPrice.provider == provider,
            ModelPrice.model == model,
        )
    )


@dataclass(frozen=True)
class SavedPrice:
    price: ModelPrice
    created: bool  # False when an existing override for the same provider/model was replaced


def save_price(db: DbSession, *, account_id: uuid.UUID, price: PriceInput) -> SavedPrice:
    """Create the override, or replace the prices of the one for the same provider and model.
    Keeps any per-unit prices already set. The caller commits."""
    row = find_price(db, account_id=account_id, provider=price.provider, model=price.model)
    created = row is None
    if row is None:
        row = ModelPrice(
            account_id=account_id,
            provider=price.provider,
            model=price.model,
            created_at=datetime.now(timezone.utc),
        )
        db.add(row)
    row.input_mtok = price.input_mtok
    row.cached_input_mtok = price.cached_input_mtok
    row.cache_write_mtok = price.cache_write_mtok
    row.output_mtok = price.output_mtok
    db.flush()
    return SavedPrice(row, created)


def delete_price(db: DbSession, *, account_id: uuid.UUID, price_id: uuid.UUID) -> ModelPrice:
    """Delete one of the account's overrides; 404 for an unknown id or another account's."""
    row = db.scalar(
        select(ModelPrice).where(ModelPrice.account_id == account_id, ModelPrice.id == price_id)
    )
    if row is None:
        raise NotFound("not_found", "Price not found.")
    db.delete(row)
    db.flush()
    return row


@dataclass(frozen=True)
class UnpricedModel:
    provider: str  # "" when the events named no provider
    model: str
    events: int  # events stored at zero cost because no price was known
    last_seen: datetime  # the hour of the latest such event


def unpriced_models(db: DbSession, *, account_id: uuid.UUID) -> list[UnpricedModel]:
    """(provider, model) pairs with events that no price covered, and no override yet;
    the most affected first."""
    has_override = (
        select(ModelPrice.id)
        .where(
            ModelPrice.account_id == account_id,
            ModelPrice.model == UsageHourly.model,
            ModelPrice.provider.in_([UsageHourly.provider, ""]),
        )
        .exists()
    )
    unpriced = func.sum(UsageHourly.unpriced_events)
    rows = db.execute(
        select(UsageHourly.provider, UsageHourly.model, unpriced, func.max(UsageHourly.hour))
        .where(
            UsageHourly.account_id == account_id,
            UsageHourly.unpriced_events > 0,
            UsageHourly.model != "",
            ~has_override,
        )
        .group_by(UsageHourly.provider, UsageHourly.model)
        .order_by(unpriced.desc(), UsageHourly.provider, UsageHourly.model)
        .limit(MAX_UNPRICED)
    )
    return [UnpricedModel(p, m, int(n), last) for p, m, n, last in rows]
