"""The one call ingestion makes into budgets, after a batch's commit (api/events.py).

    evaluation = budgets_after_commit(db, account_id=a, budgets_version=v, batch=batch)

It never fails the batch: the events are already committed, so a problem evaluating budgets is
logged and the answer goes out without `budgets_blocked`; the next batch evaluates again.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.budgets.evaluation import Evaluation, after_batch
from llmobserve_server.ingest.service import IncomingBatch

logger = logging.getLogger(__name__)

NOTHING = Evaluation(None, ())


def budgets_after_commit(
    db: DbSession, *, account_id: uuid.UUID, budgets_version: int, batch: IncomingBatch
) -> Evaluation:
    if budgets_version == 0:  # never had a budget: not a single statement
        return NOTHING
    try:
        return after_batch(
            db,
            account_id=account_id,
            budgets_version=budgets_version,
            events=batch.valid,
            now=batch.received_at,
        )
    except Exception:
        logger.exception("could not evaluate the budgets of account %s", account_id)
        db.rollback()
        return NOTHING
