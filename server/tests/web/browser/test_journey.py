"""A new user's whole first visit, in one browser session, with the real SDK sending the data:
sign up → onboarding → copy the key → run the page's test script → the connection test turns
green → the dashboard shows the cost → revoke the key in the UI → the SDK's next batch is
refused."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.journey import create_onboarding_key, openai_env, run_python, sign_up

sys.path.insert(0, str(Path(__file__).parents[4] / "sdk" / "python" / "tests"))
from fakes.openai_upstream import FakeOpenAI  # noqa: E402

STATS_AFTER_ONE_CALL = """
import json, llmobserve, openai
llmobserve.init(flush_interval=0.05)
messages = [{"role": "user", "content": "hi"}]
openai.OpenAI().chat.completions.create(model="gpt-4o-mini", messages=messages)
llmobserve.flush(timeout=10)
print(json.dumps(llmobserve.stats()))
"""


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    upstream = FakeOpenAI()
    yield upstream
    upstream.close()


def test_a_new_user_goes_from_sign_up_to_costs_in_the_dashboard_and_can_revoke_the_key(
    page: Page, fake_openai: FakeOpenAI
) -> None:
    sign_up(page, name="Grace Hopper")
    key = create_onboarding_key(page)
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == key

    page.get_by_role("button", name="Next: install the SDK").click()
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in page.locator("#env-commands").inner_text().splitlines()
    )
    assert env["LLMOBSERVE_API_KEY"] == key
    script = page.locator("#test-script").inner_text()
    page.get_by_role("link", name="Next: test the connection").click()
    status = page.locator("#connection-status")
    expect(status).to_contain_text("Waiting for your first event")

    run_python(script, {**env, **openai_env(fake_openai.url)})
    expect(status).to_contain_text("Connected", timeout=15_000)

    page.goto("/")
    total = page.locator(".stat", has_text="Total cost").locator(".stat-value")
    expect(total).to_have_text(re.compile(r"^\$0\.0000\d*[1-9]\d*$"))  # a real, non-zero cost
    expect(page.locator(".card", has_text="Top models")).to_contain_text("gpt-4o-mini")

    page.goto("/settings/api-keys")
    row = page.locator("tr", has_text="Onboarding key")
    row.get_by_role("button", name="Revoke").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Revoke key").click()
    expect(row).to_contain_text("Revoked")

    stats = json.loads(
        run_python(STATS_AFTER_ONE_CALL, {**env, **openai_env(fake_openai.url)}).stdout
    )
    assert stats["sent"] == 0
    assert stats["failed"] + stats["dropped"] == 1  # refused with 401, not retried
