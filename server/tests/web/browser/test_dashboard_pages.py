"""The dashboard pages in Chromium, with realistic usage sent through the real server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from llmobserve_server.accounts.sessions import SESSION_COOKIE
from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, key_client, sign_up
from tests.web.browser.conftest import screenshot
from tests.web.browser.dashboard_data import send_realistic_usage
from tests.web.browser.journey import sign_up as sign_up_in_browser

PAGES = ("/", "/costs", "/agents", "/customers", "/agents/support-bot", "/customers/acme-corp")


@pytest.fixture(scope="module")
def busy_user(server: RunningServer) -> Iterator[SignedInUser]:
    """An account with ten days of usage, shared by the tests that only read it."""
    user = sign_up(server.base_url)
    with key_client(server.base_url, user.create_key("production")) as client:
        send_realistic_usage(client)
    yield user
    user.client.close()


@pytest.fixture
def busy_page(page: Page, busy_user: SignedInUser, base_url: str) -> Page:
    session = busy_user.client.cookies[SESSION_COOKIE]
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": base_url}])
    return page


def chart_is_drawn(page: Page, canvas_id: str) -> bool:
    script = "id => !!window.Chart.getChart(document.getElementById(id))"
    return bool(page.evaluate(script, canvas_id))


def test_the_dashboard_of_a_new_account_guides_to_the_first_event(page: Page) -> None:
    sign_up_in_browser(page)
    page.goto("/")
    expect(page.get_by_role("heading", name="No costs recorded yet")).to_be_visible()
    expect(page.get_by_text("pip install llmobserve")).to_be_visible()
    screenshot(page, "dashboard-empty")
    page.get_by_role("main").get_by_role("link", name="Getting started").click()
    expect(page).to_have_url(re.compile(r"/onboarding$"))


def test_the_dashboard_shows_totals_a_stacked_chart_and_top_tables(busy_page: Page) -> None:
    page = busy_page
    page.goto("/")
    expect(page.locator(".stat-label", has_text="Total cost")).to_be_visible()
    expect(page.locator(".kpi .change").first).to_have_text(re.compile(r"[↑↓]\d+%|new"))
    expect(page.get_by_role("heading", name="Top customers")).to_be_visible()
    expect(page.get_by_role("link", name="acme-corp")).to_be_visible()
    expect(page.get_by_text(re.compile(r"3 events use models without a price"))).to_be_visible()
    assert chart_is_drawn(page, "cost-over-time")
    screenshot(page, "dashboard")
    page.get_by_role("link", name="By model").click()
    expect(page).to_have_url(re.compile(r"split=model"))
    assert chart_is_drawn(page, "cost-over-time")
    page.get_by_role("button", name="24h").click()
    expect(page.get_by_text("Hourly, by model")).to_be_visible()


def test_a_custom_range_is_picked_with_dates_and_a_bad_one_is_explained(busy_page: Page) -> None:
    page = busy_page
    page.goto("/costs")
    page.get_by_label("From").fill("2025-03-08")
    page.get_by_label("To").fill("2025-03-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("start date is after the end date")
    page.get_by_label("From").fill("2025-03-01")
    page.get_by_label("To").fill("2025-03-08")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text(re.compile(r"Mar 1 – Mar 8, 2025"))).to_be_visible()


def test_costs_group_by_model_and_export_the_rows_as_csv(busy_page: Page) -> None:
    page = busy_page
    page.goto("/costs")
    page.get_by_role("group", name="Group by").get_by_role("link", name="Model").click()
    expect(page).to_have_url(re.compile(r"group_by=model"))
    expect(page.get_by_role("cell", name="gpt-4o-mini")).to_be_visible()
    assert chart_is_drawn(page, "costs-chart")
    screenshot(page, "costs")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert re.fullmatch(r"llmobserve-costs-by-model-.+\.csv", download.value.suggested_filename)


def test_agents_list_and_drill_down_to_one_agent(busy_page: Page) -> None:
    page = busy_page
    page.goto("/agents")
    assert chart_is_drawn(page, "agent-trend")
    screenshot(page, "agents")
    page.get_by_role("link", name="sales/email-writer").click()
    expect(page).to_have_url(re.compile(r"/agents/sales%2Femail-writer\?range=7d$"))
    expect(page.locator("h1 .detail-key")).to_have_text("sales/email-writer")
    runs = page.get_by_role("link", name=re.compile("View this agent's runs"))
    expect(runs).to_have_attribute("href", "/runs?agent=sales%2Femail-writer")
    assert chart_is_drawn(page, "detail-cost")
    screenshot(page, "agent-detail")


def test_customers_list_and_drill_down_to_one_customer(busy_page: Page) -> None:
    page = busy_page
    page.goto("/customers")
    screenshot(page, "customers")
    page.get_by_role("link", name="acme-corp").first.click()
    expect(page.get_by_role("heading", name="Top models")).to_be_visible()
    runs = page.get_by_role("link", name=re.compile("View this customer's runs"))
    expect(runs).to_have_attribute("href", "/runs?customer=acme-corp")
    screenshot(page, "customer-detail")


def test_at_phone_width_the_dashboard_pages_do_not_overflow(busy_page: Page) -> None:
    page = busy_page
    page.set_viewport_size({"width": 375, "height": 740})
    for path in PAGES:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} overflows by {overflow}px"
        for canvas in page.locator("canvas").all():
            box = canvas.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, path
