"""The audit log in a real browser: an owner's actions appear, filters and pages work."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_up


def test_an_owner_reads_and_filters_the_audit_log(page: Page) -> None:
    email = sign_up(page, name="Grace Hopper")
    page.goto("/settings/api-keys")
    page.get_by_label("Name").fill("production")
    page.get_by_role("button", name="+ New key").click()
    expect(page.locator("#new-key")).to_be_visible()

    page.get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(re.compile(r"/settings/audit$"))
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="API key created")).to_contain_text("production")
    expect(rows.filter(has_text="Account created")).to_contain_text(email)
    screenshot(page, "audit-log")

    page.get_by_label("Action").select_option("api_key_created")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"action=api_key_created"))
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Clear").click()
    expect(rows.filter(has_text="Account created")).to_have_count(1)
