"""A group of priced batches stored in one transaction: each batch answered as if it had been
stored alone, in arrival order, and one commit for all.

    outcomes = store_group(db, [first, second, third])   # arrival order; commits
    outcomes[1]  # StoredBatch(result=BatchResult(accepted=…), …), or Throttled (429)

What each batch gets is what it would have got stored on its own after the ones before it:
- its quota room is what the month has left after the earlier batches of its account took
  theirs (the month's counter row is locked first, `billing.quota.lock_month_count`); with no
  room at all it is refused whole (Throttled, 429) and stores nothing, and the others go on;
- an id is new for the first batch that sends it (an earlier batch of the group, or an earlier
  commit, makes it a duplicate for later ones), and the first version is the one kept.

Per account (accounts by id, the lock order `ingest/store.py` explains) the events go in with
one insert and the rollups with one set of upserts, every account's in the final pipeline with
the COMMIT. Row Level Security allows one account's rows per statement, so a group of many
accounts sends one insert each; the commit, its WAL flush and the rollup rows are shared.

The room is first worked out as if every event sent were new. Only when that would refuse
something (a limited plan near its limit) does the group read which ids are stored already, so
that a resend takes no room a new event could have, as when the batches are stored one by one.
A failure raises: the caller (ingest/group_writer.py's writer, through `ingest.pipeline`) then
stores the group's batches one by one, so that one bad batch never fails another.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.billing.quota import (
    QUOTA_EXCEEDED,
    is_counted,
    lock_month_count,
    month_start,
    over_quota_message,
    quota_exceeded_error,
    take_room,
)
from llmobserve_server.db.scope import scope_session
from llmobserve_server.domain_errors import Throttled
from llmobserve_server.ingest.batches import PricedBatch, StoredBatch
from llmobserve_server.ingest.refusals import refuse
from llmobserve_server.ingest.schema import BatchResult, EventIn, RejectedEvent
from llmobserve_server.ingest.store import AccountRollups, commit_rollups, insert_events, stored_ids

Outcome = StoredBatch | Throttled


@dataclass(frozen=True)
class _Admitted:
    """A batch past the quota: the events it may store (and their rows), the refused by index."""

    valid: list[EventIn]
    rows: list[dict[str, Any]]
    rejected: list[RejectedEvent]


def store_group(db: DbSession, batches: list[PricedBatch]) -> list[Outcome]:
    """Store `batches` (in arrival order) in the session's transaction and commit; each batch's
    outcome, in the same order. Raises, with nothing committed, when the database refuses."""
    by_account: dict[uuid.UUID, list[int]] = {}
    for position, batch in enumerate(batches):
        by_account.setdefault(batch.account_id, []).append(position)
    admitted: list[_Admitted | Throttled | None] = [None] * len(batches)
    new_rows: list[list[dict[str, Any]]] = [[] for _ in batches]
    for account_id in sorted(by_account):
        positions = by_account[account_id]
        decided = _admit(db, account_id, [batches[p] for p in positions])
        # Each id's row comes from the first batch that sends it: the version that is kept.
        first: dict[uuid.UUID, tuple[int, dict[str, Any]]] = {}
        for position, decision in zip(positions, decided, strict=True):
            admitted[position] = decision
            if isinstance(decision, _Admitted):
                for row in decision.rows:
                    first.setdefault(row["id"], (position, row))
        inserted = insert_events(db, [row for _, row in first.values()], account_id=account_id)
        for event_id, (position, row) in first.items():  # in batch order: runs take their
            if event_id in inserted:  # names from the first events that carry one
                new_rows[position].append(row)

    rollups: dict[uuid.UUID, AccountRollups] = {}
    counted = [sum(1 for row in rows if is_counted(row)) for rows in new_rows]
    for position, batch in enumerate(batches):
        account = rollups.setdefault(batch.account_id, AccountRollups(batch.account_id, [], {}))
        account.new_rows.extend(new_rows[position])
        month = month_start(batch.received_at)
        account.counted[month] = account.counted.get(month, 0) + counted[position]
    counts = commit_rollups(db, list(rollups.values()))
    return _outcomes(batches, admitted, new_rows, counted, counts)


def _admit(
    db: DbSession, account_id: uuid.UUID, batches: list[PricedBatch]
) -> list[_Admitted | Throttled]:
    """One account's batches past its quota, in arrival order."""
    limited = {
        month_start(batch.received_at)
        for batch in batches
        if batch.valid and batch.plan.events_per_month is not None
    }
    if not limited:
        return [_Admitted(batch.valid, batch.rows, batch.rejected) for batch in batches]
    scope_session(db, account_id=account_id)  # Row Level Security: the counter is the account's
    used = {month: lock_month_count(db, account_id, month) for month in sorted(limited)}
    decided = _take_rooms(batches, used, known=())
    if any(
        not _all_admitted(batch, decision) for batch, decision in zip(batches, decided, strict=True)
    ):
        sent = {event.id for batch in batches for event in batch.valid if is_counted(event)}
        decided = _take_rooms(batches, used, known=stored_ids(db, sent))
    return decided


