"""/v1/budgets: spending limits per customer, agent, section, provider or model, and the
scopes enforced budgets block now (what the SDK reads with `enforce_budgets=True`).

Readable and writable with a session (plus `X-CSRF-Token`) or an API key; another account's
budget id is 404.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from llmobserve_server.api.deps import AnyCaller
from llmobserve_server.api.text import WITHOUT_NUL
from llmobserve_server.budgets.alerts.delivery import deliver_in_background
from llmobserve_server.budgets.answer import BlockedBudgetOut
from llmobserve_server.budgets.cache import BudgetRule
from llmobserve_server.budgets.evaluation import blocked_budgets
from llmobserve_server.budgets.scope import Scope
from llmobserve_server.budgets.service import (
    BudgetFields,
    budget_status,
    committed,
    create_budget,
    delete_budget,
    get_budget,
    list_budgets,
    list_deliveries,
    update_budget,
)
from llmobserve_server.db.models import Budget, BudgetDelivery
from llmobserve_server.http.deps import DbDep
from llmobserve_server.money import format_usd

router = APIRouter(prefix="/v1/budgets", tags=["budgets"])

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), WITHOUT_NUL
]
Provider = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), WITHOUT_NUL
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), WITHOUT_NUL]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), decimal_places=6)]
Threshold = Annotated[Decimal, Field(gt=0, le=10, decimal_places=4)]
PeriodName = Literal["day", "week", "month"]


class ScopeIn(BaseModel):
    # Unlike other bodies, an unknown dimension is refused: ignoring it would widen the budget
    # to more calls than the team meant (a typo in "customer_id" would cap the whole account).
    model_config = ConfigDict(extra="forbid")

    customer_id: Name | None = None
    agent: Name | None = None
    section: Name | None = None
    provider: Provider | None = None
    model: Name | None = None


class NotifyIn(BaseModel):
    emails: list[Email] = Field(default_factory=list, max_length=20)
    webhook_url: Url | None = None


class BudgetIn(BaseModel):
    name: Name
    scope: ScopeIn = Field(default_factory=ScopeIn, description="Empty: the whole account.")
    period: PeriodName = "month"
    amount_usd: Amount = Field(description='USD per period, a decimal string ("25.00").')
    alert_at: list[Threshold] = Field(
        default_factory=lambda: [Decimal("0.5"), Decimal("0.8"), Decimal("1")], max_length=10
    )
    enforce: bool = False
    notify: NotifyIn = Field(default_factory=NotifyIn)


class BudgetPatch(BaseModel):
    name: Name | None = None
    scope: ScopeIn | None = None
    period: PeriodName | None = None
    amount_usd: Amount | None = None
    alert_at: list[Threshold] | None = Field(None, max_length=10)
    enforce: bool | None = None
    notify: NotifyIn | None = None


class NotifyOut(BaseModel):
    emails: list[str]
    webhook_url: str | None


class BudgetOut(BaseModel):
    id: uuid.UUID
    name: str
    scope: dict[str, str]
    period: str
    amount_usd: str
    alert_at: list[float]
    enforce: bool
    notify: NotifyOut
    spent_usd: str
    period_start: datetime
    period_end: datetime
    forecast_usd: str
    projected_exceed_on: date | None = Field(
        description="The first UTC day the period's projected spend reaches the amount; null "
        "when it stays under it, or has reached it already (state `exceeded`)."
    )
    state: Literal["ok", "alerting", "exceeded"]
    created_at: datetime
    updated_at: datetime


class BudgetSavedOut(BudgetOut):
    webhook_secret: str | None = Field(
        description="The webhook's signing secret, in the answer that created it only (null "
        "otherwise): keep it to check the X-Llmobserve-Signature header."
    )


class AttemptOut(BaseModel):
    at: datetime
    ok: bool
    status: int | None
    error: str | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    threshold: float
    period_start: datetime
    channel: Literal["email", "webhook", "slack"]
    target: str
    state: Literal["pending", "delivered", "failed"]
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: BudgetDelivery) -> DeliveryOut:
        return cls(
            id=delivery.id,
            threshold=float(delivery.threshold),
            period_start=delivery.period_start,
            channel=delivery.channel,
            target=delivery.target,
            state=delivery.state,
            attempts=[AttemptOut(**attempt) for attempt in delivery.attempts],
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
        )


class DeliveryListOut(BaseModel):
    deliveries: list[DeliveryOut]


class BudgetListOut(BaseModel):
    budgets: list[BudgetOut]


class BlockedListOut(BaseModel):
    budgets_blocked: list[BlockedBudgetOut]


def _out(db: DbDep, budget: Budget) -> BudgetOut:
    status = budget_status(db, budget)
    return BudgetOut(
        id=budget.id,
        name=budget.name,
        scope=Scope.of(budget).as_dict(),
        period=budget.period,
        amount_usd=format_usd(budget.amount_usd),
        alert_at=[float(t) for t in budget.alert_at],
        enforce=budget.enforce,
        notify=NotifyOut(emails=budget.notify_emails, webhook_url=budget.webhook_url),
        spent_usd=format_usd(status.spent_usd),
        period_start=status.period_start,
        period_end=status.period_end,
        forecast_usd=format_usd(status.forecast_usd),
        projected_exceed_on=status.projected_exceed_on,
        state=status.state,
        created_at=budget.created_at,
        updated_at=budget.updated_at,
    )


def _saved(db: DbDep, budget: Budget, secret: str | None) -> BudgetSavedOut:
    return BudgetSavedOut(**_out(db, budget).model_dump(), webhook_secret=secret)


def _fields(body: BudgetIn | BudgetPatch) -> BudgetFields:
    # A null is "leave it as it is", but for the webhook, where it removes the webhook.
    given = {name for name in body.model_fields_set if getattr(body, name) is not None}
    notify = body.notify
    if notify is not None:
        given.discard("notify")
        given |= set(notify.model_fields_set)
    scope = body.scope or ScopeIn()
    return BudgetFields(
        name=body.name or "",
        scope=Scope(**scope.model_dump()),
        period=body.period or "month",
        amount_usd=body.amount_usd or Decimal(0),
        alert_at=tuple(body.alert_at or ()),
        enforce=bool(body.enforce),
        emails=tuple(notify.emails) if notify else (),
        webhook_url=notify.webhook_url if notify else None,
        given=frozenset(given),
    )


@router.get("", response_model=BudgetListOut)
def budgets(caller: AnyCaller, db: DbDep) -> BudgetListOut:
    """The account's budgets, oldest first, each with its current period's spend and state."""
    return BudgetListOut(
        budgets=[_out(db, b) for b in list_budgets(db, account_id=caller.account_id)]
    )


@router.get("/blocked", response_model=BlockedListOut)
def blocked(caller: AnyCaller, db: DbDep) -> BlockedListOut:
    """The scopes of enforced budgets that are exceeded now, each until its period's end."""
    rules = [BudgetRule.of(b) for b in list_budgets(db, account_id=caller.account_id)]
    return BlockedListOut(
        budgets_blocked=[
            BlockedBudgetOut(budget_id=b.budget_id, name=b.name, scope=b.scope, until=b.until)
            for b in blocked_budgets(db, rules, now=datetime.now(timezone.utc))
        ]
    )


