"""Events recorded at $0 because their model had no price, split by whether it has one now.

    unpriced = unpriced_events(db, account_id=a, start=s, end=e)
    unpriced.without_price   # "N events use a model without a price": add one
    unpriced.priced_since    # at $0 although their model has a price now

An event's cost is computed when it arrives and stored with it, so adding a price changes the
next events, not the past ones: those stay at $0 until they are re-priced. The dashboard's
warning counts only the events whose model still has no price (an account price or the
catalogue's), and says separately, and plainly, that the others stay at $0.

Events with no model at all (a `track()` event without a cost) are left out: there is no model
to add a price for.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.dimensions import Dimension
from llmobserve_server.analytics.rollups import rollup_for
from llmobserve_server.ingest.overrides import find_override, load_overrides
from llmobserve_server.pricing import lookup_model


@dataclass(frozen=True)
class UnpricedEvents:
    without_price: int  # at $0, and their model still has no price
    priced_since: int  # at $0, but their model has a price now (past events are not re-priced)


def unpriced_events(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    start: datetime,
    end: datetime,
    match: Mapping[Dimension, str] | None = None,
) -> UnpricedEvents:
    """The range's events recorded at $0 for want of a price, by whether their model has one
    now (one row per provider and model: few)."""
    rollup = rollup_for(
        account_id=account_id, start=start, end=end, by=("provider", "model"), match=match
    )
    provider, model = rollup.column("provider"), rollup.column("model")
    unpriced = rollup.sum("unpriced_events")
    rows = db.execute(
        select(provider, model, unpriced)
        .where(*rollup.filters, rollup.table.unpriced_events > 0, model != "")
        .group_by(provider, model)
    ).all()
    if not rows:
        return UnpricedEvents(0, 0)
    overrides = load_overrides(db, account_id)
    without = since = 0
    for provider_id, model_id, count in rows:
        priced_now = (
            find_override(overrides, provider_id or None, model_id) is not None
            or lookup_model(provider_id or None, model_id) is not None
        )
        if priced_now:
            since += int(count)
        else:
            without += int(count)
    return UnpricedEvents(without_price=without, priced_since=since)
