"""Billing in a real browser: upgrade through (fake) Stripe Checkout, the downgrade warning, the
portal, and the page after Stripe's webhooks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from llmobserve_server.testing import RunningServer
from tests.support.fake_stripe import FakeStripe, billing_server, fake_stripe  # noqa: F401
from tests.support.mail import Mailbox
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_up


@pytest.fixture
def base_url(billing_server: RunningServer) -> str:  # noqa: F811
    """The server with Stripe settings, against the fake Stripe API."""
    return billing_server.base_url


def test_upgrade_through_checkout_then_cancel_in_the_portal(
    page: Page,
    fake_stripe: FakeStripe,  # noqa: F811
    mailbox: Mailbox,
) -> None:
    email = sign_up(page, name="Grace Hopper")
    page.goto("/settings/billing")
    current = page.locator("[data-current-plan]")
    expect(current).to_have_attribute("data-current-plan", "free")
    page.locator("[data-upgrade]").click()
    expect(page.get_by_role("heading", name="Fake Stripe Checkout")).to_be_visible()
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/settings/billing\?checkout=success$"))
    expect(page.locator("[data-checkout-return]")).to_contain_text("Thank you!")
    page.reload()
    expect(current).to_have_attribute("data-current-plan", "pro")
    expect(page.locator('[data-plan="pro"]')).to_contain_text("Current plan")
    screenshot(page, "billing")
    mailbox.wait_for(email)

    page.get_by_role("button", name="Manage subscription").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Your data is kept")
    expect(dialog).to_contain_text("older than 7 days are deleted")
    dialog.get_by_role("button", name="Continue to Stripe").click()
    expect(page.get_by_role("heading", name="Fake Stripe portal")).to_be_visible()
    page.get_by_role("button", name="Cancel subscription").click()
    expect(page).to_have_url(re.compile(r"/settings/billing$"))
    expect(current).to_have_attribute("data-current-plan", "free")
    assert "now on the llmobserve Free plan" in str(mailbox.wait_for(email, count=2)["Subject"])


def test_the_downgrade_dialog_can_be_dismissed_without_leaving(
    page: Page,
    fake_stripe: FakeStripe,  # noqa: F811
) -> None:
    sign_up(page)
    page.goto("/settings/billing")
    page.locator("[data-upgrade]").click()
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"checkout=success$"))
    page.goto("/settings/billing")
    page.get_by_role("button", name="Downgrade to Free").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/settings/billing$"))
    expect(page.locator("[data-current-plan]")).to_have_attribute("data-current-plan", "pro")
