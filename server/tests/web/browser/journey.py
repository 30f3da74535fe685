"""Steps a person takes in the browser, shared by the browser tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.factories import PASSWORD, unique_email

SDK_DIR = Path(__file__).parents[4] / "sdk" / "python"


def sign_up(page: Page, *, name: str = "Ada Lovelace") -> str:
    """Sign up a fresh user through the form; returns their email. Lands on onboarding."""
    email = unique_email("web")
    page.goto("/sign-up")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/onboarding$"))
    return email


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def create_onboarding_key(page: Page) -> str:
    """From onboarding's welcome step: create the key and read it off the page."""
    page.goto("/onboarding")
    page.get_by_role("button", name="Create my API key").click()
    expect(page).to_have_url(re.compile(r"/onboarding/key$"))
    return page.locator("#new-api-key").inner_text().strip()


def openai_env(fake_openai_url: str) -> dict[str, str]:
    """The environment of an app on OpenAI's API, whose HTTP goes to the fake at
    `fake_openai_url` through httpx's proxy support: the SDK records provider `openai` from the
    client's host, as it would for the real API (a 127.0.0.1 base URL is a self-hosted server)."""
    return {
        "OPENAI_API_KEY": "sk-fake",
        "OPENAI_BASE_URL": "http://api.openai.com/v1",
        "HTTP_PROXY": fake_openai_url,
        "NO_PROXY": "127.0.0.1,localhost",
    }


def run_python(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `script` with this interpreter (which has the SDK installed) and extra `env`."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(SDK_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=full_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result
