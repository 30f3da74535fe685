"""`/costs`: cost, events and tokens grouped by day or by a dimension over a date range, with a
chart, and `/costs.csv`, the same rows (all of them) as a spreadsheet-ready download."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from llmobserve_server.analytics.costs import COUNTS, GroupBy, cost_report
from llmobserve_server.analytics.overview import change
from llmobserve_server.analytics.timeseries import cost_series
from llmobserve_server.analytics.unpriced import unpriced_events
from llmobserve_server.http.deps import DbDep
from llmobserve_server.money import format_usd
from llmobserve_server.web.charts import bucket_labels, chart_series
from llmobserve_server.web.cost_rows import MODEL_VIEWS, shown_rows
from llmobserve_server.web.dimension_values import TEMPLATE_HELPERS
from llmobserve_server.web.ranges import RangeError, parse_range, range_from_query
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(include_in_schema=False)

GROUPS: dict[str, GroupBy] = {
    "day": "day",
    "provider": "provider",
    "model": "model",
    "customer": "customer",
    "section": "section",
    "agent": "agent",
}
PAGE_ROWS = 200
CSV_ROWS = 1_000_000  # every row a range can have (hours × values), far past what a page shows
FORMULA_STARTS = frozenset("=+-@\t\r")
CSV_COLUMNS = ("cost_usd", *COUNTS)


@router.get("/costs")
def costs_page(
    request: Request, viewer: ViewerDep, db: DbDep, group_by: str = "day"
) -> HTMLResponse:
    """Three queries: the rows, their totals, and the chart's series (and the unpriced events;
    by model, the events without one by provider)."""
    chosen, range_error = range_from_query(request.query_params)
    group = GROUPS.get(group_by, "day")
    window = chosen.window(viewer.account.id)
    report = cost_report(db, **window, group_by=group, limit=PAGE_ROWS)
    split_by = None if group == "day" else group
    series = cost_series(db, **window, bucket=chosen.bucket, split_by=split_by, top=6)
    model_view = request.query_params.get("models", MODEL_VIEWS[0])
    model_view = model_view if model_view in MODEL_VIEWS else MODEL_VIEWS[0]
    return render(
        request,
        "costs/costs.html",
        viewer=viewer,
        **TEMPLATE_HELPERS,
        change=change,
        chosen=chosen,
        range_error=range_error,
        group=group,
        groups=GROUPS,
        report=report,
        rows=shown_rows(db, window, group, report, model_view=model_view),
        model_view=model_view,
        labels=bucket_labels(series),
        series=chart_series(series, split_by),
        unpriced=unpriced_events(db, **window),
    )


@router.get("/costs.csv")
def costs_csv(request: Request, viewer: ViewerDep, db: DbDep, group_by: str = "day") -> Response:
    """Every row, money as exact decimal strings; a bad range or grouping is a 400 saying why."""
    group = GROUPS.get(group_by)
    try:
        chosen = parse_range(request.query_params)
    except RangeError as error:
        return Response(f"{error}\n", status_code=400, media_type="text/plain")
    if group is None:
        choices = ", ".join(GROUPS)
        message = f"Unknown group_by “{group_by}”: choose one of {choices}.\n"
        return Response(message, status_code=400, media_type="text/plain")
    report = cost_report(db, **chosen.window(viewer.account.id), group_by=group, limit=CSV_ROWS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((group, *CSV_COLUMNS, "share"))
    for row in report.rows:
        share = row.cost_usd / report.total_cost_usd if report.total_cost_usd else Decimal(0)
        values = [getattr(row, name) for name in COUNTS]
        key = row.key or ""
        if key[:1] in FORMULA_STARTS:  # a spreadsheet would run it as a formula
            key = "'" + key
        writer.writerow((key, format_usd(row.cost_usd), *values, f"{share:.4f}"))
    name = f"llmobserve-costs-by-{group}-{chosen.first_day}-to-{chosen.last_day}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
