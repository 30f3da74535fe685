"""GET /v1/forecast: the account's spend this UTC month and where it is heading by the month's
end (analytics/forecast.py has the rule)."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter
from pydantic import BaseModel

from llmobserve_server.analytics.projections import month_forecast
from llmobserve_server.api.deps import AnyCaller
from llmobserve_server.http.deps import DbDep
from llmobserve_server.money import format_usd

router = APIRouter(prefix="/v1", tags=["costs"])


class ForecastOut(BaseModel):
    month_start: datetime
    month_end: datetime
    spent_usd: str
    projected_usd: str


@router.get("/forecast", response_model=ForecastOut)
def forecast(caller: AnyCaller, db: DbDep) -> ForecastOut:
    """This month's spend so far, and projected to the month's end: spend so far plus the
    daily run-rate of the last 7 full days (per weekday with 28 days of history) times the
    days left."""
    result = month_forecast(db, account_id=caller.account_id, now=datetime.now(timezone.utc))
    return ForecastOut(
        month_start=result.month_start,
        month_end=result.month_end,
        spent_usd=format_usd(result.spent_usd),
        projected_usd=format_usd(result.projected_usd),
    )
