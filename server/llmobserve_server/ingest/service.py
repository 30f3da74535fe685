"""One batch in: each event validated on its own, priced, and stored with its rollups."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.ingest.overrides import find_override, load_overrides
from llmobserve_server.ingest.rows import event_row
from llmobserve_server.ingest.schema import BatchResult
from llmobserve_server.ingest.store import add_to_runs, add_to_usage, insert_events
from llmobserve_server.ingest.validation import validate_batch
from llmobserve_server.pricing import TokenUsage, price_event


def ingest_batch(
    db: DbSession, *, account_id: uuid.UUID, raw_events: list[Any], may_contain_nul: bool = True
) -> BatchResult:
    """Store the valid events of a batch and commit. Invalid ones are reported by index;
    an id seen before (in this batch or an earlier one) is a duplicate and costs nothing.

    `may_contain_nul=False` (the body had no `\\u0000` escape) spares the per-string NUL scan."""
    received_at = datetime.now(timezone.utc)
    batch = validate_batch(raw_events, now=received_at, may_contain_nul=may_contain_nul)
    valid, rejected = batch.valid, batch.rejected

    overrides = load_overrides(db, account_id) if valid else {}
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
    add_to_usage(db, account_id, new_rows)
    add_to_runs(db, account_id, new_rows)
    db.commit()
    return BatchResult(
        accepted=len(new_rows), duplicates=len(valid) - len(new_rows), rejected=rejected
    )
