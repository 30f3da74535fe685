"""Taking events out of a batch's valid list and reporting them by their index in the batch."""

from __future__ import annotations

from llmobserve_server.ingest.schema import EventIn, RejectedEvent


def refuse(
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
