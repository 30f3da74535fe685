"""Upgrade and Manage subscription: the real `stripe` library against the fake Stripe API."""

from __future__ import annotations

from llmobserve_server.testing import RunningServer
from tests.billing.conftest import MakeOwner, add_member, start_checkout, tier_of, upgrade
from tests.support.fake_stripe import PRICE_PRO, SECRET_KEY, FakeStripe


def test_upgrade_redirects_to_a_stripe_checkout_session_for_the_pro_price(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer
) -> None:
    owner = make_owner()
    session_id = start_checkout(owner)
    sent = next(
        r.params
        for r in fake_stripe.calls("/v1/checkout/sessions")
        if r.params.get("client_reference_id") == owner.account_id
    )
    assert fake_stripe.sessions[session_id]["client_reference_id"] == owner.account_id
    assert sent["mode"] == "subscription"
    assert sent["line_items[0][price]"] == PRICE_PRO
    assert sent["line_items[0][quantity]"] == "1"
    assert sent["metadata[account_id]"] == owner.account_id
    assert sent["success_url"] == f"{billing_server.base_url}/settings/billing?checkout=success"
    assert sent["cancel_url"] == f"{billing_server.base_url}/settings/billing?checkout=cancel"
    assert sent["customer"].startswith("cus_")
    assert tier_of(owner) == "free"  # nothing changes until Stripe's webhook says it was paid


def test_the_stripe_customer_is_created_once_per_account_with_the_owner_email(
    make_owner: MakeOwner, fake_stripe: FakeStripe
) -> None:
    owner = make_owner()
    first, second = start_checkout(owner), start_checkout(owner)
    customers = [
        r
        for r in fake_stripe.calls("/v1/customers")
        if r.params.get("metadata[account_id]") == owner.account_id
    ]
    assert len(customers) == 1
    assert customers[0].params["email"] == owner.email
    assert customers[0].headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert fake_stripe.sessions[first]["customer"] == fake_stripe.sessions[second]["customer"]


def test_manage_subscription_opens_the_portal_for_the_account_customer(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer
) -> None:
    owner = make_owner()
    customer, _ = upgrade(owner, fake_stripe)
    response = owner.client.post("/settings/billing/portal")
    assert response.status_code == 303, response.text
    session = fake_stripe.sessions[str(response.headers["location"]).rsplit("/", 1)[1]]
    assert session["object"] == "billing_portal.session"
    assert session["customer"] == customer
    assert session["return_url"] == f"{billing_server.base_url}/settings/billing"


def test_portal_without_a_stripe_customer_explains_instead_of_failing(
    make_owner: MakeOwner,
) -> None:
    owner = make_owner()
    response = owner.client.post("/settings/billing/portal")
    assert response.status_code == 303 and response.headers["location"] == "/settings/billing"
    assert "no Stripe subscription yet" in owner.client.get("/settings/billing").text


def test_a_pro_account_is_not_sent_to_checkout_again(
    make_owner: MakeOwner, fake_stripe: FakeStripe
) -> None:
    owner = make_owner()
    upgrade(owner, fake_stripe)
    response = owner.client.post("/settings/billing/checkout")
    assert response.status_code == 303 and response.headers["location"] == "/settings/billing"
    assert "already on the Pro plan" in owner.client.get("/settings/billing").text


def test_a_member_sees_no_billing_buttons_and_is_refused_both_actions(
    make_owner: MakeOwner, fake_stripe: FakeStripe, billing_server: RunningServer
) -> None:
    owner = make_owner()
    upgrade(owner, fake_stripe)
    member = add_member(billing_server, owner)
    page = member.client.get("/settings/billing")
    assert page.status_code == 200
    assert 'data-current-plan="pro"' in page.text
    assert "Only an owner can change the plan" in page.text
    assert "/settings/billing/checkout" not in page.text
    assert "/settings/billing/portal" not in page.text
    for action in ("checkout", "portal"):
        assert member.client.post(f"/settings/billing/{action}").status_code == 403
    member.client.close()


def test_a_billing_post_without_the_csrf_token_is_refused(make_owner: MakeOwner) -> None:
    owner = make_owner()
    del owner.client.headers["X-CSRF-Token"]
    assert owner.client.post("/settings/billing/checkout").status_code == 403
