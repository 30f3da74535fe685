"""The operator console in a real browser: the overview with its charts, an account's page, and
disabling an account through the confirmation dialog (then enabling it again)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import execute
from tests.support.factories import custom_event, key_client, send
from tests.support.factories import sign_up as api_sign_up
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_up


def test_staff_read_the_overview_and_disable_then_enable_an_account(
    page: Page, server: RunningServer
) -> None:
    customer = api_sign_up(server.base_url)
    with key_client(server.base_url, customer.create_key("production")) as keyed:
        send(keyed, custom_event("1.25"), custom_event("0.40"))
    email = sign_up(page, name="Olive Operator")
    execute(server, "UPDATE users SET is_staff = :yes WHERE email = :email", yes=True, email=email)

    page.goto("/")
    page.get_by_role("link", name="Console").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", name="Operator console")).to_be_visible()
    expect(page.locator("#events-per-day")).to_be_visible()
    expect(page.locator("#signups-per-day")).to_be_visible()
    expect(page.locator("[data-mrr-help]")).to_contain_text("Stripe")
    screenshot(page, "admin-console")

    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_label("Search").fill(customer.email)
    page.get_by_role("button", name="Search").click()
    page.locator(f'[data-account-row="{customer.account_id}"] a').click()
    expect(page).to_have_url(re.compile(rf"/admin/accounts/{customer.account_id}$"))
    expect(page.locator('[data-key^="llmo_sk_"]')).to_contain_text("production")
    expect(page.locator(f'[data-member="{customer.email}"]')).to_contain_text("Owner")
    screenshot(page, "admin-account")

    page.get_by_label("Reason (staff only)").fill("abuse report #7")
    page.get_by_role("button", name="Disable account").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Disable")
    dialog.get_by_role("button", name="Disable account").click()
    expect(page.locator("[data-disabled-notice]")).to_contain_text("abuse report #7")
    with key_client(server.base_url, customer.create_key()) as keyed:
        assert keyed.get("/v1/ping").status_code == 403

    page.get_by_role("button", name="Enable account").click()
    expect(page.get_by_text("is enabled again")).to_be_visible()
    expect(page.locator("[data-disabled-notice]")).to_have_count(0)
    customer.client.close()
