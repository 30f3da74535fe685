"""`/`: the signed-in home page. For now the last 30 days' totals, or a Getting started empty
state when the account has no data yet; the full dashboard grows here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.analytics.costs import cost_report
from llmobserve_server.api.deps import DbDep
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(include_in_schema=False)

WINDOW = timedelta(days=30)


@router.get("/")
def home(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    end = datetime.now(timezone.utc) + timedelta(hours=1)  # the current hour's rollup too
    report = cost_report(
        db, account_id=viewer.account.id, group_by="day", start=end - WINDOW, end=end, limit=31
    )
    return render(request, "pages/home.html", viewer=viewer, report=report, days=WINDOW.days)
