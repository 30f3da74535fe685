"""The layout: empty states, and a phone-width screen."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_up


def test_home_shows_a_getting_started_empty_state_without_data(page: Page) -> None:
    sign_up(page)
    page.goto("/")
    expect(page.get_by_role("heading", name="No costs recorded yet")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Getting started").click()
    expect(page).to_have_url(re.compile(r"/onboarding$"))
    page.goto("/")
    screenshot(page, "home-empty")


def test_api_keys_page_has_an_empty_state_without_keys(page: Page) -> None:
    sign_up(page)
    page.goto("/settings/api-keys")
    expect(page.get_by_role("heading", name="No API keys yet")).to_be_visible()


def test_the_sidebar_marks_the_current_page(page: Page) -> None:
    sign_up(page)
    page.goto("/settings/api-keys")
    current = page.locator(".nav-link[aria-current=page]")
    expect(current).to_have_text("API keys")


def test_at_phone_width_nothing_overflows_and_the_menu_opens(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    sign_up(page)
    for path in ("/", "/onboarding", "/settings/api-keys", "/sign-in"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} overflows by {overflow}px"
    page.goto("/")
    nav_link = page.get_by_role("link", name="API keys")
    expect(nav_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav_link).to_be_visible()
    screenshot(page, "phone-menu")
    nav_link.click()
    expect(page).to_have_url(re.compile(r"/settings/api-keys$"))
