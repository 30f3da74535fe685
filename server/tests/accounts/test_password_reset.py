"""Password reset by email, over HTTP against a server that sends to a real SMTP server."""

from __future__ import annotations

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.accounts.conftest import MakeUser
from tests.support.accounts_db import count, execute
from tests.support.factories import PASSWORD, SignedInUser, unique_email
from tests.support.forms import field_error, post_signed_out_form
from tests.support.mail import Mailbox, html_of, link_in

NEW_PASSWORD = "a brand new passphrase"
SENT = "If an account exists for that address"


@pytest.fixture
def member(make_user: MakeUser) -> SignedInUser:
    return make_user()


def ask_for_reset(client: httpx.Client, email: str) -> httpx.Response:
    response = post_signed_out_form(client, "/forgot-password", "/forgot-password", email=email)
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])


def reset_link(client: httpx.Client, mailbox: Mailbox, email: str, count: int = 1) -> str:
    message = mailbox.wait_for(email, count=count)
    assert message["Subject"] == "Reset your llmobserve password"
    assert "Choose a new password" in html_of(message)
    link = link_in(message, "/reset-password?token=")
    return link.removeprefix(str(client.base_url).rstrip("/"))


def token_of(path: str) -> str:
    return path.split("token=")[1]


@pytest.fixture
def reset_path(browser: httpx.Client, member: SignedInUser, mailbox: Mailbox) -> str:
    """The path of the reset link emailed to `member`, who asked for one."""
    ask_for_reset(browser, member.email)
    return reset_link(browser, mailbox, member.email)


def test_a_reset_link_sets_the_password_signs_in_and_ends_every_other_session(
    browser: httpx.Client, member: SignedInUser, mailbox: Mailbox
) -> None:
    page = ask_for_reset(browser, member.email)
    assert SENT in page.text
    path = reset_link(browser, mailbox, member.email)
    form = browser.get(path)
    assert "Choose a new password" in form.text
    done = post_signed_out_form(
        browser, path, "/reset-password", token=token_of(path), password=NEW_PASSWORD
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert browser.get("/settings/profile").status_code == 200  # signed in here
    assert member.client.get("/v1/costs").status_code == 401  # the old session is over
    with httpx.Client(base_url=browser.base_url) as fresh:
        old = fresh.post("/v1/auth/sign-in", json={"email": member.email, "password": PASSWORD})
        assert old.status_code == 401
        new = fresh.post("/v1/auth/sign-in", json={"email": member.email, "password": NEW_PASSWORD})
        assert new.status_code == 200


def test_an_unknown_email_gets_the_same_answer_and_no_email(
    browser: httpx.Client, mailbox: Mailbox
) -> None:
    nobody = unique_email("nobody")
    assert SENT in ask_for_reset(browser, nobody).text
    assert mailbox.to(nobody) == []


def test_a_reset_link_works_only_once(browser: httpx.Client, reset_path: str) -> None:
    token = token_of(reset_path)
    first = post_signed_out_form(
        browser, reset_path, "/reset-password", token=token, password=NEW_PASSWORD
    )
    assert first.status_code == 303
    again = browser.get(reset_path)
    assert "This reset link no longer works" in again.text
    assert 'href="/forgot-password"' in again.text
    second = post_signed_out_form(
        browser, "/forgot-password", "/reset-password", token=token, password="another passphrase"
    )
    assert "This reset link no longer works" in second.text


def test_a_reset_link_sent_before_a_password_change_stops_working(
    browser: httpx.Client, member: SignedInUser, reset_path: str
) -> None:
    changed = member.client.post(
        "/settings/profile/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 303
    assert "This reset link no longer works" in browser.get(reset_path).text
    token = token_of(reset_path)
    used = post_signed_out_form(
        browser, "/forgot-password", "/reset-password", token=token, password="attacker's choice"
    )
    assert "This reset link no longer works" in used.text


def test_a_reset_link_sent_before_an_email_change_stops_working(
    browser: httpx.Client, member: SignedInUser, reset_path: str
) -> None:
    changed = member.client.post(
        "/settings/profile/email",
        data={"email": "moved-" + member.email, "email_password": PASSWORD},
    )
    assert changed.status_code == 303
    assert "This reset link no longer works" in browser.get(reset_path).text


def test_using_one_reset_link_ends_the_others(
    browser: httpx.Client, member: SignedInUser, mailbox: Mailbox
) -> None:
    ask_for_reset(browser, member.email)
    first = reset_link(browser, mailbox, member.email)
    ask_for_reset(browser, member.email)
    second = reset_link(browser, mailbox, member.email, count=2)
    done = post_signed_out_form(
        browser, second, "/reset-password", token=token_of(second), password=NEW_PASSWORD
    )
    assert done.status_code == 303
    assert "This reset link no longer works" in browser.get(first).text


def test_an_expired_reset_link_shows_a_page_to_ask_again(
    browser: httpx.Client, reset_path: str, mail_server: RunningServer
) -> None:
    execute(mail_server, "UPDATE password_reset_tokens SET expires_at = created_at")
    page = browser.get(reset_path)
    assert page.status_code == 200
    assert "This reset link no longer works" in page.text


def test_an_unknown_token_shows_the_same_page(browser: httpx.Client) -> None:
    assert "This reset link no longer works" in browser.get("/reset-password?token=nope").text


def test_a_weak_new_password_is_shown_next_to_the_field(
    browser: httpx.Client, member: SignedInUser, reset_path: str
) -> None:
    page = post_signed_out_form(
        browser, reset_path, "/reset-password", token=token_of(reset_path), password="short"
    )
    assert page.status_code == 200
    assert "at least 10 characters" in field_error(page.text, "password")
    assert member.client.get("/v1/costs").status_code == 200  # nothing changed yet


def test_reset_emails_are_limited_per_user(
    browser: httpx.Client, member: SignedInUser, mailbox: Mailbox, mail_server: RunningServer
) -> None:
    for _ in range(4):
        assert SENT in ask_for_reset(browser, member.email).text
    mailbox.wait_for(member.email, count=3)
    tokens = count(
        mail_server,
        "SELECT count(*) FROM password_reset_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE u.email = :email",
        email=member.email,
    )
    assert tokens == 3


def test_asking_without_the_form_token_is_refused(browser: httpx.Client) -> None:
    browser.get("/forgot-password")
    response = browser.post("/forgot-password", data={"email": "a@example.com"})
    assert response.status_code == 403


def test_sign_in_links_to_forgot_password(browser: httpx.Client) -> None:
    assert 'href="/forgot-password"' in browser.get("/sign-in").text