@router.post("", response_model=BudgetSavedOut, status_code=201)
def add_budget(
    body: BudgetIn, caller: AnyCaller, db: DbDep, request: Request, background: BackgroundTasks
) -> BudgetSavedOut:
    """Create a budget. With a webhook, the answer carries its signing secret, shown once."""
    saved = create_budget(
        db, account_id=caller.account_id, fields=_fields(body), production=_production(request)
    )
    answer = _saved(db, saved.budget, saved.webhook_secret)  # before the commit: on SQLite a
    db.commit()  # read after it would hold the write lock while the alerts are delivered
    committed(db)
    deliver_in_background(request, background, saved.deliveries)
    return answer


@router.get("/{budget_id}", response_model=BudgetOut)
def budget(budget_id: uuid.UUID, caller: AnyCaller, db: DbDep) -> BudgetOut:
    return _out(db, get_budget(db, account_id=caller.account_id, budget_id=budget_id))


@router.patch("/{budget_id}", response_model=BudgetSavedOut)
def change_budget(
    budget_id: uuid.UUID,
    body: BudgetPatch,
    caller: AnyCaller,
    db: DbDep,
    request: Request,
    background: BackgroundTasks,
) -> BudgetSavedOut:
    """Change the fields sent. A new amount, scope or period starts counting thresholds anew."""
    saved = update_budget(
        db,
        account_id=caller.account_id,
        budget_id=budget_id,
        fields=_fields(body),
        production=_production(request),
    )
    answer = _saved(db, saved.budget, saved.webhook_secret)  # before the commit: on SQLite a
    db.commit()  # read after it would hold the write lock while the alerts are delivered
    committed(db)
    deliver_in_background(request, background, saved.deliveries)
    return answer


@router.get("/{budget_id}/deliveries", response_model=DeliveryListOut)
def deliveries(budget_id: uuid.UUID, caller: AnyCaller, db: DbDep) -> DeliveryListOut:
    """The budget's alerts (emails and webhooks), newest first, with every attempt."""
    found = list_deliveries(db, account_id=caller.account_id, budget_id=budget_id)
    return DeliveryListOut(deliveries=[DeliveryOut.of(d) for d in found])


@router.delete("/{budget_id}", status_code=204)
def remove_budget(budget_id: uuid.UUID, caller: AnyCaller, db: DbDep) -> Response:
    delete_budget(db, account_id=caller.account_id, budget_id=budget_id)
    db.commit()
    return Response(status_code=204)


def _production(request: Request) -> bool:
    return bool(request.app.state.settings.production)
