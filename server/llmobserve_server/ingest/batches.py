"""A batch on its way through the pipeline: read (validated), priced (ready to store), stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from llmobserve_server.billing.plans import Plan
from llmobserve_server.ingest.schema import BatchResult, EventIn, RejectedEvent


@dataclass(frozen=True)
class IncomingBatch:
    """A batch decoded and validated, before any database work: the valid events in batch
    order, the invalid ones by index, and when it was received (the month it counts in)."""

    received_at: datetime
    valid: list[EventIn]
    rejected: list[RejectedEvent]


@dataclass(frozen=True)
class PricedBatch:
    """A batch ready to store: whose it is and on which plan, its valid events with their
    trace_events rows (`rows[i]` is `valid[i]`'s; a repeated id shares one row), and the events
    refused so far by index."""

    account_id: uuid.UUID
    plan: Plan
    received_at: datetime
    valid: list[EventIn]
    rows: list[dict[str, Any]]
    rejected: list[RejectedEvent]
    budgets_version: int = 0  # the account's, read with the key: 0 when it never had a budget

    @property
    def size(self) -> int:
        """The events the client sent in it."""
        return len(self.valid) + len(self.rejected)


@dataclass(frozen=True)
class StoredBatch:
    """What the batch did: the answer for the client, and the month's count it moved (for the
    usage emails, sent after the commit)."""

    result: BatchResult
    month: datetime  # the UTC month of receipt
    counted: int  # events added to the month's quota count
    used_after: int | None  # the month's count after this batch; None when nothing was counted
