"""Settings → API keys: create, copy, revoke; a revoked key is refused at the next batch."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import run_python, sign_up

SEND_ONE_EVENT = """
import json, llmobserve
llmobserve.init(flush_interval=0.05)
llmobserve.track("after-revoke", cost_usd="0.01", provider="test")
llmobserve.flush(timeout=10)
print(json.dumps(llmobserve.stats()))
"""


def test_a_key_is_created_copied_and_revoked_and_the_sdk_is_then_refused(
    page: Page, base_url: str
) -> None:
    sign_up(page)
    page.goto("/settings/api-keys")
    page.get_by_label("Name").fill("production")
    page.get_by_role("button", name="+ New key").click()
    key = page.locator("#new-api-key").inner_text().strip()
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == key
    row = page.locator("tr", has_text="production")
    expect(row.locator(".key-prefix")).to_have_text(f"{key[:12]}…{key[-4:]}")
    expect(row).to_contain_text("never")
    screenshot(page, "api-keys")

    env = {"LLMOBSERVE_API_KEY": key, "LLMOBSERVE_COLLECTOR_URL": base_url}
    assert json.loads(run_python(SEND_ONE_EVENT, env).stdout)["sent"] == 1
    page.reload()
    expect(row).to_contain_text("just now")
    assert key not in page.content()  # shown once

    row.get_by_role("button", name="Revoke").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Revoke “production”?")
    screenshot(page, "api-keys-revoke")
    dialog.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_text("API key “production” revoked.")).to_be_visible()
    expect(row).to_contain_text(re.compile("Revoked"))

    stats = json.loads(run_python(SEND_ONE_EVENT, env).stdout)
    assert stats["sent"] == 0 and stats["failed"] + stats["dropped"] == 1


def test_cancelling_the_confirmation_keeps_the_key(page: Page) -> None:
    sign_up(page)
    page.goto("/settings/api-keys")
    page.get_by_label("Name").fill("staging")
    page.get_by_role("button", name="+ New key").click()
    page.get_by_role("button", name="Revoke").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    expect(
        page.locator("tr", has_text="staging").get_by_role("button", name="Revoke")
    ).to_be_visible()


def test_a_key_without_a_name_is_refused_next_to_the_field(page: Page) -> None:
    sign_up(page)
    page.goto("/settings/api-keys")
    page.get_by_label("Name").fill("   ")
    page.get_by_role("button", name="+ New key").click()
    expect(page.locator("#field-name-error")).to_contain_text("Give the key a name")
