"""One batch in: each event validated on its own, checked against the month's quota, priced,
and stored with its rollups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.plans import Plan
from llmobserve_server.billing.quota import (
    QUOTA_EXCEEDED,
    is_counted,
    lock_room,
    month_start,
    over_quota_message,
    over_room,
)
from llmobserve_server.ingest.overrides import (
    Overrides,
    find_override,
    load_overrides,
    overrides_for,
)
from llmobserve_server.ingest.rows import event_row
from llmobserve_server.ingest.schema import (
    MAX_EVENT_COST_USD,
    BatchResult,
    EventIn,
    RejectedEvent,
)
from llmobserve_server.ingest.store import commit_with_rollups, insert_events
from llmobserve_server.ingest.validation import validate_batch
from llmobserve_server.pricing import PricedEvent, TokenUsage, price_event


@dataclass(frozen=True)
class StoredBatch:
    """What the batch did: the answer for the client, and the month's count it moved (for the
    usage emails, sent after the commit)."""

    result: BatchResult
    month: datetime  # the UTC month of receipt
    counted: int  # events added to the month's quota count
    used_after: int | None  # the month's count after this batch; None when nothing was counted


@dataclass(frozen=True)
class IncomingBatch:
    """A batch decoded and validated, before any database work: the valid events in batch
    order, the invalid ones by index, and when it was received (the month it counts in)."""

    received_at: datetime
    valid: list[EventIn]
    rejected: list[RejectedEvent]


def read_batch(
    raw_events: list[Any], *, received_at: datetime | None = None, may_contain_nul: bool = True
) -> IncomingBatch:
    """Validate a decoded batch (pure CPU: no database), each event on its own.

    `may_contain_nul=False` (the body had no `\\u0000` escape) spares the per-string NUL scan."""
    received_at = received_at or datetime.now(timezone.utc)
    batch = validate_batch(raw_events, now=received_at, may_contain_nul=may_contain_nul)
    return IncomingBatch(received_at, batch.valid, batch.rejected)


def ingest_batch(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    plan: Plan,
    batch: IncomingBatch,
    prices_version: int | None = None,
) -> StoredBatch:
    """Store the valid events of a batch and commit. Invalid ones are reported by index;
    an id seen before (in this batch or an earlier one) is a duplicate and costs nothing.
    Events over the month's quota are rejected with `quota_exceeded`; with no room left at all
    the whole batch is refused (Throttled, 429) and nothing is stored. An event whose price is
    beyond what one event may cost is rejected as `invalid_event`.

    The events are priced first; then, on a plan with a limit, the month's counter is locked
    (billing/quota.py: `lock_room`) and held until the commit, so that concurrent batches of
    the account take their room one after the other and the month never passes its limit.

    `prices_version` (the account's, read in this transaction) lets the price overrides come
    from the process's cache (ingest/overrides.py); without it they are read."""
    received_at = batch.received_at
    valid, rejected = batch.valid, batch.rejected
    overrides: Overrides
    if not valid:
        overrides = {}
    elif prices_version is None:
        overrides = load_overrides(db, account_id)
    else:
        overrides = overrides_for(db, account_id, version=prices_version)
    priced_by_id: dict[uuid.UUID, PricedEvent] = {}
    unpriceable: list[int] = []
    for position, event in enumerate(valid):
        priced = priced_by_id.get(event.id)
        if priced is None:
            priced = priced_by_id[event.id] = _price(event, overrides)
        if priced.cost_usd > MAX_EVENT_COST_USD:
            unpriceable.append(position)
    if unpriceable:
        valid, rejected = _refuse(valid, rejected, unpriceable, _too_costly_error())

    if valid:
        room = lock_room(db, account_id=account_id, plan=plan, now=received_at)
        over = over_room(valid, room)
        if over:
            error = {"code": QUOTA_EXCEEDED, "message": over_quota_message(plan, received_at)}
            valid, rejected = _refuse(valid, rejected, over, error)

    rows_by_id: dict[uuid.UUID, dict[str, Any]] = {}
    for event in valid:
        if event.id not in rows_by_id:
            rows_by_id[event.id] = event_row(
                event, priced_by_id[event.id], account_id=account_id, received_at=received_at
            )

    inserted_ids = insert_events(db, list(rows_by_id.values()))
    new_rows = [row for event_id, row in rows_by_id.items() if event_id in inserted_ids]
    month = month_start(received_at)
    counted = sum(1 for row in new_rows if is_counted(row))
    used_after = commit_with_rollups(db, account_id, new_rows, month=month, counted=counted)
    result = BatchResult(
        accepted=len(new_rows), duplicates=len(valid) - len(new_rows), rejected=rejected
    )
    return StoredBatch(result, month, counted, used_after)


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


def _refuse(
    valid: list[EventIn],
    rejected: list[RejectedEvent],
    positions: list[int],
    error: dict[str, str],
) -> tuple[list[EventIn], list[RejectedEvent]]:
    """`valid` without the events at `positions`, and those added to `rejected` with `error`
    under their index in the batch (the valid events' indexes are those not already rejected)."""
    invalid = {entry.index for entry in rejected}
    batch_indexes = [i for i in range(len(valid) + len(rejected)) if i not in invalid]
    refused = set(positions)
    kept = [event for position, event in enumerate(valid) if position not in refused]
    added = [RejectedEvent(index=batch_indexes[p], error=error) for p in positions]
    return kept, sorted(rejected + added, key=lambda entry: entry.index)
