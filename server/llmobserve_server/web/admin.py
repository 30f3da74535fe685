"""/admin: the operator console's overview, for staff only (`web.admin_access`).

Sign-ups, active accounts, events per day and this month, accounts per plan, paying accounts
and MRR, the biggest accounts and those near their quota: `admin.overview` and `admin.rankings`
do the (cross-account) reading. The account pages are in `admin_accounts`. Anything else under
/admin, any method, is a 404 for everybody (the catch-all below), so that a non-staff visitor
cannot tell an existing console URL from a missing one (not even by its 405).
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.admin.overview import DAYS, platform_overview
from llmobserve_server.admin.rankings import near_quota, top_by_cost, top_by_events
from llmobserve_server.billing.plans import PLANS
from llmobserve_server.http.deps import SystemDbDep
from llmobserve_server.web import admin_accounts
from llmobserve_server.web.admin_access import StaffDep, not_found
from llmobserve_server.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("")
def overview_page(request: Request, staff: StaffDep, db: SystemDbDep) -> HTMLResponse:
    now = datetime.now(timezone.utc)
    overview = platform_overview(db, now=now)
    return render(
        request,
        "admin/overview.html",
        viewer=staff,
        days=DAYS,
        overview=overview,
        day_labels=[f"{day:%b} {day.day}" for day in (v.day for v in overview.volume)],
        signup_series=[{"label": "Sign-ups", "values": [d.count for d in overview.signups]}],
        event_series=[{"label": "Events", "values": [d.events for d in overview.volume]}],
        by_events=top_by_events(db, now=now),
        by_cost=top_by_cost(db, days=[day.day for day in overview.volume]),
        near=near_quota(db, now=now),
        priced=[plan for plan in PLANS.values() if (plan.price_usd_per_month or 0) > 0],
    )


router.include_router(admin_accounts.router)


_OTHER_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@router.api_route("", methods=_OTHER_METHODS)
@router.api_route("/{rest:path}", methods=["GET", "HEAD", *_OTHER_METHODS])
def nothing_here(_staff: StaffDep) -> None:
    """Staff get the ordinary 404 too: there is no such console page."""
    raise not_found()
