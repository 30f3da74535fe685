"""POST /v1/events: the collector endpoint the SDK sends batches to (API keys only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from llmobserve_server.api.deps import ApiKeyCaller, DbDep
from llmobserve_server.ingest.body import decode, parse_events
from llmobserve_server.ingest.schema import BatchResult
from llmobserve_server.ingest.service import ingest_batch

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
    response_model=BatchResult,
    openapi_extra=_BATCH_BODY,
    responses={
        401: {"description": "Unknown or revoked API key"},
        413: {"description": "More than 1,000 events or 5 MB decoded"},
        422: {"description": 'The body is not JSON of the shape {"events": [...]}'},
    },
)
async def post_events(request: Request, caller: ApiKeyCaller, db: DbDep) -> BatchResult:
    """Store a batch of events. Valid events are stored even when others are rejected; an event
    id seen before is counted as a duplicate and costs nothing twice. Accepts gzip bodies."""
    body = await request.body()  # at most 5 MB: BodyLimitMiddleware stops longer bodies
    decoded = decode(body, request.headers.get("content-encoding"))
    return await run_in_threadpool(
        ingest_batch,
        db,
        account_id=caller.account_id,
        raw_events=parse_events(decoded),
        may_contain_nul=b"\\u0000" in decoded,
    )
