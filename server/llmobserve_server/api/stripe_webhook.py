"""POST /v1/stripe/webhook: Stripe's events about subscriptions and invoices.

No API key or session: the `Stripe-Signature` header (an HMAC of the raw body with
STRIPE_WEBHOOK_SECRET) is the authentication, so the body is read raw, before any parsing.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from pydantic import BaseModel

from llmobserve_server.billing.stripe_emails import notify_owners
from llmobserve_server.billing.stripe_webhooks import (
    InvalidSignature,
    Outcome,
    UnusableEvent,
    apply_event,
    verify_event,
)
from llmobserve_server.config import Settings
from llmobserve_server.errors import ApiError
from llmobserve_server.http.deps import SystemDbDep

router = APIRouter(prefix="/v1", tags=["billing"])


class WebhookOut(BaseModel):
    received: bool
    duplicate: bool


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _notify(settings: Settings, request: Request, outcome: Outcome) -> None:
    with request.app.state.system_session_factory() as db:  # the account's owners
        notify_owners(settings, db, outcome)


@router.post(
    "/stripe/webhook",
    response_model=WebhookOut,
    responses={
        400: {"description": "Bad or missing `Stripe-Signature`, or no usable event id or type"}
    },
)
def stripe_webhook(
    request: Request,
    body: Annotated[bytes, Depends(raw_body)],
    db: SystemDbDep,
    background: BackgroundTasks,
) -> WebhookOut:
    """Apply one Stripe event to the account it concerns (each event id once)."""
    settings: Settings = request.app.state.settings
    if not settings.billing_enabled:
        raise ApiError(
            404, "billing_disabled", "Billing is not configured on this server (STRIPE_* unset)."
        )
    try:
        event = verify_event(
            settings, payload=body, signature=request.headers.get("stripe-signature")
        )
    except InvalidSignature as exc:
        raise ApiError(400, "invalid_signature", str(exc)) from exc
    try:
        outcome = apply_event(db, event, now=datetime.now(timezone.utc))
    except UnusableEvent as exc:
        raise ApiError(400, "invalid_event", str(exc)) from exc
    db.commit()  # the change and its `stripe_events` row together, before Stripe hears 200
    if outcome.plan_changed or outcome.payment_failed:
        background.add_task(_notify, settings, request, outcome)
    return WebhookOut(received=True, duplicate=outcome.duplicate)
