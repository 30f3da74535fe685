"""/pricing: the plans side by side, for anyone (no sign-in), from `billing/plans.py`.

`plan_card(plan)` turns a Plan into the lines a page shows; `/settings/billing` uses it too, so
both pages say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.billing.plans import SAAS_PLANS, Plan
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import find_viewer

router = APIRouter(include_in_schema=False)

TAGLINES = {
    "free": "For trying llmobserve on a side project.",
    "pro": "For a team with LLM features in production.",
    "enterprise": "For large volumes and contracts.",
    "self_hosted": "Your own server: no quota, no member limit.",
}


@dataclass(frozen=True)
class PlanCard:
    tier: str
    name: str
    price: str  # "$29", "$0", "Custom"
    period: str  # "/ month" or ""
    tagline: str
    events: str  # "1,000,000 events / month"
    retention: str  # "90 days of history"
    members: str  # "Up to 5 members"

    @property
    def features(self) -> tuple[str, str, str]:
        return (self.events, self.retention, self.members)


def plan_card(plan: Plan, *, self_hosted_days: int | None = None) -> PlanCard:
    """`self_hosted_days`: the server's RETENTION_DAYS, what the self-hosted plan keeps."""
    if plan.tier == "self_hosted":
        price, period = "Free", "on your own server"
    elif plan.price_usd_per_month is None:
        price, period = "Custom", ""
    else:
        price, period = f"${plan.price_usd_per_month:,.0f}", "/ month"
    events = (
        "Unlimited events"
        if plan.events_per_month is None
        else f"{plan.events_per_month:,} events / month"
    )
    if plan.tier == "self_hosted":
        retention = (
            "History kept until the operator sets RETENTION_DAYS"
            if self_hosted_days is None
            else f"{self_hosted_days} days of history (RETENTION_DAYS)"
        )
    elif plan.retention_days is None:
        retention = "Custom retention"
    else:
        retention = f"{plan.retention_days} days of history"
    if plan.max_members is None:
        members = "Unlimited members"
    else:
        members = "1 member" if plan.max_members == 1 else f"Up to {plan.max_members} members"
    return PlanCard(
        plan.tier, plan.name, price, period, TAGLINES.get(plan.tier, ""), events, retention, members
    )


def plan_cards() -> list[PlanCard]:
    """The plans sold on this server (never the self-hosted one)."""
    return [plan_card(plan) for plan in SAAS_PLANS.values()]


@router.get("/pricing")
def pricing_page(request: Request, db: DbDep) -> HTMLResponse:
    viewer = find_viewer(request, db)
    return render(
        request,
        "pricing.html",
        viewer=viewer,
        cards=plan_cards(),
        current_tier=viewer.account.subscription_tier if viewer else None,
    )
