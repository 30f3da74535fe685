"""One batch in: each event validated on its own, priced, then stored with its rollups, checked
against the month's quota (ingest/group_store.py: alone, or in a group commit with the batches
that arrived with it, ingest/pipeline.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.plans import Plan
from llmobserve_server.ingest.batches import IncomingBatch as IncomingBatch
from llmobserve_server.ingest.batches import PricedBatch as PricedBatch
from llmobserve_server.ingest.batches import StoredBatch as StoredBatch
from llmobserve_server.ingest.group_store import store_group
from llmobserve_server.ingest.overrides import (
    Overrides,
    find_override,
    load_overrides,
    overrides_for,
)
from llmobserve_server.ingest.refusals import refuse
from llmobserve_server.ingest.rows import event_row
from llmobserve_server.ingest.schema import MAX_EVENT_COST_USD, EventIn
from llmobserve_server.ingest.validation import validate_batch
from llmobserve_server.pricing import PricedEvent, TokenUsage, price_event


def read_batch(
    raw_events: list[Any], *, received_at: datetime | None = None, may_contain_nul: bool = True
) -> IncomingBatch:
    """Validate a decoded batch (pure CPU: no database), each event on its own.

    `may_contain_nul=False` (the body had no `\\u0000` escape) spares the per-string NUL scan."""
    received_at = received_at or datetime.now(timezone.utc)
    batch = validate_batch(raw_events, now=received_at, may_contain_nul=may_contain_nul)
    return IncomingBatch(received_at, batch.valid, batch.rejected)


def price_batch(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    plan: Plan,
    batch: IncomingBatch,
    prices_version: int | None = None,
) -> PricedBatch:
    """`price_events` with the account's price overrides read in `db`'s transaction."""
    overrides = account_overrides(
        db, account_id, prices_version=prices_version, needed=bool(batch.valid)
    )
    return price_events(account_id=account_id, plan=plan, batch=batch, overrides=overrides)


def account_overrides(
    db: DbSession, account_id: uuid.UUID, *, prices_version: int | None, needed: bool = True
) -> Overrides:
    """The account's price overrides. `prices_version` (the account's, read in this transaction)
    lets them come from the process's cache (ingest/overrides.py); without it they are read."""
    if not needed:
        return {}
    if prices_version is None:
        return load_overrides(db, account_id)
    return overrides_for(db, account_id, version=prices_version)


def price_events(
    *, account_id: uuid.UUID, plan: Plan, batch: IncomingBatch, overrides: Overrides
) -> PricedBatch:
    """Price the valid events of a batch (CPU only): each gets its trace_events row. An event
    whose price is beyond what one event may cost is rejected as `invalid_event`."""
    valid, rejected = batch.valid, batch.rejected
    priced_by_id: dict[uuid.UUID, PricedEvent] = {}
    unpriceable: list[int] = []
    for position, event in enumerate(valid):
        priced = priced_by_id.get(event.id)
        if priced is None:
            priced = priced_by_id[event.id] = _price(event, overrides)
        if priced.cost_usd > MAX_EVENT_COST_USD:
            unpriceable.append(position)
    if unpriceable:
        valid, rejected = refuse(valid, rejected, unpriceable, _too_costly_error())

    received_at = batch.received_at
    rows_by_id: dict[uuid.UUID, dict[str, Any]] = {}
    rows = []
    for event in valid:
        row = rows_by_id.get(event.id)
        if row is None:
            row = rows_by_id[event.id] = event_row(
                event, priced_by_id[event.id], account_id=account_id, received_at=received_at
            )
        rows.append(row)
    return PricedBatch(account_id, plan, received_at, valid, rows, rejected)


def ingest_batch(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    plan: Plan,
    batch: IncomingBatch,
    prices_version: int | None = None,
) -> StoredBatch:
    """Store the valid events of one batch in the caller's transaction, and commit: a group of
    one (`store_group`), for callers that hold their own session. Invalid ones are reported by
    index; an id seen before (in this batch or an earlier one) is a duplicate and costs nothing.
    Events over the month's quota are rejected with `quota_exceeded`; with no room left at all
    the whole batch is refused (Throttled, 429) and nothing is stored.

    The doors (`/v1/events`, OTLP) go through `ingest.pipeline.IngestPipeline` instead, which
    group-commits concurrent batches."""
    priced = price_batch(
        db, account_id=account_id, plan=plan, batch=batch, prices_version=prices_version
    )
    outcome = store_group(db, [priced])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _price(event: EventIn, overrides: Overrides) -> PricedEvent:
    return price_event(
        provider=event.provider,
        model=event.model,
        timestamp=event.timestamp,
        usage=TokenUsage(
            input_tokens=event.input_tokens,
            cached_input_tokens=event.cached_input_tokens,
            cache_write_input_tokens=event.cache_write_input_tokens,
            output_tokens=event.output_tokens,
            reasoning_tokens=event.reasoning_tokens,
            cache_write_1h_input_tokens=event.cache_write_1h_input_tokens,
            input_audio_tokens=event.input_audio_tokens,
            output_audio_tokens=event.output_audio_tokens,
        ),
        units=event.units,
        client_cost_usd=event.cost_usd,
        override=find_override(overrides, event.provider, event.model),
        service_tier=event.service_tier,
    )


def _too_costly_error() -> dict[str, str]:
    return {
        "code": "invalid_event",
        "message": (
            f"cost: the event's tokens and units price at more than "
            f"${MAX_EVENT_COST_USD:,} for one event; check their counts"
        ),
    }
