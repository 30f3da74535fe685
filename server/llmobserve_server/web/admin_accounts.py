"""/admin/accounts: find an account; one account's usage, members, keys and plan; change its
tier, disable or enable it. Staff only (`web.admin_access`); every form is a POST with the
session's CSRF token, answered with a redirect back to the account and a flash message.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.admin.directory import Status, account_detail, search_accounts
from llmobserve_server.admin.moderation import disable_account, enable_account
from llmobserve_server.admin.tiers import change_plan
from llmobserve_server.billing.plans import PLANS, plan_for
from llmobserve_server.billing.tier_change import TierChangeError
from llmobserve_server.db.models import Account
from llmobserve_server.http.actors import request_actor
from llmobserve_server.http.deps import SystemDbDep
from llmobserve_server.web.admin_access import StaffDep, StaffForm, not_found
from llmobserve_server.web.flash import Kind, set_flash
from llmobserve_server.web.templating import render

router = APIRouter(prefix="/accounts")
logger = logging.getLogger(__name__)

STATUSES: dict[str, Status] = {"any": "any", "active": "active", "disabled": "disabled"}


def _account_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise not_found() from None


def _existing_account(db: DbSession, value: str) -> uuid.UUID:
    """The id of an account that exists, else the 404 page."""
    account_id = _account_id(value)
    if db.get(Account, account_id) is None:
        raise not_found()
    return account_id


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and 0 < len(value) < 6 else 1


@router.get("")
def accounts_page(request: Request, staff: StaffDep, db: SystemDbDep) -> HTMLResponse:
    params = request.query_params
    query = params.get("q", "")[:200]
    tier = params.get("tier", "")
    status = STATUSES.get(params.get("status", ""), "any")
    results = search_accounts(
        db,
        now=datetime.now(timezone.utc),
        query=query,
        tier=tier if tier in PLANS else None,
        status=status,
        page=_page_number(params.get("page", "")),
    )
    return render(
        request,
        "admin/accounts.html",
        viewer=staff,
        results=results,
        query=query,
        tier=tier if tier in PLANS else "",
        chosen_status=status,
        plans=list(PLANS.values()),
        filters={"q": query, "tier": tier, "status": status},
    )


@router.get("/{account_id}")
def account_page(
    request: Request, staff: StaffDep, db: SystemDbDep, account_id: str
) -> HTMLResponse:
    detail = account_detail(db, account_id=_account_id(account_id), now=datetime.now(timezone.utc))
    if detail is None:
        raise not_found()
    return render(
        request,
        "admin/account.html",
        viewer=staff,
        detail=detail,
        account=detail.account,
        plans=list(PLANS.values()),
        day_labels=[f"{day.day:%b} {day.day.day}" for day in detail.usage],
        event_series=[{"label": "Events", "values": [day.events for day in detail.usage]}],
        cost_series=[{"label": "Cost", "values": [float(day.cost_usd) for day in detail.usage]}],
        billing_enabled=request.app.state.settings.billing_enabled,
    )


def _back(account_id: uuid.UUID, message: str, kind: Kind = "success") -> RedirectResponse:
    response = RedirectResponse(f"/admin/accounts/{account_id}", status_code=303)
    set_flash(response, message, kind)
    return response


@router.post("/{account_id}/tier", response_model=None)
def change_account_plan(
    request: Request, staff: StaffDep, form: StaffForm, db: SystemDbDep, account_id: str
) -> RedirectResponse:
    chosen = _existing_account(db, account_id)
    try:
        change = change_plan(
            request.app.state.settings,
            db,
            account_id=chosen,
            tier=form.get("tier", ""),
            actor=request_actor(request, staff.user),
        )
    except TierChangeError as exc:  # an unknown tier: nothing changed
        return _back(chosen, str(exc), "error")
    plan = plan_for(change.account.subscription_tier)
    if not change.changed:
        return _back(chosen, f"{change.account.name} was already on the {plan.name} plan.")
    logger.info(
        "staff %s moved account %s from %s to %s",
        staff.user.email,
        chosen,
        change.old_tier,
        plan.tier,
    )
    return _back(chosen, f"{change.account.name} is now on the {plan.name} plan; owners emailed.")


@router.post("/{account_id}/disable", response_model=None)
def disable(
    request: Request, staff: StaffDep, form: StaffForm, db: SystemDbDep, account_id: str
) -> RedirectResponse:
    chosen = _existing_account(db, account_id)
    account = disable_account(
        db,
        account_id=chosen,
        reason=form.get("reason", ""),
        now=datetime.now(timezone.utc),
        actor=request_actor(request, staff.user),
    )
    db.commit()
    logger.info("staff %s disabled account %s", staff.user.email, chosen)
    return _back(chosen, f"{account.name} is disabled: its API keys now get 403.")


@router.post("/{account_id}/enable", response_model=None)
def enable(
    request: Request, staff: StaffDep, _form: StaffForm, db: SystemDbDep, account_id: str
) -> RedirectResponse:
    chosen = _existing_account(db, account_id)
    account = enable_account(db, account_id=chosen, actor=request_actor(request, staff.user))
    db.commit()
    logger.info("staff %s enabled account %s", staff.user.email, chosen)
    return _back(chosen, f"{account.name} is enabled again: its API keys work.")
