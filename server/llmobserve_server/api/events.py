"""POST /v1/events: the collector endpoint the SDK sends batches to (API keys only)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, BackgroundTasks, Request

from llmobserve_server.api.deps import bearer_token
from llmobserve_server.billing.usage_alerts import send_usage_alerts
from llmobserve_server.budgets.answer import EventsAnswer, answer_with_budgets
from llmobserve_server.errors import ApiError
from llmobserve_server.http.links import absolute_url
from llmobserve_server.ingest.body import decode, parse_events
from llmobserve_server.ingest.pipeline import IngestPipeline
from llmobserve_server.ingest.service import IncomingBatch, read_batch
from llmobserve_server.observability import remember_account
from llmobserve_server.observability.metrics import record_batch

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
    """The one ingest path every door shares once it has the key and the body: the ingest
    pipeline (ingest/pipeline.py) decodes with `read` and checks the key on a worker thread (no
    connection is held while a request parses), prices the batch, group-commits it with the
    batches that arrive with it (quota, idempotency, rollups) and evaluates the account's
    budgets; the usage emails go after the response."""
    content_encoding = request.headers.get("content-encoding")
    pipeline: IngestPipeline = request.app.state.ingest
    receipt = await pipeline.receive(token=token, read=lambda: read(body, content_encoding))
    remember_account(request, receipt.account_id)
    record_batch(receipt.result)
    if receipt.alerts is not None:  # after the response: the client never waits for SMTP
        background.add_task(
            send_usage_alerts,
            request.app.state.session_factory,
            request.app.state.settings,
            receipt.alerts,
            link=absolute_url(request, "/settings/billing"),
        )
    return answer_with_budgets(request, background, receipt.result, receipt.budgets)


def _read(body: bytes, content_encoding: str | None) -> IncomingBatch:
    """Decode, parse and validate the body: CPU only, in time linear in its size."""
    decoded = decode(body, content_encoding)
    return read_batch(parse_events(decoded), may_contain_nul=b"\\u0000" in decoded)
