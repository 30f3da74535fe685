"""Stripe's webhooks: signed, applied once, and the only thing that changes a paid tier."""

from __future__ import annotations

import json
import time

import httpx

from llmobserve_server.testing import RunningServer
from tests.billing.conftest import MakeOwner, start_checkout, tier_of, upgrade
from tests.support.accounts_db import count
from tests.support.factories import error_of
from tests.support.fake_stripe import (
    FakeStripe,
    event_payload,
    new_id,
    post_event,
    sign,
    subscription,
)
from tests.support.finished import wait_until_finished
from tests.support.mail import Mailbox, text_of


def settle(
    mailbox: Mailbox, address: str, expected: int, server: RunningServer, last: httpx.Response
) -> None:
    """Wait for `expected` emails to `address`, and for the `last` request's background tasks
    (which would send another) to be over; then make sure no more arrived."""
    if expected:
        mailbox.wait_for(address, count=expected)
    wait_until_finished(server, last)
    assert len(mailbox.to(address)) == expected


def test_checkout_completed_makes_the_account_pro_and_emails_the_owner(
    make_owner: MakeOwner, fake_stripe: FakeStripe, mailbox: Mailbox
) -> None:
    owner = make_owner()
    customer, subscription_id = upgrade(owner, fake_stripe)
    page = owner.client.get("/settings/billing").text
    assert 'data-current-plan="pro"' in page
    assert "Manage subscription" in page and "Upgrade to Pro" not in page
    message = mailbox.wait_for(owner.email)
    assert "now on the llmobserve Pro plan" in str(message["Subject"])
    assert "1,000,000 events a month, 90 days of history, up to 5 members" in text_of(message)
    assert customer.startswith("cus_") and subscription_id.startswith("sub_")


def test_the_same_event_delivered_twice_changes_the_plan_once_and_emails_once(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer, mailbox: Mailbox
) -> None:
    owner = make_owner()
    customer, subscription_id = upgrade(owner, fake_stripe)
    mailbox.wait_for(owner.email)
    event_id = new_id("evt")
    canceled = subscription(subscription_id, customer, "canceled")
    first = post_event(
        billing_server.base_url, "customer.subscription.deleted", canceled, event_id=event_id
    )
    assert first.json() == {"received": True, "duplicate": False}
    upgrade(owner, fake_stripe)  # pro again, so that a second application would show
    again = post_event(
        billing_server.base_url, "customer.subscription.deleted", canceled, event_id=event_id
    )
    assert again.status_code == 200 and again.json() == {"received": True, "duplicate": True}
    assert tier_of(owner) == "pro"
    settle(mailbox, owner.email, 3, billing_server, again)  # pro, free, pro: never a 2nd "free"


def test_subscription_updated_follows_the_subscription_status(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer
) -> None:
    owner = make_owner()
    customer, subscription_id = upgrade(owner, fake_stripe)
    for status, tier in [
        ("past_due", "pro"),  # Stripe is still retrying: keep the plan
        ("unpaid", "free"),
        ("active", "pro"),
        ("incomplete_expired", "free"),
        ("trialing", "pro"),
        ("canceled", "free"),
    ]:
        updated = subscription(subscription_id, customer, status)
        response = post_event(billing_server.base_url, "customer.subscription.updated", updated)
        assert response.status_code == 200, response.text
        assert tier_of(owner) == tier, status


def test_subscription_deleted_returns_the_account_to_free_and_says_data_is_kept(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer, mailbox: Mailbox
) -> None:
    owner = make_owner()
    customer, subscription_id = upgrade(owner, fake_stripe)
    deleted = subscription(subscription_id, customer, "canceled")
    response = post_event(billing_server.base_url, "customer.subscription.deleted", deleted)
    assert response.status_code == 200, response.text
    assert tier_of(owner) == "free"
    assert 'data-current-plan="free"' in owner.client.get("/settings/billing").text
    message = mailbox.wait_for(owner.email, count=2)
    assert "now on the llmobserve Free plan" in str(message["Subject"])
    assert "Your data is kept" in text_of(message)
    assert "older than 7 days" in text_of(message)


def test_payment_failed_emails_the_owner_and_keeps_the_plan(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer, mailbox: Mailbox
) -> None:
    owner = make_owner()
    customer, subscription_id = upgrade(owner, fake_stripe)
    invoice = {
        "id": new_id("in"),
        "object": "invoice",
        "customer": customer,
        "subscription": subscription_id,
        "status": "open",
        "attempt_count": 1,
        "hosted_invoice_url": "https://invoice.stripe.com/i/test",
    }
    response = post_event(billing_server.base_url, "invoice.payment_failed", invoice)
    assert response.status_code == 200, response.text
    assert tier_of(owner) == "pro"
    message = mailbox.wait_for(owner.email, count=2)
    assert "Payment failed" in str(message["Subject"])
    assert "https://invoice.stripe.com/i/test" in text_of(message)
    assert "/settings/billing" in text_of(message)


