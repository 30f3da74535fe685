"""GET /v1/costs: cost, events and tokens by day or dimension, from the hourly rollup."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from llmobserve_server.analytics.costs import GroupBy, cost_report
from llmobserve_server.analytics.cursor import (
    cursor_offset,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from llmobserve_server.api.deps import AnyCaller
from llmobserve_server.http.deps import DbDep
from llmobserve_server.http.time_range import time_range
from llmobserve_server.money import format_usd

router = APIRouter(prefix="/v1", tags=["costs"])


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
    cache_write_1h_input_tokens: int
    input_audio_tokens: int
    output_audio_tokens: int


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
    if len(position) != 2 or position[0] != "offset":
        raise invalid_cursor()
    return cursor_offset(position[1])
