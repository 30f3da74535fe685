"""Real headless Chromium (Debian's, never a downloaded one) against the real server.

`page` is a fresh browser context per test on a session-wide browser. It fails the test when the
page requests anything that is not on 127.0.0.1 (the dashboard must work offline, without a CDN),
logs a console error, or violates the Content-Security-Policy. `screenshot(page, name)` saves a
full-page PNG to docs/images/<name>.png for the README when UPDATE_SCREENSHOTS is set
(`make screenshots`); a normal run leaves the tracked images alone.

Browser tests run on PostgreSQL only when it is selected (`--db all` or `--db postgresql`):
the pages are the same on both databases, and the browser is the slow part.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IMAGES = Path(__file__).parents[4] / "docs" / "images"
_THIS_DIR = Path(__file__).parent
# Reports CSP violations to the console, where the console check below catches them.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--db") != "all":
        return
    for item in list(items):
        in_here = _THIS_DIR in Path(str(item.fspath)).parents
        if in_here and "backend" in getattr(item, "callspec", _NoParams()).params:
            if item.callspec.params["backend"] == "sqlite":  # type: ignore[attr-defined]
                items.remove(item)


class _NoParams:
    params: dict[str, object] = {}


# Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop running in
# the main thread while it is open, and the SDK's tests (later in the same run) call
# asyncio.run(), which refuses to start inside a running loop.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so browser tests must run")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@dataclass
class PageWatch:
    """What a page did that a test must not allow."""

    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1"


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    context.add_init_script(_CSP_REPORTER)
    context.set_default_timeout(10_000)
    watch = PageWatch()

    def on_request(request: Request) -> None:
        if not _is_local(request.url):
            watch.foreign_requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console_errors.append(message.text)

    context.on("request", on_request)
    opened = context.new_page()
    opened.on("console", on_console)
    opened.on("pageerror", lambda error: watch.console_errors.append(f"page error: {error}"))
    yield opened
    context.close()
    assert not watch.foreign_requests, f"requests left 127.0.0.1: {watch.foreign_requests}"
    assert not watch.console_errors, f"console errors: {watch.console_errors}"


def screenshot(page: Page, name: str) -> Path | None:
    """A full-page PNG of `page` at docs/images/<name>.png, with UPDATE_SCREENSHOTS set (`make
    screenshots`); otherwise nothing: the images are the docs', not a by-product of every run."""
    if not os.environ.get("UPDATE_SCREENSHOTS"):
        return None
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
