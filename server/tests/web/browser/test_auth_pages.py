"""Signing up, in and out in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.factories import PASSWORD, SignedInUser, unique_email
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_in, sign_up


def test_sign_up_lands_on_onboarding(page: Page) -> None:
    page.goto("/sign-up")
    screenshot(page, "sign-up")
    sign_up(page, name="Grace Hopper")
    expect(page.get_by_role("heading", name="Welcome to llmobserve, Grace Hopper")).to_be_visible()
    screenshot(page, "onboarding-welcome")


def test_a_signed_out_page_redirects_to_sign_in_with_next(page: Page, user: SignedInUser) -> None:
    """(`user`: a server without any user opens on sign-up instead.)"""
    page.goto("/settings/api-keys?tab=all")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/settings/api-keys%3Ftab%3Dall$"))
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()


def test_sign_in_honours_next(page: Page) -> None:
    email = sign_up(page)
    page.context.clear_cookies()
    page.goto("/settings/api-keys")
    screenshot(page, "sign-in")
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/settings/api-keys$"))
    expect(page.get_by_role("heading", name="API keys", exact=True)).to_be_visible()


def test_a_wrong_password_shows_the_error_next_to_the_field_and_keeps_the_email(
    page: Page,
) -> None:
    email = sign_up(page)
    page.context.clear_cookies()
    page.goto("/sign-in")
    sign_in(page, email, password="not the password")
    error = page.locator("#field-password-error")
    expect(error).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Password")).to_have_value("")


def test_an_unknown_email_gets_the_same_message(page: Page) -> None:
    page.goto("/sign-in")
    sign_in(page, unique_email("nobody"))
    expect(page.locator("#field-password-error")).to_have_text("Wrong email or password.")


def test_sign_up_errors_are_shown_next_to_their_field_with_input_kept(page: Page) -> None:
    page.goto("/sign-up")
    page.get_by_label("Your name").fill("Short Pw")
    page.get_by_label("Work email").fill("short@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#field-password-error")).to_contain_text("at least 10 characters")
    expect(page.get_by_label("Work email")).to_have_value("short@example.com")
    expect(page.get_by_label("Your name")).to_have_value("Short Pw")
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot(page, "sign-up-errors")


def test_sign_out_ends_the_session(page: Page) -> None:
    sign_up(page)
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    assert PASSWORD not in page.content()
