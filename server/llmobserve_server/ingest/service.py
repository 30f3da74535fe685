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
    month_start,
    over_quota_message,
    over_room,
    room_left,
)
from llmobserve_server.ingest.overrides import find_override, load_overrides, overrides_for
from llmobserve_server.ingest.rows import event_row
from llmobserve_server.ingest.schema import BatchResult, EventIn, RejectedEvent
from llmobserve_server.ingest.store import commit_with_rollups, insert_events
from llmobserve_server.ingest.validation import validate_batch
from llmobserve_server.pricing import TokenUsage, price_event


@dataclass(frozen=True)
class StoredBatch:
    """What the batch did: the answer for the client, and the month's count it moved (for the
    usage emails, sent after the commit)."""

    result: BatchResult
    month: datetime  # the UTC month of receipt
    counted: int  # events added to the month's quota count
    used_after: int | None  # the month's count after this batch; None when nothing was counted


def ingest_batch(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    plan: Plan,
    raw_events: list[Any],
    may_contain_nul: bool = True,
    prices_version: int | None = None,
) -> StoredBatch:
    """Store the valid events of a batch and commit. Invalid ones are reported by index;
    an id seen before (in this batch or an earlier one) is a duplicate and costs nothing.
    Events over the month's quota are rejected with `quota_exceeded`; with no room left at all
    the whole batch is refused (ApiError 429) and nothing is stored.

    `may_contain_nul=False` (the body had no `\\u0000` escape) spares the per-string NUL scan.
    `prices_version` (the account's, read in this transaction) lets the price overrides come
    from the process's cache (ingest/overrides.py); without it they are read."""
    received_at = datetime.now(timezone.utc)
    batch = validate_batch(raw_events, now=received_at, may_contain_nul=may_contain_nul)
    valid, rejected = batch.valid, batch.rejected
    if valid:
        room = room_left(db, account_id=account_id, plan=plan, now=received_at)
        over = over_room(valid, room)
        if over:
            valid, rejected = _refuse_over_quota(
                valid, rejected, over, over_quota_message(plan, received_at)
            )

    if not valid:
        overrides = {}
    elif prices_version is None:
        overrides = load_overrides(db, account_id)
    else:
        overrides = overrides_for(db, account_id, version=prices_version)
    rows_by_id: dict[uuid.UUID, dict[str, Any]] = {}
    for event in valid:
        if event.id in rows_by_id:
            continue
        priced = price_event(
            provider=event.provider,
            model=event.model,
            timestamp=event.timestamp,
            usage=TokenUsage(
                input_tokens=event.input_tokens,
                cached_input_tokens=event.cached_input_tokens,
                cache_write_input_tokens=event.cache_write_input_tokens,
                output_tokens=event.output_tokens,
                reasoning_tokens=event.reasoning_tokens,
            ),
            units=event.units,
            client_cost_usd=event.cost_usd,
            override=find_override(overrides, event.provider, event.model),
        )
        rows_by_id[event.id] = event_row(
            event, priced, account_id=account_id, received_at=received_at
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


def _refuse_over_quota(
    valid: list[EventIn], rejected: list[RejectedEvent], over: list[int], message: str
) -> tuple[list[EventIn], list[RejectedEvent]]:
    """`valid` without the events at positions `over`, and those added to `rejected` under
    their index in the batch (the valid events' indexes are those not already rejected)."""
    invalid = {entry.index for entry in rejected}
    batch_indexes = [i for i in range(len(valid) + len(rejected)) if i not in invalid]
    error = {"code": QUOTA_EXCEEDED, "message": message}
    refused = set(over)
    kept = [event for position, event in enumerate(valid) if position not in refused]
    over_quota = [RejectedEvent(index=batch_indexes[p], error=error) for p in over]
    return kept, sorted(rejected + over_quota, key=lambda entry: entry.index)
