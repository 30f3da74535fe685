"""Applying Stripe's webhooks to accounts: the only way a paid tier starts or ends.

    event = verify_event(settings, payload=body, signature=request.headers.get("stripe-signature"))
    outcome = apply_event(db, event, now=now)
    db.commit()  # the tier change and the `stripe_events` row, together
    notify_owners(settings, db, outcome)  # plan_changed / payment_failed emails

| event                          | effect                                                      |
| ------------------------------ | ----------------------------------------------------------- |
| `checkout.session.completed`   | tier pro; customer and subscription ids stored              |
| `customer.subscription.updated`| pro while active/trialing; free once canceled/unpaid/expired |
| `customer.subscription.deleted`| free                                                        |
| `invoice.payment_failed`       | tier unchanged (Stripe retries), owners emailed             |
| anything else                  | ignored                                                     |

A signed event is still read defensively: a field of an unexpected type, or text that cannot be
stored (a NUL character, more than 255 characters), is treated as absent, so that the event is
acknowledged and changes nothing it cannot name. Only an event without a usable id or type,
which cannot be recorded as applied, is refused (`UnusableEvent`, a 400).

Stripe delivers at least once and in no guaranteed order, so each event id is recorded in
`stripe_events` in the same transaction as its change: a resend changes nothing. An Enterprise
account is a contract set by an administrator (`set-tier`); Stripe events never move it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.audit import STRIPE
from llmobserve_server.billing.stripe_billing import stripe_client
from llmobserve_server.billing.tier_change import change_tier
from llmobserve_server.config import Settings
from llmobserve_server.db.models import Account, StripeEvent

logger = logging.getLogger(__name__)

PAID_STATUSES = frozenset({"active", "trialing"})
ENDED_STATUSES = frozenset({"canceled", "unpaid", "incomplete_expired"})
# past_due, incomplete, paused: Stripe is still trying to collect; the tier stays as it is.


class InvalidSignature(Exception):
    """The body is not a Stripe event signed with STRIPE_WEBHOOK_SECRET."""


class UnusableEvent(Exception):
    """A signed event without an id or type that can be recorded (Stripe's always have them)."""


_MAX_TEXT = 255


def _text(value: Any, *, limit: int = _MAX_TEXT) -> str | None:
    """`value` when it is text a column can store (non-empty, no NUL, at most `limit`
    characters); None for anything else, which the handlers then treat as absent."""
    if isinstance(value, str) and value and len(value) <= limit and "\x00" not in value:
        return value
    return None


@dataclass(frozen=True)
class Outcome:
    """What one event did, for the response and the emails sent after the commit."""

    event_id: str
    event_type: str
    duplicate: bool = False
    account_id: uuid.UUID | None = None
    old_tier: str | None = None
    new_tier: str | None = None
    payment_failed: bool = False
    invoice_url: str | None = None

    @property
    def plan_changed(self) -> bool:
        return self.old_tier is not None and self.old_tier != self.new_tier


def verify_event(settings: Settings, *, payload: bytes, signature: str | None) -> stripe.Event:
    """The event in `payload`, once `signature` (the `Stripe-Signature` header) proves that
    Stripe sent it with our webhook secret, recently (5 minutes' tolerance)."""
    if not signature:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    try:
        return stripe_client(settings).construct_event(
            payload, signature, settings.stripe_webhook_secret
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidSignature(
            "The Stripe-Signature header does not match this body and STRIPE_WEBHOOK_SECRET."
        ) from exc


def apply_event(db: DbSession, event: stripe.Event, *, now: datetime) -> Outcome:
    """Apply `event` once; a second delivery of the same id is answered `duplicate=True`.
    Raises UnusableEvent when the event has no id or type that can be recorded."""
    raw: dict[str, Any] = event.to_dict()
    event_id, event_type = _text(raw.get("id")), _text(raw.get("type"), limit=100)
    if event_id is None or event_type is None:
        raise UnusableEvent("The event has no usable `id` or `type`; nothing was applied.")
    if db.get(StripeEvent, event_id) is not None:
        return Outcome(event_id, event_type, duplicate=True)
    db.add(StripeEvent(id=event_id, type=event_type, received_at=now))
    try:
        db.flush()
    except IntegrityError:  # the same event, delivered twice at once
        db.rollback()
        return Outcome(event_id, event_type, duplicate=True)
    handler = _HANDLERS.get(event_type)
    data = _data_object(raw)
    if handler is None or data is None:
        return Outcome(event_id, event_type)
    return handler(db, event, data)


def _data_object(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The event's `data.object`, or None when it is missing or not an object."""
    data = raw.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else None


def _checkout_completed(db: DbSession, event: stripe.Event, data: dict[str, Any]) -> Outcome:
    if data.get("mode") != "subscription":
        return Outcome(event.id, event.type)
    account = _account_by_reference(db, data) or _account_by_stripe_ids(db, data)
    if account is None:
        return _unmatched(event, data)
    customer, subscription = _text(data.get("customer")), _text(data.get("subscription"))
    if customer:
        account.stripe_customer_id = customer
    if subscription:
        account.stripe_subscription_id = subscription
    return _set_tier(db, event, account, "pro")


def _subscription_updated(db: DbSession, event: stripe.Event, data: dict[str, Any]) -> Outcome:
    account = _account_by_stripe_ids(db, data, subscription_key="id")
    if account is None:
        return _unmatched(event, data)
    status = _text(data.get("status"))
    subscription_id = _text(data.get("id"))
    if status in PAID_STATUSES and subscription_id is not None:
        account.stripe_subscription_id = subscription_id
        return _set_tier(db, event, account, "pro")
    if status in ENDED_STATUSES:
        return _set_tier(db, event, account, "free")
    return Outcome(event.id, event.type, account_id=account.id)


def _subscription_deleted(db: DbSession, event: stripe.Event, data: dict[str, Any]) -> Outcome:
    account = _account_by_stripe_ids(db, data, subscription_key="id")
    if account is None:
        return _unmatched(event, data)
    if account.stripe_subscription_id == data.get("id"):
        account.stripe_subscription_id = None
    return _set_tier(db, event, account, "free")


def _payment_failed(db: DbSession, event: stripe.Event, data: dict[str, Any]) -> Outcome:
    account = _account_by_stripe_ids(db, data)
    if account is None:
        return _unmatched(event, data)
    url = _text(data.get("hosted_invoice_url"), limit=2048)
    return Outcome(
        event.id, event.type, account_id=account.id, payment_failed=True, invoice_url=url
    )


_HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.updated": _subscription_updated,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.payment_failed": _payment_failed,
}


def _set_tier(db: DbSession, event: stripe.Event, account: Account, tier: str) -> Outcome:
    old = account.subscription_tier
    if old == "enterprise":
        logger.warning("Stripe event %s left Enterprise account %s as it is", event.id, account.id)
        return Outcome(event.id, event.type, account_id=account.id)
    change_tier(db, account=account, tier=tier, actor=STRIPE, reason=event.type)
    return Outcome(event.id, event.type, account_id=account.id, old_tier=old, new_tier=tier)


def _account_by_reference(db: DbSession, data: dict[str, Any]) -> Account | None:
    """The account a Checkout Session was started for (`client_reference_id`, or metadata)."""
    metadata = data.get("metadata")
    from_metadata = metadata.get("account_id") if isinstance(metadata, dict) else None
    for candidate in (data.get("client_reference_id"), from_metadata):
        text = _text(candidate)
        try:
            account_id = uuid.UUID(text) if text else None
        except ValueError:
            account_id = None
        if account_id is None:
            continue
        account = db.get(Account, account_id)
        if account is not None:
            return account
    return None


def _account_by_stripe_ids(
    db: DbSession, data: dict[str, Any], *, subscription_key: str = "subscription"
) -> Account | None:
    """The account with this subscription (preferred) or this customer."""
    subscription = _text(data.get(subscription_key))
    customer = _text(data.get("customer"))
    conditions = []
    if subscription:
        conditions.append(Account.stripe_subscription_id == subscription)
    if customer:
        conditions.append(Account.stripe_customer_id == customer)
    if not conditions:
        return None
    found = db.scalars(select(Account).where(or_(*conditions))).all()
    by_subscription = [a for a in found if a.stripe_subscription_id == subscription]
    matches = by_subscription or list(found)
    return matches[0] if matches else None


def _unmatched(event: stripe.Event, data: dict[str, Any]) -> Outcome:
    logger.warning(
        "Stripe event %s (%s) matches no account (customer %s); ignored",
        event.id,
        event.type,
        _text(data.get("customer")),
    )
    return Outcome(event.id, event.type)
