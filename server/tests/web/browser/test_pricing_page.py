"""/pricing for anyone, and /settings/billing on a server without Stripe, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_up


def test_pricing_shows_three_plans_side_by_side_to_a_visitor(page: Page) -> None:
    page.goto("/pricing")
    cards = page.locator("[data-plan]")
    expect(cards).to_have_count(3)
    boxes = [cards.nth(i).bounding_box() for i in range(3)]
    assert all(box is not None for box in boxes)
    assert len({round(box["y"]) for box in boxes if box}) == 1  # one row on a desktop
    expect(page.locator('[data-plan="pro"]')).to_contain_text("$29")
    screenshot(page, "pricing")
    page.get_by_role("link", name="Sign up free").click()
    expect(page).to_have_url(re.compile(r"/sign-up$"))


def test_pricing_fits_a_phone_screen(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/pricing")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    cards = page.locator("[data-plan]")
    for i in range(3):
        box = cards.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375


def test_billing_off_page_tells_how_to_set_a_plan(page: Page) -> None:
    sign_up(page)
    page.goto("/settings/billing")
    expect(page.locator("[data-billing-off]")).to_contain_text(
        "Billing is not configured on this server."
    )
    expect(page.get_by_role("button", name="Upgrade to Pro")).to_have_count(0)
    screenshot(page, "billing-off")
