"""Onboarding: welcome → key shown once → install with the real key and URL → live test."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import create_onboarding_key, openai_env, run_python, sign_up

sys.path.insert(0, str(Path(__file__).parents[4] / "sdk" / "python" / "tests"))
from fakes.openai_upstream import FakeOpenAI  # noqa: E402


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    upstream = FakeOpenAI()
    yield upstream
    upstream.close()


def test_the_key_is_shown_once_with_a_copy_button_that_copies(page: Page) -> None:
    sign_up(page)
    key = create_onboarding_key(page)
    assert re.fullmatch(r"llmo_sk_[A-Za-z0-9_-]{40,}", key)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    screenshot(page, "onboarding-key")

    page.reload()
    expect(page.locator("#new-api-key")).to_have_count(0)
    assert key not in page.content()
    expect(page.locator(".key-prefix")).to_have_text(f"{key[:12]}…{key[-4:]}")
    expect(page.get_by_role("button", name="Create a new key")).to_be_visible()


def test_the_install_step_has_the_real_key_and_this_servers_url(page: Page, base_url: str) -> None:
    sign_up(page)
    key = create_onboarding_key(page)
    page.get_by_role("button", name="Next: install the SDK").click()
    env = page.locator("#env-commands").inner_text()
    assert f"export LLMOBSERVE_API_KEY={key}" in env
    assert f"export LLMOBSERVE_COLLECTOR_URL={base_url}" in env
    expect(page.locator("#install-command")).to_have_text("pip install llmobserve openai")
    expect(page.locator("#test-script")).to_contain_text('with llmobserve.run("hello-llmobserve"):')
    screenshot(page, "onboarding-install")


def test_the_connection_test_turns_green_when_the_first_event_arrives(
    page: Page, fake_openai: FakeOpenAI
) -> None:
    """The install page's own script, run with the SDK against a fake OpenAI, turns it green."""
    sign_up(page)
    create_onboarding_key(page)
    page.get_by_role("button", name="Next: install the SDK").click()
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in page.locator("#env-commands").inner_text().splitlines()
    )
    script = page.locator("#test-script").inner_text()
    page.get_by_role("link", name="Next: test the connection").click()
    status = page.locator("#connection-status")
    expect(status).to_contain_text("Waiting for your first event")
    screenshot(page, "onboarding-waiting")

    run_python(script, {**env, **openai_env(fake_openai.url)})

    expect(status).to_contain_text("Connected", timeout=15_000)
    expect(status).to_have_class(re.compile("connection-ok"))
    expect(status).to_contain_text("gpt-4o-mini-2024-07-18")
    expect(status.locator(".money")).to_have_text(re.compile(r"^\$0\.0000\d+$"))
    screenshot(page, "onboarding-connected")


def test_onboarding_can_be_skipped_and_revisited_from_the_sidebar(page: Page) -> None:
    sign_up(page)
    page.get_by_role("link", name="Skip for now").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_role("link", name="Getting started").first.click()
    expect(page).to_have_url(re.compile(r"/onboarding$"))


def test_the_opentelemetry_path_turns_the_connection_green(
    page: Page, base_url: str, fake_openai: FakeOpenAI
) -> None:
    """The install page's OpenTelemetry path: its exporter variables (with the real key and
    URL) and its script (the OpenTelemetry SDK and the official OpenAI instrumentation)."""
    sign_up(page)
    key = create_onboarding_key(page)
    page.get_by_role("button", name="Next: install the SDK").click()
    page.get_by_text("OpenTelemetry", exact=True).click()
    expect(page.locator("#otel-env-commands")).to_be_visible()
    expect(page.locator("#test-script")).to_be_hidden()  # one path open at a time
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in page.locator("#otel-env-commands").inner_text().splitlines()
    )
    env = {name: value.strip('"') for name, value in env.items()}
    assert env == {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"{base_url}/otlp",
        "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {key}",
    }
    script = page.locator("#otel-test-script").inner_text()
    page.get_by_role("link", name="Next: test the connection").last.click()

    run_python(script, {**env, **openai_env(fake_openai.url)})

    status = page.locator("#connection-status")
    expect(status).to_contain_text("Connected", timeout=15_000)
    expect(status).to_contain_text("gpt-4o-mini-2024-07-18")
