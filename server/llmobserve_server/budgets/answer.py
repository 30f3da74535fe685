"""The `/v1/events` answer with the account's blocked budgets: `budgets_blocked` is present
when the account has (or had) budgets, so the SDK learns the list on every flush without a
request of its own; accounts without budgets get the answer they always got."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import BackgroundTasks, Request
from pydantic import BaseModel

from llmobserve_server.budgets.alerts.delivery import deliver_in_background
from llmobserve_server.budgets.evaluation import Evaluation
from llmobserve_server.ingest.schema import BatchResult


class BlockedBudgetOut(BaseModel):
    budget_id: uuid.UUID
    name: str
    scope: dict[str, str]
    until: datetime


class EventsAnswer(BatchResult):
    budgets_blocked: list[BlockedBudgetOut] | None = None


def answer_with_budgets(
    request: Request, background: BackgroundTasks, result: BatchResult, evaluation: Evaluation
) -> EventsAnswer:
    """The answer for the client; the alerts the batch queued go out after it."""
    deliver_in_background(request, background, evaluation.deliveries)
    blocked = (
        None
        if evaluation.blocked is None
        else [
            BlockedBudgetOut(budget_id=b.budget_id, name=b.name, scope=b.scope, until=b.until)
            for b in evaluation.blocked
        ]
    )
    # model_construct: the fields are already valid, and this runs once per batch.
    return EventsAnswer.model_construct(**dict(result), budgets_blocked=blocked)
