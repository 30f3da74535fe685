"""/v1/prices: the account's own model prices (overrides of the public catalogue).

Readable and writable with a session (plus `X-CSRF-Token`) or an API key. A price applies to
events received after it is saved; stored events keep the cost they were given at ingest.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from llmobserve_server.api.deps import AnyCaller
from llmobserve_server.api.text import Text
from llmobserve_server.db.models import ModelPrice
from llmobserve_server.errors import ApiError
from llmobserve_server.http.deps import DbDep
from llmobserve_server.money import format_usd
from llmobserve_server.pricing.overrides_store import (
    delete_price,
    list_prices,
    save_price,
    unpriced_models,
)
from llmobserve_server.pricing.price_input import InvalidPrice, parse_price_input

router = APIRouter(prefix="/v1/prices", tags=["prices"])

Amount = str | int | float | None
_PER_MTOK = 'USD per million tokens, as a decimal string ("2.50").'


class PriceIn(BaseModel):
    provider: Text = Field("", description='The provider, or "" for the model from any provider.')
    model: Text
    input_mtok: Amount = Field(None, description=_PER_MTOK)
    output_mtok: Amount = Field(None, description=_PER_MTOK)
    cached_input_mtok: Amount = Field(None, description=_PER_MTOK + " Default: the input price.")
    cache_write_mtok: Amount = Field(None, description=_PER_MTOK + " Default: the input price.")


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else format_usd(amount)


class PriceOut(BaseModel):
    id: uuid.UUID
    provider: str
    model: str
    input_mtok: str | None
    cached_input_mtok: str | None
    cache_write_mtok: str | None
    output_mtok: str | None
    created_at: datetime

    @classmethod
    def of(cls, price: ModelPrice) -> PriceOut:
        return cls(
            id=price.id,
            provider=price.provider,
            model=price.model,
            input_mtok=_money(price.input_mtok),
            cached_input_mtok=_money(price.cached_input_mtok),
            cache_write_mtok=_money(price.cache_write_mtok),
            output_mtok=_money(price.output_mtok),
            created_at=price.created_at,
        )


class UnpricedModelOut(BaseModel):
    provider: str
    model: str
    events: int
    last_seen: datetime


class PriceListOut(BaseModel):
    prices: list[PriceOut]
    unpriced_models: list[UnpricedModelOut]


@router.get("", response_model=PriceListOut)
def prices(caller: AnyCaller, db: DbDep) -> PriceListOut:
    """The account's prices, and the models whose events no price covered yet."""
    return PriceListOut(
        prices=[PriceOut.of(p) for p in list_prices(db, account_id=caller.account_id)],
        unpriced_models=[
            UnpricedModelOut(
                provider=m.provider, model=m.model, events=m.events, last_seen=m.last_seen
            )
            for m in unpriced_models(db, account_id=caller.account_id)
        ],
    )


@router.post("", response_model=PriceOut, status_code=201)
def set_price(body: PriceIn, caller: AnyCaller, db: DbDep, response: Response) -> PriceOut:
    """Create a price (201), or replace the one for the same provider and model (200)."""
    values = {name: None if value is None else str(value) for name, value in body}
    try:
        price = parse_price_input(values)
    except InvalidPrice as exc:
        raise ApiError(422, "invalid_price", " ".join(exc.errors.values())) from exc
    saved = save_price(db, account_id=caller.account_id, price=price)
    db.commit()
    if not saved.created:
        response.status_code = 200
    return PriceOut.of(saved.price)


@router.delete("/{price_id}", status_code=204)
def remove_price(price_id: uuid.UUID, caller: AnyCaller, db: DbDep) -> Response:
    """Delete a price; events received afterwards are priced by the catalogue again."""
    delete_price(db, account_id=caller.account_id, price_id=price_id)
    db.commit()
    return Response(status_code=204)