def test_a_bad_or_missing_signature_is_refused_with_400_and_changes_nothing(
    make_owner: MakeOwner, billing_server: RunningServer, fake_stripe: FakeStripe
) -> None:
    owner = make_owner()
    session_id = start_checkout(owner)
    completed = {**fake_stripe.sessions[session_id], "status": "complete", "subscription": "sub_x"}
    event_id = new_id("evt")
    payload = event_payload("checkout.session.completed", completed, event_id)
    url = f"{billing_server.base_url}/v1/stripe/webhook"
    for headers in (
        {"Stripe-Signature": sign(payload, "whsec_someone_else")},
        {"Stripe-Signature": sign(payload, timestamp=int(time.time()) - 3600)},  # replayed
        {"Stripe-Signature": "t=1,v1=nonsense"},
        {},
    ):
        response = httpx.post(url, content=payload, headers=headers)
        assert error_of(response, 400)["code"] == "invalid_signature"
    tampered = payload.replace('"complete"', '"completed"')
    response = httpx.post(url, content=tampered, headers={"Stripe-Signature": sign(payload)})
    assert error_of(response, 400)["code"] == "invalid_signature"
    assert tier_of(owner) == "free"
    assert (
        count(billing_server, "SELECT count(*) FROM stripe_events WHERE id = :id", id=event_id) == 0
    )
    good = httpx.post(url, content=payload, headers={"Stripe-Signature": sign(payload)})
    assert good.json() == {"received": True, "duplicate": False}  # not poisoned by the fakes
    assert tier_of(owner) == "pro"


def test_an_event_type_we_do_not_use_is_acknowledged_and_ignored(
    make_owner: MakeOwner, billing_server: RunningServer
) -> None:
    owner = make_owner()
    response = post_event(
        billing_server.base_url, "customer.created", {"id": new_id("cus"), "object": "customer"}
    )
    assert response.status_code == 200 and response.json()["duplicate"] is False
    assert tier_of(owner) == "free"


def test_an_event_for_an_unknown_customer_is_acknowledged_and_changes_nothing(
    billing_server: RunningServer,
) -> None:
    stray = subscription(new_id("sub"), new_id("cus"), "canceled")
    response = post_event(billing_server.base_url, "customer.subscription.deleted", stray)
    assert response.status_code == 200, response.text


BAD_VALUES = {
    "a NUL": "cus_\u0000x",
    "a NUL in a UUID": "00000000-0000-0000-0000-00000000000\u0000",
    "a number": 42,
    "a list": ["acct"],
    "an object": {"id": "x"},
    "too long": "x" * 10_000,
}


def test_a_signed_checkout_with_bad_reference_fields_is_acknowledged_and_changes_nothing(
    make_owner: MakeOwner, billing_server: RunningServer, fake_stripe: FakeStripe
) -> None:
    """Issue 13: a NUL or an unexpected type in `client_reference_id`, `metadata`, the customer
    or the subscription of a correctly signed event gave a 500. The fields are ignored."""
    owner = make_owner()
    session_id = start_checkout(owner)
    for label, bad in BAD_VALUES.items():
        completed = {
            **fake_stripe.sessions[session_id],
            "status": "complete",
            "client_reference_id": bad,
            "metadata": bad,
            "customer": bad,
            "subscription": bad,
        }
        response = post_event(billing_server.base_url, "checkout.session.completed", completed)
        assert response.status_code == 200, f"{label}: {response.text}"
        for metadata in ({"account_id": bad}, [bad], bad):
            completed["metadata"] = metadata
            response = post_event(billing_server.base_url, "checkout.session.completed", completed)
            assert response.status_code == 200, f"{label}: {response.text}"
    assert tier_of(owner) == "free"


def test_signed_subscription_and_invoice_events_with_bad_fields_are_acknowledged(
    billing_server: RunningServer,
) -> None:
    for label, bad in BAD_VALUES.items():
        for event_type in (
            "customer.subscription.updated",
            "customer.subscription.deleted",
            "invoice.payment_failed",
        ):
            data = {"id": bad, "object": "subscription", "customer": bad, "status": bad}
            data["subscription"] = bad
            data["hosted_invoice_url"] = bad
            response = post_event(billing_server.base_url, event_type, data)
            assert response.status_code == 200, f"{event_type} with {label}: {response.text}"


def test_a_signed_event_without_a_usable_id_or_type_is_400_invalid_event(
    billing_server: RunningServer,
) -> None:
    url = f"{billing_server.base_url}/v1/stripe/webhook"
    for label, bad in BAD_VALUES.items():
        for field in ("id", "type"):
            event = json.loads(event_payload("customer.created", {"object": "customer"}))
            event[field] = bad
            payload = json.dumps(event)
            response = httpx.post(url, content=payload, headers={"Stripe-Signature": sign(payload)})
            assert error_of(response, 400)["code"] == "invalid_event", f"{field} {label}"
