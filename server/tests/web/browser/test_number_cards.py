"""A card's number never wraps over two lines (nor overflows its card) at 1280 px, however large
the amounts and counts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page

from llmobserve_server.accounts.sessions import SESSION_COOKIE
from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, custom_event, event, key_client, send, sign_up

NOW = datetime.now(timezone.utc).isoformat()
PAGES = ("/", "/customers/acme", "/agents/bot")
ONE_LINE = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
  return {text: el.textContent.trim(), lines: lines.size,
          overflows: el.scrollWidth > el.clientWidth + 1};
}"""


@pytest.fixture(scope="module")
def big_user(server: RunningServer) -> Iterator[SignedInUser]:
    user = sign_up(server.base_url)
    tags = {"customer_id": "acme", "agent": "bot", "timestamp": NOW}
    with key_client(server.base_url, user.create_key("big")) as client:
        send(
            client,
            *[custom_event("99999.99", **tags) for _ in range(3)],  # the largest a client may send
            *[
                event(input_tokens=999_999_999, output_tokens=999_999_999, **tags)
                for _ in range(12)
            ],
        )
    yield user
    user.client.close()


@pytest.mark.parametrize("path", PAGES)
def test_card_numbers_stay_on_one_line_at_1280_px(
    page: Page, big_user: SignedInUser, base_url: str, path: str
) -> None:
    session = big_user.client.cookies[SESSION_COOKIE]
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": base_url}])
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(path)
    values = page.locator(".stat-value")
    assert values.count() >= 3
    shown = [values.nth(index).evaluate(ONE_LINE) for index in range(values.count())]
    assert any(re.fullmatch(r"\$\d{3},\d{3}\.\d{2}", item["text"]) for item in shown), shown
    assert all(item["lines"] == 1 and not item["overflows"] for item in shown), shown
