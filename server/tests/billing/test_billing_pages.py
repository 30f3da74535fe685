"""/settings/billing without Stripe, after Checkout, and the public /pricing page."""

from __future__ import annotations

import httpx

from tests.billing.conftest import MakeOwner, upgrade
from tests.support.factories import SignedInUser, error_of
from tests.support.fake_stripe import FakeStripe


def test_without_stripe_settings_the_billing_page_says_billing_is_off(user: SignedInUser) -> None:
    page = user.client.get("/settings/billing")
    assert page.status_code == 200
    assert "Billing is not configured on this server." in page.text
    assert "llmobserve-server set-tier" in page.text
    assert "/settings/billing/checkout" not in page.text
    assert 'data-current-plan="free"' in page.text
    assert "10,000 events / month" in page.text


def test_without_stripe_settings_upgrade_explains_and_the_webhook_is_absent(
    user: SignedInUser, anonymous: httpx.Client
) -> None:
    response = user.client.post("/settings/billing/checkout")
    assert response.status_code == 303
    assert "Billing is not configured" in user.client.get("/settings/billing").text
    webhook = anonymous.post("/v1/stripe/webhook", content=b"{}")
    assert error_of(webhook, 404)["code"] == "billing_disabled"


def test_billing_page_shows_this_month_usage_against_the_plan(user: SignedInUser) -> None:
    page = user.client.get("/settings/billing").text
    assert "of 10,000 events" in page
    assert "Resets in" in page


def test_returning_from_checkout_says_what_happens_next(make_owner: MakeOwner) -> None:
    owner = make_owner()
    success = owner.client.get("/settings/billing?checkout=success").text
    assert "Stripe is confirming your payment" in success
    cancel = owner.client.get("/settings/billing?checkout=cancel").text
    assert "Nothing was charged" in cancel


def test_a_free_owner_is_offered_the_upgrade(make_owner: MakeOwner) -> None:
    page = make_owner().client.get("/settings/billing").text
    assert 'action="/settings/billing/checkout"' in page
    assert "Billing is not configured" not in page


def test_a_pro_owner_is_told_before_the_portal_that_a_downgrade_keeps_data(
    make_owner: MakeOwner, fake_stripe: FakeStripe
) -> None:
    owner = make_owner()
    upgrade(owner, fake_stripe)
    page = owner.client.get("/settings/billing").text
    assert "Downgrade to Free" in page and "Upgrade to Pro" not in page
    assert (
        "Your data is kept, but from the next daily retention run events older than 7 days" in page
    )


def test_pricing_is_public_and_shows_the_three_plans(anonymous: httpx.Client) -> None:
    page = anonymous.get("/pricing")
    assert page.status_code == 200
    for text in ("Free", "Pro", "Enterprise", "$0", "$29", "Custom", "10,000 events / month"):
        assert text in page.text
    assert "1,000,000 events / month" in page.text and "90 days of history" in page.text
    assert "Up to 5 members" in page.text and "Unlimited members" in page.text
    assert 'href="/sign-up"' in page.text


def test_pricing_for_a_signed_in_user_marks_their_plan(user: SignedInUser) -> None:
    page = user.client.get("/pricing").text
    assert "Your plan" in page
    assert 'href="/settings/billing"' in page
