"""Every dashboard page fits the screens people use: a 1280 px laptop and a 390 px phone.

At both widths the page never scrolls sideways. At 1280 px no table is wider than its card (no
column is clipped or hidden behind a scrollbar). At 390 px a table may scroll inside its own
container, but its cost column is on screen without scrolling.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from llmobserve_server.accounts.sessions import SESSION_COOKIE
from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, key_client, send, sign_up
from tests.support.runs import nested_run
from tests.web.browser.dashboard_data import send_realistic_usage

WIDTHS = (1280, 390)
NESTED_RUN_ID = "run-with-a-span-tree"
PAGES = (
    "/",
    "/runs",
    "/runs/{run_id}",
    "/costs",
    "/costs?group_by=model",
    "/costs?group_by=customer",
    "/costs?group_by=section",
    "/agents",
    "/agents/support-bot",
    "/customers",
    "/customers/acme-corp",
    "/settings/api-keys",
    "/settings/prices",
    "/settings/team",
    "/settings/profile",
    "/settings/billing",
    "/settings/audit",
    "/onboarding",
    "/onboarding/install",
    "/onboarding/test",
    "/pricing",
)

# Pages where the check must find a cost column (so that it cannot pass by finding none).
COSTED_TABLES = ("/runs", "/runs/{run_id}", "/costs", "/costs?group_by=model")
# For each table on the page: how much wider it is than its scroll container, and where the
# first row's cost cell is on screen without scrolling (null without a cost column or rows).
_MEASURE_TABLES = """() => [...document.querySelectorAll("main table")].map((table) => {
  let box = table.parentElement;
  while (box !== document.body && getComputedStyle(box).overflowX === "visible") {
    box = box.parentElement;
  }
  const heads = [...table.querySelectorAll("thead th")];
  const costColumn = heads.findIndex((th) => /cost/i.test(th.textContent));
  const row = table.tBodies[0] && table.tBodies[0].rows[0];
  const cell = costColumn >= 0 && row && row.cells.length === heads.length
    ? row.cells[costColumn] : null;
  const rect = cell && cell.getBoundingClientRect();
  return {
    columns: heads.map((th) => th.textContent.trim()).join(", "),
    overflow: box === document.body ? 0 : box.scrollWidth - box.clientWidth,
    costShown: cell ? rect.width > 0 && rect.right <= window.innerWidth : null,
  };
}).concat([...document.querySelectorAll(".span-tree")].map((tree) => {
  const box = tree.closest(".table-scroll");
  const cell = tree.querySelector(".span-list .money");
  const rect = cell && cell.getBoundingClientRect();
  return {
    columns: "the span tree",
    overflow: box ? box.scrollWidth - box.clientWidth : 0,
    costShown: cell ? rect.width > 0 && rect.right <= window.innerWidth : null,
  };
}))"""
_PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def busy_user(server: RunningServer) -> Iterator[SignedInUser]:
    """An account with ten days of usage, shared by the tests that only read it."""
    user = sign_up(server.base_url)
    with key_client(server.base_url, user.create_key("production")) as client:
        send_realistic_usage(client)
        send(client, *nested_run(run_id=NESTED_RUN_ID, scale=8)[1])  # a span tree, four deep
    yield user
    user.client.close()


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("path", PAGES)
def test_the_page_fits_the_screen_width(
    page: Page, busy_user: SignedInUser, base_url: str, path: str, width: int
) -> None:
    session = busy_user.client.cookies[SESSION_COOKIE]
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": base_url}])
    page.set_viewport_size({"width": width, "height": 900})
    answer = page.goto(path.format(run_id=NESTED_RUN_ID))
    assert answer is not None and answer.status == 200

    assert page.evaluate(_PAGE_OVERFLOW) <= 0, "the page scrolls sideways"
    tables: list[dict[str, Any]] = page.evaluate(_MEASURE_TABLES)
    if path in COSTED_TABLES:
        assert any(t["costShown"] for t in tables), f"no cost column on screen: {tables}"
    if width >= 1280:
        clipped = [t for t in tables if t["overflow"] > 0]
        assert not clipped, f"tables wider than their card at {width} px: {clipped}"
    else:
        off_screen = [t for t in tables if t["costShown"] is False]
        assert not off_screen, f"cost column off screen at {width} px: {off_screen}"
