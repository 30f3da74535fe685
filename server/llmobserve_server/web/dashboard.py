"""`/`: the dashboard home. Totals for the chosen range against the previous period, cost over
time by provider or model, and the top models, customers and sections; a Getting started page
while the account has no data at all."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.analytics.dimensions import Dimension
from llmobserve_server.analytics.overview import (
    KeyCost,
    change,
    compare_periods,
    has_usage,
    run_averages,
    top_costs,
)
from llmobserve_server.analytics.projections import month_forecast
from llmobserve_server.analytics.sections import top_level_sections
from llmobserve_server.analytics.timeseries import cost_series
from llmobserve_server.analytics.unpriced import unpriced_events
from llmobserve_server.anomalies.listing import describe, recent_anomalies
from llmobserve_server.billing.quota import usage_meter
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.charts import bucket_labels, chart_series
from llmobserve_server.web.dimension_values import TEMPLATE_HELPERS
from llmobserve_server.web.ranges import range_from_query
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(include_in_schema=False)

TOP = 5
ALL_SECTIONS = 1000  # sections are an app's features: a few dozen at most
SPLITS: dict[str, Dimension] = {"provider": "provider", "model": "model"}
TOP_TABLES: tuple[Dimension, ...] = ("model", "customer", "section")


@router.get("/")
def home(request: Request, viewer: ViewerDep, db: DbDep, split: str = "provider") -> HTMLResponse:
    """Seven queries on the rollup and runs, whatever the range (one more for a new account), one
    row for the month's usage meter, two small reads of the daily rollup for the month's
    projection, and the last week's unusual spend."""
    chosen, range_error = range_from_query(request.query_params)
    split_by = SPLITS.get(split, "provider")
    window = chosen.window(viewer.account.id)
    periods = compare_periods(db, **window)
    if not (periods.current.events or periods.previous.events):
        if not has_usage(db, account_id=viewer.account.id):
            return render(request, "dashboard/getting_started.html", viewer=viewer)
    series = cost_series(db, **window, bucket=chosen.bucket, split_by=split_by, top=6)
    total = periods.current.cost_usd
    tops: dict[Dimension, list[KeyCost]] = {
        dimension: top_costs(db, **window, dimension=dimension, limit=TOP, total_cost_usd=total)
        for dimension in TOP_TABLES
        if dimension != "section"
    }
    # A section's cost includes its subsections' (`support` holds `support/drafting`).
    every_section = top_costs(
        db, **window, dimension="section", limit=ALL_SECTIONS, total_cost_usd=total
    )
    tops["section"] = top_level_sections(every_section, limit=TOP)
    now = datetime.now(timezone.utc)
    return render(
        request,
        "pages/home.html",
        viewer=viewer,
        **TEMPLATE_HELPERS,
        change=change,
        chosen=chosen,
        range_error=range_error,
        split=split_by,
        periods=periods,
        runs=run_averages(db, **window),
        labels=bucket_labels(series),
        series=chart_series(series, split_by),
        tops=tops,
        meter=usage_meter(db, viewer.account, now),
        projected=month_forecast(db, account_id=viewer.account.id, now=now),
        unusual=[
            (anomaly.day, describe(anomaly))
            for anomaly in recent_anomalies(db, account_id=viewer.account.id, now=now)
        ],
        unpriced=unpriced_events(db, **window),
    )
