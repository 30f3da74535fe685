"""Settings → Prices in the browser: a model without a price, "Add price", a wrong value
explained next to its field, then saved, edited and deleted."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.factories import event, key_client, send
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import create_onboarding_key, sign_up


def test_a_missing_price_is_added_from_the_unpriced_list(page: Page, base_url: str) -> None:
    sign_up(page)
    key = create_onboarding_key(page)
    with key_client(base_url, key) as client:
        send(client, *[event(provider="acme-ai", model="acme-large-2") for _ in range(3)])
        send(client, event(provider="openai", model="ft:gpt-4o-mini:acme:support"))
    page.goto("/settings/prices")
    unpriced = page.locator("tr", has_text="acme-large-2")
    expect(unpriced).to_contain_text("3")
    unpriced.get_by_role("link", name="Add price").click()
    expect(page.get_by_label("Model")).to_have_value("acme-large-2")
    expect(page.get_by_label("Provider")).to_have_value("acme-ai")

    page.get_by_label("Input, $ / 1M tokens", exact=True).fill("-2")
    page.get_by_label("Output, $ / 1M tokens").fill("12.00")
    page.get_by_role("button", name="Add price").click()
    expect(page.locator("#field-input_mtok-error")).to_have_text("Input price cannot be negative.")
    expect(page.get_by_label("Output, $ / 1M tokens")).to_have_value("12.00")

    page.get_by_label("Input, $ / 1M tokens", exact=True).fill("3.25")
    page.get_by_role("button", name="Add price").click()
    expect(page.get_by_text("Price for acme-ai / acme-large-2 added.")).to_be_visible()
    saved = page.locator("tr", has_text="acme-large-2")
    expect(saved).to_contain_text("$3.25")
    expect(saved).to_contain_text("$12.00")
    expect(page.locator("tr", has_text="ft:gpt-4o-mini:acme:support")).to_contain_text("Add price")
    screenshot(page, "prices")

    saved.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit price")).to_be_visible()
    page.get_by_label("Input, $ / 1M tokens", exact=True).fill("3.00")
    page.get_by_role("button", name="Save price").click()
    expect(page.get_by_text("Price for acme-ai / acme-large-2 updated.")).to_be_visible()
    expect(saved).to_contain_text("$3.00")

    saved.get_by_role("button", name="Delete").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Delete price").click()
    expect(page.get_by_text("Price for acme-ai / acme-large-2 deleted.")).to_be_visible()
    expect(page.get_by_text("No prices of your own yet")).to_be_visible()
