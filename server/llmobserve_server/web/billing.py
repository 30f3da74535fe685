"""/settings/billing: the account's plan, this month's usage and the plans to move to.

Owners upgrade (a Stripe Checkout Session) and manage or cancel (the Stripe Billing Portal);
members see the same page without the buttons, and their POSTs are refused (403). Without
Stripe settings the page says billing is off and how an administrator sets a plan. The tier
changes only when Stripe's webhook arrives (`api/stripe_webhook.py`), so the page shown after
Checkout says the payment is being confirmed rather than pretending it is done.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from llmobserve_server.billing.plans import FREE, plan_for
from llmobserve_server.billing.quota import usage_meter
from llmobserve_server.billing.stripe_billing import BillingUnavailable, open_portal, start_checkout
from llmobserve_server.config import Settings
from llmobserve_server.errors import ApiError
from llmobserve_server.http.deps import DbDep
from llmobserve_server.http.links import absolute_url
from llmobserve_server.web.csrf import SignedInForm
from llmobserve_server.web.flash import Flash, set_flash
from llmobserve_server.web.plans_page import plan_card, plan_cards
from llmobserve_server.web.security import CONTENT_SECURITY_POLICY
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import Viewer, ViewerDep

router = APIRouter(prefix="/settings/billing", include_in_schema=False)

PAGE = "/settings/billing"
_RETURNS = {
    "success": Flash(
        "success",
        "Thank you! Stripe is confirming your payment; Pro is active as soon as it does, "
        "usually within a few seconds. Reload this page if it still shows your old plan.",
    ),
    "cancel": Flash("info", "Checkout canceled. Nothing was charged and your plan is unchanged."),
}


STRIPE_PAGES = ("https://checkout.stripe.com", "https://billing.stripe.com")


def billing_csp(settings: Settings) -> str:
    """Our CSP, plus Stripe's Checkout and portal as form targets: Upgrade and Manage post here
    and are redirected there, and browsers apply `form-action` to that redirect too. With
    STRIPE_API_BASE set (a proxy, the tests' fake), its origin serves those pages."""
    sources = list(STRIPE_PAGES)
    if settings.stripe_api_base:
        parts = urlsplit(settings.stripe_api_base)
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(sources)
    )


def _require_owner(viewer: Viewer) -> None:
    if not viewer.is_owner:
        raise ApiError(
            403, "owner_required", "Only owners of this account can change its plan. Ask one."
        )


@router.get("")
def billing_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    settings = request.app.state.settings
    account = viewer.account
    plan = plan_for(account.subscription_tier)
    return render(
        request,
        "settings/billing.html",
        viewer=viewer,
        plan=plan,
        card=plan_card(plan, self_hosted_days=settings.retention_days),
        cards=plan_cards(),
        free=FREE,
        meter=usage_meter(db, account, datetime.now(timezone.utc)),
        billing_enabled=settings.billing_enabled,
        has_subscription=bool(account.stripe_subscription_id),
        has_customer=bool(account.stripe_customer_id),
        returned=_RETURNS.get(request.query_params.get("checkout", "")),
        headers={"Content-Security-Policy": billing_csp(settings)}
        if settings.billing_enabled
        else None,
    )


def _unavailable(exc: BillingUnavailable) -> Response:
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(response, str(exc), "error")
    return response


@router.post("/checkout", response_model=None)
def checkout(request: Request, viewer: ViewerDep, _form: SignedInForm, db: DbDep) -> Response:
    """Send the owner to Stripe Checkout for Pro (303 to Stripe's page)."""
    _require_owner(viewer)
    if viewer.account.subscription_tier != "free":
        response = RedirectResponse(PAGE, status_code=303)
        plan = plan_for(viewer.account.subscription_tier)
        set_flash(response, f"{viewer.account.name} is already on the {plan.name} plan.", "info")
        return response
    try:
        url = start_checkout(
            request.app.state.settings,
            db,
            account=viewer.account,
            email=viewer.user.email,
            return_url=absolute_url(request, PAGE),
        )
    except BillingUnavailable as exc:
        db.rollback()
        return _unavailable(exc)
    db.commit()  # the Stripe customer id, reused next time
    return RedirectResponse(url, status_code=303)


@router.post("/portal", response_model=None)
def portal(request: Request, viewer: ViewerDep, _form: SignedInForm) -> Response:
    """Send the owner to the Stripe Billing Portal: card, invoices, cancellation."""
    _require_owner(viewer)
    try:
        url = open_portal(
            request.app.state.settings,
            account=viewer.account,
            return_url=absolute_url(request, PAGE),
        )
    except BillingUnavailable as exc:
        return _unavailable(exc)
    return RedirectResponse(url, status_code=303)
