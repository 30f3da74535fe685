"""POST /v1/events: the collector endpoint the SDK sends batches to (API keys only)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import psycopg
from fastapi import APIRouter, BackgroundTasks, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool

from llmobserve_server.accounts.api_keys import authenticate_key
from llmobserve_server.api.deps import bearer_token
from llmobserve_server.billing.plans import plan_for
from llmobserve_server.billing.usage_alerts import DueAlerts, alerts_due, send_usage_alerts
from llmobserve_server.budgets.answer import EventsAnswer, answer_with_budgets
from llmobserve_server.budgets.evaluation import Evaluation
from llmobserve_server.budgets.ingest_hook import budgets_after_commit
from llmobserve_server.errors import ApiError
from llmobserve_server.http.links import absolute_url
from llmobserve_server.ingest.body import decode, parse_events
from llmobserve_server.ingest.retry import TRANSACTION_ATTEMPTS, is_retryable
from llmobserve_server.ingest.schema import BatchResult
from llmobserve_server.ingest.service import IncomingBatch, ingest_batch, read_batch
from llmobserve_server.observability import remember_account
from llmobserve_server.observability.metrics import (
    DB_CONNECTION_WAIT,
    THREADPOOL_WAIT,
    record_batch,
)

router = APIRouter(prefix="/v1", tags=["events"])

# The body is read by hand (to validate each event on its own), so it is described here;
# `llmobserve_server.openapi` adds BatchIn and EventIn to the document's components.
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchIn"}}},
    }
}


@router.post(
    "/events",
    response_model=EventsAnswer,
    response_model_exclude_none=True,
    openapi_extra=_BATCH_BODY,
    responses={
        401: {"description": "Unknown or revoked API key"},
        413: {"description": "More than 1,000 events or 5 MB decoded"},
        422: {"description": 'The body is not JSON of the shape {"events": [...]}'},
        429: {"description": "The plan's events for this month are used up (see Retry-After)"},
    },
)
async def post_events(request: Request, background: BackgroundTasks) -> EventsAnswer:
    """Store a batch of events. Valid events are stored even when others are rejected; an event
    id seen before is counted as a duplicate and costs nothing twice. Events over the month's
    quota are rejected with `quota_exceeded`; once it is used up, batches are answered 429.
    Accepts gzip bodies. Authenticated with an API key: `Authorization: Bearer llmo_sk_…`."""
    token = bearer_token(request)
    if token is None:
        raise ApiError(
            401, "missing_api_key", "Send your API key as `Authorization: Bearer llmo_sk_…`."
        )
    body = await request.body()  # at most 5 MB: BodyLimitMiddleware stops longer bodies
    return await receive_events(request, background, token=token, body=body, read=_read)


BatchReader = Callable[[bytes, "str | None"], IncomingBatch]
"""Decodes a body (and its Content-Encoding) into a validated batch: one per door of the
collector (`/v1/events` here, `/otlp/v1/traces` in api/otlp.py). Raises ApiError when it cannot."""


async def receive_events(
    request: Request,
    background: BackgroundTasks,
    *,
    token: str,
    body: bytes,
    read: BatchReader,
) -> EventsAnswer:
    """The one ingest path every door shares once it has the key and the body: decode with
    `read`, check the key, store the batch (quota, pricing, idempotency, rollups), then the
    usage emails after the response."""
    # The hot path of the collector: the body is decoded and validated on a worker thread before
    # any database work (no connection is held while a request parses), then the key check and
    # the batch share one transaction (FastAPI's sync dependencies would each take a trip to a
    # thread of their own, and the key check a commit of its own).
    account_id, result, alerts, budgets = await run_in_threadpool(
        _receive_batch,
        request.app.state.session_factory,
        token=token,
        body=body,
        content_encoding=request.headers.get("content-encoding"),
        read=read,
        queued_at=time.perf_counter(),
    )
    remember_account(request, account_id)
    record_batch(result)
    if alerts is not None:  # after the response: the client never waits for SMTP
        background.add_task(
            send_usage_alerts,
            request.app.state.session_factory,
            request.app.state.settings,
            alerts,
            link=absolute_url(request, "/settings/billing"),
        )
    return answer_with_budgets(request, background, result, budgets)


def _receive_batch(
    session_factory: sessionmaker[DbSession],
    *,
    token: str,
    body: bytes,
    content_encoding: str | None,
    read: BatchReader,
    queued_at: float,
) -> tuple[uuid.UUID, BatchResult, DueAlerts | None, Evaluation]:
    started = time.perf_counter()
    THREADPOOL_WAIT.observe(started - queued_at)
    batch: IncomingBatch | None = None
    unreadable: ApiError | None = None
    try:
        batch = read(body, content_encoding)
    except ApiError as exc:  # answered after the key check: a caller without a key learns nothing
        unreadable = exc
    for _ in range(TRANSACTION_ATTEMPTS - 1):
        try:
            return _store(session_factory, token, batch, unreadable, started=time.perf_counter())
        except (OperationalError, psycopg.Error) as exc:  # rolled back whole: safe to run again
            if not is_retryable(exc):
                raise
    return _store(session_factory, token, batch, unreadable, started=time.perf_counter())


def _read(body: bytes, content_encoding: str | None) -> IncomingBatch:
    """Decode, parse and validate the body: CPU only, in time linear in its size."""
    decoded = decode(body, content_encoding)
    return read_batch(parse_events(decoded), may_contain_nul=b"\\u0000" in decoded)


def _store(
    session_factory: sessionmaker[DbSession],
    token: str,
    batch: IncomingBatch | None,
    unreadable: ApiError | None,
    *,
    started: float,
) -> tuple[uuid.UUID, BatchResult, DueAlerts | None, Evaluation]:
    with session_factory() as db:
        db.connection()  # begins the transaction: the wait for a connection (or SQLite's lock)
        DB_CONNECTION_WAIT.observe(time.perf_counter() - started)
        owner = authenticate_key(db, token)  # its last_used_at commits with the batch
        if unreadable is not None:
            raise unreadable
        assert batch is not None
        plan = plan_for(owner.account.subscription_tier)
        budgets_version = owner.account.budgets_version
        stored = ingest_batch(
            db,
            account_id=owner.account.id,
            plan=plan,
            batch=batch,
            prices_version=owner.account.prices_version,
        )
        due = alerts_due(account_id=owner.account.id, plan=plan, stored=stored)
        # Budgets: after the batch's commit, the one call into budgets/ (their own transaction).
        budgets = budgets_after_commit(
            db, account_id=owner.account.id, budgets_version=budgets_version, batch=batch
        )
        return owner.account.id, stored.result, due, budgets
