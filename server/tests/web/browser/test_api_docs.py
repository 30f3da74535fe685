"""/docs: the API reference renders offline, from the package's own Swagger UI."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from tests.web.browser.conftest import _is_local


def test_the_api_reference_renders_with_every_outside_request_aborted(page: Page) -> None:
    aborted: list[str] = []

    def abort_outside(route: Route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    page.route("**/*", abort_outside)
    page.goto("/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("llmobserve")
    ingest = page.locator(".opblock-summary-path", has_text="/v1/events").first
    expect(ingest).to_be_visible()
    ingest.click()  # an operation opens, with its request body schema
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert aborted == []
