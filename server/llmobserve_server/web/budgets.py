"""`/budgets` and `/budgets/{id}`: the account's budgets with this period's spend as a progress
bar, their state and forecast, a form to create one, and a budget's alerts with every delivery
attempt. Changing a budget is `/v1/budgets` (docs/api/budgets.md); the rules live in budgets/."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.budgets.alerts.delivery import deliver_in_background
from llmobserve_server.budgets.alerts.messages import describe_scope
from llmobserve_server.budgets.form_input import FORM_FIELDS, InvalidBudgetForm, parse_budget_form
from llmobserve_server.budgets.scope import Scope
from llmobserve_server.budgets.service import (
    BudgetStatus,
    budget_status,
    committed,
    create_budget,
    delete_budget,
    get_budget,
    list_budgets,
    list_deliveries,
)
from llmobserve_server.db.models import Budget
from llmobserve_server.domain_errors import Invalid
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import set_flash
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


def _list(
    request: Request,
    viewer: ViewerDep,
    db: DbDep,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    views = [
        BudgetView.of(budget, budget_status(db, budget))
        for budget in list_budgets(db, account_id=viewer.account.id)
    ]
    return render(
        request,
        "budgets/list.html",
        viewer=viewer,
        budgets=views,
        values=values,
        errors=errors or {},
    )


@router.get("")
def budgets_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    return _list(request, viewer, db, values={"period": "month", "alert_at": "50, 80, 100"})


@router.post("", response_model=None)
def create(
    request: Request,
    viewer: ViewerDep,
    form: SignedInForm,
    db: DbDep,
    background: BackgroundTasks,
) -> Response:
    values = {name: str(form.get(name, "")) for name in FORM_FIELDS}
    values["enforce"] = "on" if form.get("enforce") else ""
    try:
        fields = parse_budget_form(values, enforce=bool(values["enforce"]))
        saved = create_budget(
            db,
            account_id=viewer.account.id,
            fields=fields,
            production=request.app.state.settings.production,
        )
    except InvalidBudgetForm as exc:
        return _list(request, viewer, db, values=values, errors=exc.errors)
    except Invalid as exc:
        errors = {(exc.field or "name").removeprefix("notify."): exc.message.split(": ", 1)[-1]}
        return _list(request, viewer, db, values=values, errors=errors)
    db.commit()
    committed(db)
    deliver_in_background(request, background, saved.deliveries)
    response = RedirectResponse(f"/budgets/{saved.budget.id}", status_code=303)
    message = f"Budget {saved.budget.name} created."
    if saved.webhook_secret:
        message += f" Webhook signing secret (shown once): {saved.webhook_secret}"
    set_flash(response, message)
    return response


@router.post("/{budget_id}/delete", response_model=None)
def delete(budget_id: uuid.UUID, viewer: ViewerDep, _form: SignedInForm, db: DbDep) -> Response:
    delete_budget(db, account_id=viewer.account.id, budget_id=budget_id)
    db.commit()
    response = RedirectResponse("/budgets", status_code=303)
    set_flash(response, "Budget deleted.")
    return response


@router.get("/{budget_id}")
def budget_page(
    budget_id: uuid.UUID, request: Request, viewer: ViewerDep, db: DbDep
) -> HTMLResponse:
    budget = get_budget(db, account_id=viewer.account.id, budget_id=budget_id)
    view = BudgetView.of(budget, budget_status(db, budget))
    deliveries = list_deliveries(db, account_id=viewer.account.id, budget_id=budget_id)
    return render(request, "budgets/detail.html", viewer=viewer, view=view, deliveries=deliveries)
