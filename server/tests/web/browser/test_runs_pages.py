"""Runs in the browser: the empty state, a realistic list, filters, a run's span tree with its
waterfall, and both at a phone's width."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from playwright.sync_api import Page, expect

from tests.support.factories import key_client, send
from tests.support.runs import nested_run
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import create_onboarding_key, sign_up

RUNS = [  # name, customer, agent, section, failing
    ("answer-ticket", "acme", "triage", "support/retrieval", True),
    ("summarize-thread", "globex", "summarizer", "support/summaries", False),
    ("refund-request", "initech", "billing", "billing/refunds", False),
    ("answer-ticket", "acme", "triage", "support/retrieval", False),
    ("weekly-report", None, "analyst", "reports/weekly", False),
]


def send_runs(page: Page, base_url: str) -> list[str]:
    key = create_onboarding_key(page)
    now = datetime.now(timezone.utc)
    run_ids, events = [], []
    for i, (name, customer, agent, section, failing) in enumerate(RUNS):
        run_id, run = nested_run(
            name=name,
            customer_id=customer,
            agent=agent,
            section=section,
            failing=failing,
            started=now - timedelta(minutes=7 * i + 2),
            scale=(3, 1, 2, 5, 8)[i],
        )
        run_ids.append(run_id)
        events += run
    with key_client(base_url, key) as client:
        send(client, *events)
    return run_ids


def test_runs_page_before_any_run_says_how_to_send_one(page: Page) -> None:
    sign_up(page)
    page.goto("/runs")
    expect(page.get_by_role("heading", name="No runs yet")).to_be_visible()
    expect(page.get_by_role("link", name="Open the getting started guide")).to_be_visible()
    screenshot(page, "runs-empty")


def test_runs_are_listed_filtered_and_opened(page: Page, base_url: str) -> None:
    sign_up(page)
    run_ids = send_runs(page, base_url)
    page.goto("/runs")
    rows = page.locator("tr.run-row")
    expect(rows).to_have_count(len(RUNS))
    failed = rows.first
    expect(failed).to_have_class(re.compile("row-error"))
    expect(failed).to_contain_text("1 error")
    expect(failed).to_contain_text("acme")
    expect(failed).to_contain_text(re.compile(r"\$0\.\d+"))
    screenshot(page, "runs")

    failed.get_by_role("link", name="triage").click()
    expect(page).to_have_url(re.compile(r"/runs\?agent=triage$"))
    expect(page.get_by_label("Agent")).to_have_value("triage")
    expect(rows).to_have_count(2)
    page.get_by_label("Status").select_option("error")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=error"))
    expect(rows).to_have_count(1)

    rows.first.get_by_role("link", name="answer-ticket").click()
    expect(page).to_have_url(re.compile(f"/runs/{run_ids[0]}$"))
    expect(page.get_by_role("heading", name="answer-ticket")).to_be_visible()
    expect(page.locator(".span-error")).to_contain_text("RateLimitError: 429")
    expect(page.locator(".span-row.span-failed")).to_contain_text("check policy")
    expect(page.locator(".waterfall-bar")).to_have_count(6)
    screenshot(page, "run-detail")

    classify = page.get_by_text("classify", exact=True)
    expect(classify).to_be_visible()
    page.locator("summary", has_text="support/retrieval").first.click()  # fold the section
    expect(classify).to_be_hidden()


def test_runs_and_a_run_fit_a_phone(page: Page, base_url: str) -> None:
    sign_up(page)
    run_ids = send_runs(page, base_url)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/runs", f"/runs/{run_ids[0]}"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        # each run, and each span, is a short item with its name and cost on the first line
        cost = page.locator(".runs-list td.money, .span-list .money").first.bounding_box()
        assert cost is not None and 0 < cost["x"] + cost["width"] <= 390
