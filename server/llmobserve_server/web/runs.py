"""/runs (filterable, paginated list) and /runs/{run_id} (one run's span tree and waterfall)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.analytics.runs import RunPage, get_run, list_runs
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.run_query import read_run_query
from llmobserve_server.web.run_timeline import Timeline, format_duration, run_duration_ms
from llmobserve_server.web.templating import is_htmx, render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(prefix="/runs", include_in_schema=False)

PAGE_SIZE = 50
COST_SOURCES = {
    "catalog": "Catalogue",
    "override": "Your price",
    "client": "Sent by app",
    "unknown_model": "No price",
}


@router.get("")
def runs_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    query = read_run_query(request.query_params)
    page = RunPage(runs=[], next_position=None)
    if not query.errors:
        page = list_runs(
            db,
            account_id=viewer.account.id,
            limit=PAGE_SIZE,
            after=query.after,
            filters=query.filters,
        )
    # "Load more" asks htmx for the next rows only; without JavaScript it is a plain link.
    template = "runs/_rows.html" if is_htmx(request) and query.after else "runs/list.html"
    return render(
        request,
        template,
        viewer=viewer,
        query=query,
        page=page,
        next_url=query.url(cursor=page.next_position) if page.next_position else None,
        duration=format_duration,
        run_duration_ms=run_duration_ms,
    )


@router.get("/{run_id:path}")
def run_page(run_id: str, request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    detail = get_run(db, account_id=viewer.account.id, run_id=run_id)  # 404 page if not ours
    return render(
        request,
        "runs/detail.html",
        viewer=viewer,
        detail=detail,
        run=detail.run,
        timeline=Timeline(detail.run),
        cost_sources=COST_SOURCES,
        duration=format_duration,
        run_duration_ms=run_duration_ms,
    )
