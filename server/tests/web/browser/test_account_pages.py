"""Password reset, profile, team and invitations in a real browser, with real email (SMTP)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import set_tier
from tests.support.factories import PASSWORD, unique_email
from tests.support.factories import sign_up as api_sign_up
from tests.support.mail import Mailbox, link_in
from tests.web.browser.conftest import screenshot
from tests.web.browser.journey import sign_up


@pytest.fixture
def base_url(mail_server: RunningServer) -> str:
    """These pages send email: use the server that sends to `mailbox`."""
    return mail_server.base_url


def test_forgot_password_email_resets_and_signs_in(page: Page, mailbox: Mailbox) -> None:
    email = sign_up(page)
    page.context.clear_cookies()
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill(email)
    screenshot(page, "forgot-password")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link_in(mailbox.wait_for(email), "/reset-password?token="))
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator("#field-password-error")).to_contain_text("at least 10 characters")
    screenshot(page, "reset-password")
    page.get_by_label("New password").fill("a fresh long passphrase")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("Your password is changed")).to_be_visible()


def test_profile_errors_show_next_to_their_field(page: Page) -> None:
    sign_up(page, name="Mary Jackson")
    page.goto("/settings/profile")
    page.locator("#field-current_password").fill("not my password")
    page.locator("#field-new_password").fill("a new long passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#field-current_password-error")).to_have_text(
        "That is not your current password."
    )
    page.get_by_label("Your name").fill("Mary W. Jackson")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is saved.")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Mary W. Jackson")
    screenshot(page, "profile")


def test_invite_accept_by_signing_up_then_remove(
    page: Page, mailbox: Mailbox, mail_server: RunningServer
) -> None:
    owner = api_sign_up(mail_server.base_url)
    set_tier(mail_server, owner.account_id, "pro")
    page.context.add_cookies(
        [
            {"name": k, "value": v, "url": mail_server.base_url}
            for k, v in owner.client.cookies.items()
        ]
    )
    invitee = unique_email("invitee")
    page.goto("/settings/team")
    page.get_by_label("Email").fill(invitee)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {invitee}")).to_be_visible()
    expect(page.locator("#invitation-link")).to_contain_text("/invitations/")
    screenshot(page, "team")

    page.context.clear_cookies()
    invitation = link_in(mailbox.wait_for(invitee), "/invitations/")
    page.goto(invitation)
    expect(page.get_by_role("heading", name=re.compile("^Join "))).to_be_visible()
    screenshot(page, "invitation")
    page.get_by_role("link", name="Create an account and join").click()
    expect(page.get_by_label("Work email")).to_have_value(invitee)
    page.get_by_label("Your name").fill("Dorothy Vaughan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # Back on the invitation, which waits for the address to be confirmed.
    expect(page.get_by_text("Confirm your email address first")).to_be_visible()
    page.goto(mailbox.confirmation_link(invitee))
    expect(page.get_by_text(re.compile("is confirmed"))).to_be_visible()
    page.goto(invitation)
    page.get_by_role("button", name=re.compile("^Accept and join")).click()
    expect(page.get_by_text(re.compile("You are now a member"))).to_be_visible()
    page.goto("/settings/team")
    expect(page.locator(f'tr[data-member="{invitee}"]')).to_contain_text("Member")
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)
    expect(page.get_by_text("Switch account")).to_be_visible()

    member_id = _member_id(owner.client.get("/settings/team").text, invitee)
    removed = owner.client.post(f"/settings/team/members/{member_id}/remove", data={})
    assert removed.status_code == 303
    page.goto("/settings/team")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    owner.client.close()


def _member_id(owner_team_html: str, email: str) -> str:
    row = re.search(rf'<tr data-member="{re.escape(email)}">(.*?)</tr>', owner_team_html, re.S)
    assert row, f"{email} not on the owner's team page"
    match = re.search(r"/settings/team/members/([0-9a-f-]+)/remove", row.group(1))
    assert match
    return match.group(1)
