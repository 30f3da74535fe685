"""Budgets in the browser: the list shows each budget's spend as a progress bar with its state
and projection; a budget's page shows its alerts with every delivery attempt; both fit a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.factories import custom_event, key_client
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import create_onboarding_key, sign_up

PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_budgets_show_their_spend_state_and_alerts(page: Page, base_url: str) -> None:
    sign_up(page)
    key = create_onboarding_key(page)
    with key_client(base_url, key) as client:
        for name, scope in (("Acme monthly", {"customer_id": "acme"}), ("Everything", {})):
            created = client.post(
                "/v1/budgets",
                json={"name": name, "scope": scope, "amount_usd": "10", "enforce": True},
            )
            assert created.status_code == 201, created.text
        answer = client.post(
            "/v1/events", json={"events": [custom_event("6.00", customer_id="acme")]}
        )
        assert answer.status_code == 200, answer.text

    page.goto("/budgets")
    acme = page.locator("tr", has_text="Acme monthly")
    expect(acme).to_contain_text("customer_id acme")
    expect(acme).to_contain_text("$6.00")
    expect(acme).to_contain_text("60 %")
    expect(acme).to_contain_text("alerting")
    expect(acme.locator("progress")).to_have_attribute("value", "60")
    screenshot(page, "budgets")

    acme.get_by_role("link", name="Acme monthly").click()
    expect(page.get_by_role("heading", name="Acme monthly")).to_be_visible()
    alerts = page.locator("tr", has_text="50 %")
    expect(alerts).to_contain_text("email")
    expect(alerts).to_contain_text("delivered")

    for path in ("/budgets", page.url):
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(path)
        assert page.evaluate(PAGE_OVERFLOW) <= 0, f"{path} scrolls sideways on a phone"


def test_an_account_without_budgets_is_told_how_to_create_one(page: Page) -> None:
    sign_up(page)
    page.goto("/budgets")
    expect(page.get_by_text("No budgets yet")).to_be_visible()


def test_a_budget_is_created_from_the_form_then_deleted(page: Page) -> None:
    sign_up(page)
    page.goto("/budgets")
    page.get_by_label("Name").fill("Support agent daily")
    page.get_by_label("Amount, USD per period").fill("-3")
    page.get_by_label("Agent").fill("support-bot")
    page.get_by_role("button", name="Create budget").click()
    expect(page.locator("#field-amount_usd-error")).to_have_text(
        "Enter an amount in USD above 0, e.g. 25.00."
    )
    expect(page.get_by_label("Agent")).to_have_value("support-bot")

    page.get_by_label("Amount, USD per period").fill("5")
    page.get_by_label("Period", exact=True).select_option("day")
    page.get_by_label("Enforce").check()
    page.get_by_role("button", name="Create budget").click()
    expect(page.get_by_text("Budget Support agent daily created.")).to_be_visible()
    expect(page.get_by_role("heading", name="Support agent daily")).to_be_visible()
    expect(page.get_by_text("agent support-bot · $5.00 per day (UTC) · enforced")).to_be_visible()

    page.get_by_role("button", name="Delete budget").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Delete budget").click()
    expect(page.get_by_text("Budget deleted.")).to_be_visible()
    expect(page.get_by_text("No budgets yet")).to_be_visible()
