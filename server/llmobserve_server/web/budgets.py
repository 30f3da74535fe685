"""`/budgets` and `/budgets/{id}`: the account's budgets with this period's spend as a progress
bar, their state and forecast, and a budget's alerts with every delivery attempt. Budgets are
created and changed through `/v1/budgets` (docs/api/budgets.md); the rules live in budgets/."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.budgets.alerts.messages import describe_scope
from llmobserve_server.budgets.scope import Scope
from llmobserve_server.budgets.service import (
    BudgetStatus,
    budget_status,
    get_budget,
    list_budgets,
    list_deliveries,
)
from llmobserve_server.db.models import Budget
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(prefix="/budgets", include_in_schema=False)

_LEVELS = {"ok": "ok", "alerting": "warning", "exceeded": "full"}
_BADGES = {"ok": "success", "alerting": "warning", "exceeded": "danger"}


@dataclass(frozen=True)
class BudgetView:
    budget: Budget
    status: BudgetStatus
    scope: str
    percent: int  # of the amount, capped at 100 for the bar
    level: str  # the bar's colour: ok | warning | full
    badge: str

    @classmethod
    def of(cls, budget: Budget, status: BudgetStatus) -> BudgetView:
        share = status.spent_usd / budget.amount_usd * 100 if budget.amount_usd else Decimal(0)
        return cls(
            budget=budget,
            status=status,
            scope=describe_scope(Scope.of(budget).as_dict()),
            percent=min(100, int(share)),
            level=_LEVELS[status.state],
            badge=_BADGES[status.state],
        )


@router.get("")
def budgets_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    views = [
        BudgetView.of(budget, budget_status(db, budget))
        for budget in list_budgets(db, account_id=viewer.account.id)
    ]
    return render(request, "budgets/list.html", viewer=viewer, budgets=views)


@router.get("/{budget_id}")
def budget_page(
    budget_id: uuid.UUID, request: Request, viewer: ViewerDep, db: DbDep
) -> HTMLResponse:
    budget = get_budget(db, account_id=viewer.account.id, budget_id=budget_id)
    view = BudgetView.of(budget, budget_status(db, budget))
    deliveries = list_deliveries(db, account_id=viewer.account.id, budget_id=budget_id)
    return render(request, "budgets/detail.html", viewer=viewer, view=view, deliveries=deliveries)
