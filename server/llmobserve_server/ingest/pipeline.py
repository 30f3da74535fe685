"""The way in for every door (`/v1/events`, OTLP): a batch read, its key checked, priced, then
group-committed with the batches that arrive with it, and answered once durable.

    pipeline = IngestPipeline(session_factory, max_events=2000, max_wait=0.002)  # one per app
    receipt = await pipeline.receive(token=api_key, read=lambda: read_batch(events))
    receipt.result     # BatchResult: this batch's own accepted, duplicates and rejected
    pipeline.close()   # at shutdown: writes what is queued, then stops

`receive` runs the CPU work (the door's `read`, the key check, pricing) on a worker thread and
waits for the group writer (ingest/group_writer.py) without holding one. The writer stores each
group in one transaction (ingest/group_store.py); when that fails, it stores the group's
batches one by one, each retried on a deadlock as before, so a batch the database refuses
fails alone and the others are stored. A receipt comes back only after its group's COMMIT: a
200 still means durable.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace

from anyio import to_thread
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from llmobserve_server.accounts.api_keys import (
    KeyOwner,
    authenticate_key,
    key_use_due,
    record_key_use,
)
from llmobserve_server.billing.plans import plan_for
from llmobserve_server.billing.usage_alerts import DueAlerts, alerts_due
from llmobserve_server.budgets.evaluation import Evaluation
from llmobserve_server.budgets.ingest_hook import NOTHING, budgets_after_commit
from llmobserve_server.db.engine import READ_ONLY
from llmobserve_server.db.scope import scope_session
from llmobserve_server.ingest.batches import IncomingBatch, PricedBatch, StoredBatch
from llmobserve_server.ingest.group_store import Outcome, store_group
from llmobserve_server.ingest.group_writer import GroupWriter
from llmobserve_server.ingest.retry import TRANSACTION_ATTEMPTS, is_retryable
from llmobserve_server.ingest.schema import BatchResult
from llmobserve_server.ingest.service import account_overrides, price_events
from llmobserve_server.observability.metrics import (
    DB_CONNECTION_WAIT,
    THREADPOOL_WAIT,
    record_group,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """What a door answers with: whose batch it was, its result, and the usage emails due."""

    account_id: uuid.UUID
    result: BatchResult
    alerts: DueAlerts | None
    budgets: Evaluation  # the account's budgets after the commit (`budgets_blocked`)


class IngestPipeline:
    """One per app: prepares batches on worker threads and group-commits them."""

    def __init__(
        self, session_factory: sessionmaker[DbSession], *, max_events: int, max_wait: float
    ) -> None:
        self._session_factory = session_factory
        self._writer: GroupWriter[PricedBatch, Outcome] = GroupWriter(
            self._write, max_events=max_events, max_wait=max_wait, name="ingest-group-writer"
        )

    async def receive(self, *, token: str, read: Callable[[], IncomingBatch]) -> Receipt:
        """Store a batch sent with the API key `token`. `read` decodes and validates the door's
        body (CPU only); what it raises is raised after the key check, so a caller without a
        valid key learns nothing about its body. Raises the key check's and the quota's
        refusals (Unauthorized, Forbidden, Throttled)."""
        batch = await to_thread.run_sync(self.prepare, token, read, time.perf_counter())
        stored = await asyncio.wrap_future(self.submit(batch))
        assert isinstance(stored, StoredBatch)
        alerts = alerts_due(account_id=batch.account_id, plan=batch.plan, stored=stored)
        budgets = NOTHING
        if batch.budgets_version:  # an account that never had a budget: not a single statement
            budgets = await to_thread.run_sync(self._evaluate_budgets, batch)
        return Receipt(batch.account_id, stored.result, alerts, budgets)

    def submit(self, batch: PricedBatch) -> Future[Outcome]:
        """Queue a priced batch for the next group commit; its outcome once committed (a
        StoredBatch, or the Throttled refusal of a batch with no room left)."""
        return self._writer.submit(batch, events=batch.size)

    def close(self, timeout: float | None = None) -> None:
        """Write the queued batches, then stop the writer."""
        self._writer.close(timeout)

    def prepare(
        self, token: str, read: Callable[[], IncomingBatch], queued_at: float | None = None
    ) -> PricedBatch:
        """Read the batch, check the key and price the events (on the caller's thread): the key
        and the price overrides are read in a short transaction of its own, ended before the
        batch is queued."""
        started = time.perf_counter()
        if queued_at is not None:
            THREADPOOL_WAIT.observe(started - queued_at)
        batch: IncomingBatch | None = None
        unreadable: Exception | None = None
        try:
            batch = read()
        except Exception as exc:  # answered after the key check
            unreadable = exc
        with self._session_factory() as db:
            # Reads only (the key's use is recorded apart, once a minute): on SQLite it then
            # does not wait for the write lock that group commits hold.
            db.connection(execution_options={READ_ONLY: True})
            DB_CONNECTION_WAIT.observe(time.perf_counter() - started)
            owner = authenticate_key(db, token, record_use=False)
            if unreadable is not None:
                raise unreadable
            assert batch is not None
            account = owner.account
            overrides = account_overrides(
                db, account.id, prices_version=account.prices_version, needed=bool(batch.valid)
            )
            db.commit()
        if key_use_due(owner.api_key):
            self._record_use(owner)
        plan = plan_for(account.subscription_tier)
        priced = price_events(account_id=account.id, plan=plan, batch=batch, overrides=overrides)
        return replace(priced, budgets_version=account.budgets_version)

    def _evaluate_budgets(self, batch: PricedBatch) -> Evaluation:
        """Budgets: after the batch's commit, the one call into budgets/ (its own transaction)."""
        with self._session_factory() as db:
            scope_session(db, account_id=batch.account_id)
            return budgets_after_commit(
                db,
                account_id=batch.account_id,
                budgets_version=batch.budgets_version,
                batch=IncomingBatch(batch.received_at, batch.valid, batch.rejected),
            )

    def _record_use(self, owner: KeyOwner) -> None:
        with self._session_factory() as db:
            scope_session(db, account_id=owner.account.id)
            record_key_use(db, owner.api_key)
            db.commit()

    def _write(self, batches: list[PricedBatch]) -> list[Outcome | BaseException]:
        """The group in one transaction; if that fails, each batch on its own."""
        started = time.perf_counter()
        if len(batches) > 1:
            try:
                outcomes: list[Outcome | BaseException] = list(self._store(batches))
                _record(batches, started, split=False)
                return outcomes
            except Exception:
                logger.warning(
                    "a group of %d batches failed; storing them one by one",
                    len(batches),
                    exc_info=True,
                )
        outcomes = [self._store_alone(batch) for batch in batches]
        _record(batches, started, split=len(batches) > 1)
        return outcomes

    def _store_alone(self, batch: PricedBatch) -> Outcome | BaseException:
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                return self._store([batch])[0]
            except Exception as exc:  # rolled back whole: safe to run again when retryable
                if attempt == TRANSACTION_ATTEMPTS or not is_retryable(exc):
                    return exc
        raise AssertionError("unreachable")

    def _store(self, batches: list[PricedBatch]) -> list[Outcome]:
        with self._session_factory() as db:
            return store_group(db, batches)


def _record(batches: list[PricedBatch], started: float, *, split: bool) -> None:
    events = sum(batch.size for batch in batches)
    seconds = time.perf_counter() - started
    record_group(batches=len(batches), events=events, seconds=seconds, split=split)
