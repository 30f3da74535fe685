"""The pages of one dimension, shared by `/agents` and `/customers`: a list (cost per value over
the range, with the trend of the top ones) and a drill-down per value (its cost over time by
model, its top models, and a link to its runs).

Values come from the SDK and may hold slashes, spaces or unicode: the routes take the rest of the
path (`{key:path}`) and links quote the value as one segment (`web.dimension_values.detail_href`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.analytics.costs import cost_report
from llmobserve_server.analytics.dimensions import Dimension
from llmobserve_server.analytics.overview import change, compare_periods, top_costs
from llmobserve_server.analytics.timeseries import cost_series
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.charts import bucket_labels, chart_series
from llmobserve_server.web.dimension_values import TEMPLATE_HELPERS
from llmobserve_server.web.ranges import range_from_query
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

PAGE_ROWS = 200
TREND_LINES = 5
TOP_MODELS = 8


@dataclass(frozen=True)
class DimensionPages:
    dimension: Dimension  # "agent" or "customer"
    path: str  # "/agents"
    title: str  # "Agents"
    singular: str  # "agent"
    hint: str  # how to tag events with this dimension, for the empty state


def dimension_router(pages: DimensionPages) -> APIRouter:
    """The list page at `pages.path` and the drill-down at `pages.path/{key}`."""
    router = APIRouter(include_in_schema=False)

    @router.get(pages.path)
    def list_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
        """Three queries: the rows, their totals and the trend."""
        chosen, range_error = range_from_query(request.query_params)
        window = chosen.window(viewer.account.id)
        report = cost_report(db, **window, group_by=pages.dimension, limit=PAGE_ROWS)
        trend = cost_series(
            db, **window, bucket=chosen.bucket, split_by=pages.dimension, top=TREND_LINES
        )
        shown = replace(trend, series=[line for line in trend.series if not line.other])
        return render(
            request,
            "dashboard/dimension_list.html",
            viewer=viewer,
            **TEMPLATE_HELPERS,
            pages=pages,
            chosen=chosen,
            range_error=range_error,
            report=report,
            labels=bucket_labels(shown),
            series=chart_series(shown, pages.dimension),
        )

    @router.get(pages.path + "/{key:path}")
    def detail_page(request: Request, key: str, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
        """Three queries, each limited to this account and this value."""
        chosen, range_error = range_from_query(request.query_params)
        window = chosen.window(viewer.account.id)
        match: dict[Dimension, str] = {pages.dimension: key}
        periods = compare_periods(db, **window, match=match)
        series = cost_series(
            db, **window, bucket=chosen.bucket, split_by="model", top=6, match=match
        )
        models = top_costs(
            db,
            **window,
            dimension="model",
            limit=TOP_MODELS,
            total_cost_usd=periods.current.cost_usd,
            match=match,
        )
        return render(
            request,
            "dashboard/dimension_detail.html",
            viewer=viewer,
            **TEMPLATE_HELPERS,
            change=change,
            pages=pages,
            key=key,
            chosen=chosen,
            range_error=range_error,
            periods=periods,
            models=models,
            labels=bucket_labels(series),
            series=chart_series(series, "model"),
        )

    return router