def _all_admitted(batch: PricedBatch, decision: _Admitted | Throttled) -> bool:
    return isinstance(decision, _Admitted) and len(decision.valid) == len(batch.valid)


def _take_rooms(
    batches: list[PricedBatch], locked: dict[datetime, int], *, known: Collection[uuid.UUID]
) -> list[_Admitted | Throttled]:
    """Each batch's share of its month's room, one after the other: what the months' locked
    counts leave after the earlier batches. `known` ids are stored already: they take no room."""
    used = dict(locked)
    accepted = set(known)  # ids that will be duplicates for the batches after
    decided: list[_Admitted | Throttled] = []
    for batch in batches:
        limit = batch.plan.events_per_month
        month = month_start(batch.received_at)
        decision: _Admitted | Throttled
        if not batch.valid or limit is None:
            decision = _Admitted(batch.valid, batch.rows, batch.rejected)
            if month in used:  # an unlimited batch among limited ones (the plan just changed)
                used[month] += take_room(batch.valid, None, accepted)[1]
        elif limit - used[month] <= 0:
            decision = quota_exceeded_error(batch.plan, batch.received_at)
        else:
            over, taken = take_room(batch.valid, limit - used[month], accepted)
            used[month] += taken
            decision = _without(batch, over)
        if isinstance(decision, _Admitted):
            accepted.update(event.id for event in decision.valid)
        decided.append(decision)
    return decided


def _without(batch: PricedBatch, over: list[int]) -> _Admitted:
    if not over:
        return _Admitted(batch.valid, batch.rows, batch.rejected)
    error = {
        "code": QUOTA_EXCEEDED,
        "message": over_quota_message(batch.plan, batch.received_at),
    }
    valid, rejected = refuse(batch.valid, batch.rejected, over, error)
    refused = set(over)
    rows = [row for position, row in enumerate(batch.rows) if position not in refused]
    return _Admitted(valid, rows, rejected)


def _outcomes(
    batches: list[PricedBatch],
    admitted: list[_Admitted | Throttled | None],
    new_rows: list[list[dict[str, Any]]],
    counted: list[int],
    counts: dict[tuple[uuid.UUID, datetime], int],
) -> list[Outcome]:
    """Each batch's answer. A month's count after each batch is the count after the commit less
    what the later batches of the group added to it: the intervals tile the month, as they do
    when batches commit one by one."""
    later: dict[tuple[uuid.UUID, datetime], int] = {}
    outcomes: list[Outcome] = []
    for position in reversed(range(len(batches))):
        batch, decision = batches[position], admitted[position]
        assert decision is not None
        if isinstance(decision, Throttled):
            outcomes.append(decision)
            continue
        key = (batch.account_id, month_start(batch.received_at))
        used_after = None
        if counted[position]:
            used_after = counts[key] - later.get(key, 0)
            later[key] = later.get(key, 0) + counted[position]
        accepted = len(new_rows[position])
        result = BatchResult(
            accepted=accepted,
            duplicates=len(decision.valid) - accepted,
            rejected=decision.rejected,
        )
        outcomes.append(StoredBatch(result, key[1], counted[position], used_after))
    outcomes.reverse()
    return outcomes
