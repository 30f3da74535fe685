"""The first minutes on a new server: it opens on sign-up while nobody has an account, an empty
sign-in form says what is missing, and an invitation on a server that sends no email says so
and offers its link to share by hand."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import set_tier
from tests.support.databases import server_for
from tests.support.factories import SignedInUser, sign_up, unique_email
from tests.support.forms import field_error, post_signed_out_form


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server nobody has signed up on yet (SQLite: the pages are the same on both)."""
    data_dir: Path = tmp_path_factory.mktemp("empty-server")
    with server_for("sqlite", data_dir, "empty") as running:
        yield running


def test_a_server_without_users_opens_on_sign_up_not_welcome_back(
    empty_server: RunningServer,
) -> None:
    with httpx.Client(base_url=empty_server.base_url, timeout=30) as browser:
        landing = browser.get("/runs", follow_redirects=True)
        assert landing.url.path == "/sign-up"
        sign_in = browser.get("/sign-in").text
        assert "Welcome back" not in sign_in
        assert "Nobody has an account on this server yet" in sign_in

        sign_up(empty_server.base_url).client.close()  # once someone has an account…
        again = browser.get("/runs", follow_redirects=True)
        assert again.url.path == "/sign-in" and "Welcome back" in again.text


def test_an_empty_sign_in_form_says_what_is_missing(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    page = post_signed_out_form(anonymous, "/sign-in", "/sign-in", email="", password="")
    assert page.status_code == 200
    assert field_error(page.text, "email") == "Enter the email address you signed up with."
    assert field_error(page.text, "password") == "Enter your password."


def test_a_sign_in_form_without_its_password_keeps_the_email_and_asks_for_it(
    anonymous: httpx.Client, user: SignedInUser
) -> None:
    page = post_signed_out_form(anonymous, "/sign-in", "/sign-in", email=user.email, password="")
    assert field_error(page.text, "password") == "Enter your password."
    assert field_error(page.text, "email") == ""
    assert f'value="{user.email}"' in page.text


def test_an_invitation_on_a_server_without_mail_says_to_share_the_link_by_hand(
    server: RunningServer, user: SignedInUser
) -> None:
    set_tier(server, user.account_id, "pro")  # room for a second member
    invitee = unique_email("invitee")
    sent = user.client.post("/settings/team/invitations", data={"email": invitee})
    assert sent.status_code == 303, sent.text

    team = html.unescape(user.client.get("/settings/team").text)
    assert "Invitation sent" not in team
    assert "This server sends no email (SMTP_URL is not set)" in team
    assert "copy the link below and share it" in team
    assert "/invitations/" in team  # the link to share
