"""GET /v1/runs and /v1/runs/{run_id}: runs with their totals, and one run's span tree."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from llmobserve_server.analytics.runs import (
    RunFilters,
    RunStatus,
    SpanNode,
    decode_run_cursor,
    encode_run_cursor,
    get_run,
    list_runs,
)
from llmobserve_server.api.deps import AnyCaller
from llmobserve_server.db.models import Run
from llmobserve_server.http.deps import DbDep
from llmobserve_server.http.time_range import parse_instant
from llmobserve_server.money import format_usd

router = APIRouter(prefix="/v1", tags=["runs"])


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
    agents: list[str]

    @classmethod
    def of(cls, run: Run, agents: list[str]) -> RunOut:
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
            agents=agents,
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
    agent: Annotated[str | None, Query(max_length=200)] = None,
    section: Annotated[str | None, Query(max_length=200)] = None,
    status: RunStatus | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
) -> RunListOut:
    """Runs, newest first, with their totals; every filter given narrows the list."""
    filters = RunFilters(
        customer_id=customer_id,
        agent=agent,
        section=section,
        status=status,
        start=parse_instant(from_, name="from", is_end=False) if from_ else None,
        end=parse_instant(to, name="to", is_end=True) if to else None,
    )
    page = list_runs(
        db,
        account_id=caller.account_id,
        limit=limit,
        after=decode_run_cursor(cursor) if cursor is not None else None,
        filters=filters,
    )
    next_cursor = encode_run_cursor(page.next_position) if page.next_position else None
    return RunListOut(
        runs=[RunOut.of(run, page.agents.get(run.run_id, [])) for run in page.runs],
        next_cursor=next_cursor,
    )


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
    usage_missing: bool = False  # the provider reported no usage: the cost is unknown, not $0
    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cache_write_1h_input_tokens: int
    input_audio_tokens: int
    output_audio_tokens: int
    service_tier: str | None
    units: dict[str, Any] | None
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
            usage_missing=node.usage_missing,
            input_tokens=e.input_tokens,
            cached_input_tokens=e.cached_input_tokens,
            cache_write_input_tokens=e.cache_write_input_tokens,
            output_tokens=e.output_tokens,
            reasoning_tokens=e.reasoning_tokens,
            cache_write_1h_input_tokens=e.cache_write_1h_input_tokens,
            input_audio_tokens=e.input_audio_tokens,
            output_audio_tokens=e.output_audio_tokens,
            service_tier=e.service_tier,
            units=e.units,
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
        **RunOut.of(detail.run, detail.agents).model_dump(),
        spans=[SpanOut.of(s) for s in detail.spans],
    )
