"""Starting payments with Stripe: the account's customer, a Checkout Session for Pro, and a
Billing Portal session to change the card, see invoices or cancel.

    url = start_checkout(settings, db, account=account, email=user.email,
                         return_url="https://llmo.example.com/settings/billing")
    db.commit()  # the new stripe_customer_id

The tier itself never changes here: Stripe tells us what was paid through webhooks
(`stripe_webhooks`), which is the only source of truth for a subscription. Each call builds its
own `StripeClient`, so no global Stripe state is shared between requests (or tests).
"""

from __future__ import annotations

import logging

import stripe
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.config import Settings
from llmobserve_server.db.models import Account

logger = logging.getLogger(__name__)


class BillingUnavailable(Exception):
    """Stripe is not configured, or could not do what was asked; the message is for people."""


def stripe_client(settings: Settings) -> stripe.StripeClient:
    """A client for the configured key, at `STRIPE_API_BASE` when set."""
    if not settings.billing_enabled or not settings.stripe_secret_key:
        raise BillingUnavailable("Billing is not configured on this server.")
    base = settings.stripe_api_base
    return stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses={"api": base.rstrip("/")} if base else None,
        max_network_retries=2,
    )


def ensure_customer(client: stripe.StripeClient, *, account: Account, email: str) -> str:
    """The account's Stripe customer id, creating the customer (and storing its id on the
    account, for the caller to commit) the first time."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    customer = client.v1.customers.create(
        params={
            "email": email,
            "name": account.name,
            "metadata": {"account_id": str(account.id)},
        },
        # A double-clicked Upgrade must not create two customers.
        options={"idempotency_key": f"llmobserve-customer-{account.id}"},
    )
    account.stripe_customer_id = customer.id
    return customer.id


def start_checkout(
    settings: Settings, db: DbSession, *, account: Account, email: str, return_url: str
) -> str:
    """The URL of a new Checkout Session subscribing `account` to Pro. Stripe sends the browser
    back to `return_url?checkout=success` or `?checkout=cancel`."""
    client = stripe_client(settings)
    assert settings.stripe_price_pro  # billing_enabled
    try:
        customer_id = ensure_customer(client, account=account, email=email)
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": str(account.id),
                "line_items": [{"price": settings.stripe_price_pro, "quantity": 1}],
                "metadata": {"account_id": str(account.id)},
                "subscription_data": {"metadata": {"account_id": str(account.id)}},
                "success_url": f"{return_url}?checkout=success",
                "cancel_url": f"{return_url}?checkout=cancel",
                "allow_promotion_codes": True,
            }
        )
    except stripe.StripeError as exc:
        logger.exception("Stripe refused to start a checkout for account %s", account.id)
        raise BillingUnavailable(_unavailable("start the checkout")) from exc
    if not session.url:
        raise BillingUnavailable(_unavailable("start the checkout"))
    return session.url


def open_portal(settings: Settings, *, account: Account, return_url: str) -> str:
    """The URL of a Billing Portal session where the account's owner manages the subscription:
    card, invoices, cancellation."""
    client = stripe_client(settings)
    if not account.stripe_customer_id:
        raise BillingUnavailable(
            "This account has no Stripe subscription yet. Upgrade first, then manage it here."
        )
    try:
        session = client.v1.billing_portal.sessions.create(
            params={"customer": account.stripe_customer_id, "return_url": return_url}
        )
    except stripe.StripeError as exc:
        logger.exception("Stripe refused a portal session for account %s", account.id)
        raise BillingUnavailable(_unavailable("open the billing portal")) from exc
    return session.url


def _unavailable(what: str) -> str:
    return f"Stripe could not {what} just now. Nothing was charged; try again in a minute."
