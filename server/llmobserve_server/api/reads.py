"""GET /v1/ping, /v1/costs, /v1/runs, /v1/runs/{run_id}: readable with an API key or a session."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from llmobserve_server.analytics.costs import GroupBy, cost_report
from llmobserve_server.analytics.cursor import decode_cursor, encode_cursor
from llmobserve_server.analytics.runs import SpanNode, get_run, list_runs
from llmobserve_server.api.deps import AnyCaller, DbDep
from llmobserve_server.api.time_range import parse_instant, time_range
from llmobserve_server.db.models import Account, Run
from llmobserve_server.errors import ApiError
from llmobserve_server.money import format_usd

router = APIRouter(prefix="/v1", tags=["reads"])


class AccountOut(BaseModel):
    id: str
    name: str
    subscription_tier: str


class KeyInfoOut(BaseModel):
    name: str
    prefix: str


class PingOut(BaseModel):
    ok: bool
    account: AccountOut
    key: KeyInfoOut | None


@router.get("/ping", response_model=PingOut)
def ping(caller: AnyCaller, db: DbDep) -> PingOut:
    """Check that a key works, and which account it sends to (`llmobserve.ping()`)."""
    account = db.get(Account, caller.account_id)
    if account is None:
        raise ApiError(404, "not_found", "Account not found.")
    key = caller.api_key
    return PingOut(
        ok=True,
        account=AccountOut(
            id=str(account.id), name=account.name, subscription_tier=account.subscription_tier
        ),
        key=KeyInfoOut(name=key.name, prefix=key.key_prefix) if key else None,
    )


class CostRowOut(BaseModel):
    key: str | None
    cost_usd: str
    events: int
    unpriced_events: int
    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: int
    output_tokens: int
    reasoning_tokens: int


class CostsOut(BaseModel):
    group_by: GroupBy
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    total_cost_usd: str
    total_events: int
    unpriced_events: int
    rows: list[CostRowOut]
    next_cursor: str | None


@router.get("/costs", response_model=CostsOut)
def costs(
    caller: AnyCaller,
    db: DbDep,
    group_by: GroupBy = "day",
    from_: Annotated[str | None, Query(alias="from", description="Date or RFC 3339 time.")] = None,
    to: Annotated[str | None, Query(description="Date (inclusive) or time (exclusive).")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: str | None = None,
) -> CostsOut:
    """Cost, events and tokens grouped by day or by a dimension; money as exact decimal strings."""
    window = time_range(from_, to)
    offset = _offset_from(cursor)
    report = cost_report(
        db,
        account_id=caller.account_id,
        group_by=group_by,
        start=window.start,
        end=window.end,
        offset=offset,
        limit=limit,
    )
    return CostsOut(
        group_by=group_by,
        from_=window.start,
        to=window.end,
        total_cost_usd=format_usd(report.total_cost_usd),
        total_events=report.total_events,
        unpriced_events=report.unpriced_events,
        rows=[
            CostRowOut(**{**row.__dict__, "cost_usd": format_usd(row.cost_usd)})
            for row in report.rows
        ],
        next_cursor=encode_cursor(["offset", offset + limit]) if report.has_more else None,
    )


def _offset_from(cursor: str | None) -> int:
    if cursor is None:
        return 0
    position = decode_cursor(cursor)
    if len(position) != 2 or position[0] != "offset" or not isinstance(position[1], int):
        raise ApiError(422, "invalid_cursor", "The cursor is not one this API returned.")
    return max(position[1], 0)


class RunOut(BaseModel):
    run_id: str
    name: str | None
    customer_id: str | None
    started_at: datetime
    ended_at: datetime
    duration_ms: int
    events: int
    errors: int
    input_tokens: int
    output_tokens: int
    total_cost_usd: str

    @classmethod
    def of(cls, run: Run) -> RunOut:
        return cls(
            run_id=run.run_id,
            name=run.name,
            customer_id=run.customer_id,
            started_at=run.started_at,
            ended_at=run.ended_at,
            duration_ms=round((run.ended_at - run.started_at).total_seconds() * 1000),
            events=run.events,
            errors=run.errors,
            input_tokens=run.input_tokens,
            output_tokens=run.output_tokens,
            total_cost_usd=format_usd(run.cost_usd),
        )


class RunListOut(BaseModel):
    runs: list[RunOut]
    next_cursor: str | None


@router.get("/runs", response_model=RunListOut)
def runs(
    caller: AnyCaller,
    db: DbDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    customer_id: Annotated[str | None, Query(max_length=200)] = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
) -> RunListOut:
    """Runs, newest first, with their totals."""
    after = _run_position_from(cursor) if cursor is not None else None
    page = list_runs(
        db,
        account_id=caller.account_id,
        limit=limit,
        after=after,
        customer_id=customer_id,
        start=parse_instant(from_, name="from", is_end=False) if from_ else None,
        end=parse_instant(to, name="to", is_end=True) if to else None,
    )
    next_cursor = None
    if page.next_position is not None:
        next_cursor = encode_cursor([page.next_position[0].isoformat(), page.next_position[1]])
    return RunListOut(runs=[RunOut.of(run) for run in page.runs], next_cursor=next_cursor)


def _run_position_from(cursor: str) -> tuple[datetime, str]:
    position = decode_cursor(cursor)
    if len(position) == 2 and all(isinstance(p, str) for p in position):
        try:
            return parse_instant(position[0], name="cursor", is_end=False), position[1]
        except ApiError:
            pass
    raise ApiError(422, "invalid_cursor", "The cursor is not one this API returned.")


class SpanOut(BaseModel):
    span_id: str
    parent_span_id: str | None
    event_id: str
    name: str | None
    provider: str | None
    model: str | None
    operation: str | None
    timestamp: datetime
    duration_ms: int | None
    cost_usd: str
    total_cost_usd: str
    cost_source: str
    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    customer_id: str | None
    section: str | None
    agent: str | None
    status: str
    error: str | None
    children: list[SpanOut]

    @classmethod
    def of(cls, node: SpanNode) -> SpanOut:
        e = node.event
        return cls(
            span_id=e.span_id,
            parent_span_id=e.parent_span_id,
            event_id=str(e.id),
            name=e.name,
            provider=e.provider,
            model=e.model,
            operation=e.operation,
            timestamp=e.timestamp,
            duration_ms=e.duration_ms,
            cost_usd=format_usd(e.cost_usd),
            total_cost_usd=format_usd(node.total_cost_usd),
            cost_source=e.cost_source,
            input_tokens=e.input_tokens,
            cached_input_tokens=e.cached_input_tokens,
            cache_write_input_tokens=e.cache_write_input_tokens,
            output_tokens=e.output_tokens,
            reasoning_tokens=e.reasoning_tokens,
            customer_id=e.customer_id,
            section=e.section,
            agent=e.agent,
            status=e.status,
            error=e.error,
            children=[cls.of(child) for child in node.children],
        )


class RunDetailOut(RunOut):
    spans: list[SpanOut]


# `:path`, so that a run id containing "/" (sent as %2F) still reaches this route.
@router.get("/runs/{run_id:path}", response_model=RunDetailOut)
def run_detail(run_id: str, caller: AnyCaller, db: DbDep) -> RunDetailOut:
    """One run with its span tree; each span has its own cost and its subtree's total."""
    detail = get_run(db, account_id=caller.account_id, run_id=run_id)
    return RunDetailOut(
        **RunOut.of(detail.run).model_dump(), spans=[SpanOut.of(s) for s in detail.spans]
    )
