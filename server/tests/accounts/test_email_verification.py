"""Confirming an email address: a link at sign-up, another on request, the operator's
`verify-email`; an unconfirmed address cannot accept an invitation (see test_team)."""

from __future__ import annotations

import httpx

from llmobserve_server.testing import RunningServer
from tests.accounts.conftest import MakeUser
from tests.support.factories import PASSWORD, error_of, unique_email
from tests.support.forms import field_error, post_signed_out_form
from tests.support.mail import Mailbox, confirm_email
from tests.test_cli import cli

UNCONFIRMED = "data-unverified"


def test_the_link_emailed_at_sign_up_confirms_the_address_once(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    user = make_user()
    assert UNCONFIRMED in user.client.get("/settings/profile").text
    link = mailbox.confirmation_link(user.email)
    confirm_email(mailbox, user.client, user.email)
    assert UNCONFIRMED not in user.client.get("/settings/profile").text
    again = user.client.get(link)
    assert again.headers["location"] == "/settings/profile"  # used: refused, with a message


def test_a_new_link_can_be_asked_for_and_the_old_one_still_works_until_used(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    user = make_user()
    mailbox.confirmation_link(user.email)
    resent = user.client.post("/v1/auth/verify-email/resend")
    assert resent.status_code == 200, resent.text
    assert resent.json() == {"email": user.email, "verified": False, "sent": True}
    second = mailbox.confirmation_link(user.email, count=2)
    assert user.client.get(second).headers["location"] == "/"
    done = user.client.post("/v1/auth/verify-email/resend").json()
    assert done == {"email": user.email, "verified": True, "sent": False}


def test_changing_email_unconfirms_it_and_an_old_link_does_not_confirm_the_new_one(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    user = make_user()
    old_link = mailbox.confirmation_link(user.email)
    new_email = "moved-" + user.email
    changed = user.client.post(
        "/settings/profile/email", data={"email": new_email, "email_password": PASSWORD}
    )
    assert changed.status_code == 303
    assert user.client.get(old_link).headers["location"] == "/settings/profile"
    assert UNCONFIRMED in user.client.get("/settings/profile").text
    confirm_email(mailbox, user.client, new_email)  # the link sent to the new address
    assert UNCONFIRMED not in user.client.get("/settings/profile").text


def test_an_operator_confirms_an_address_from_the_command_line(
    make_user: MakeUser, mail_server: RunningServer
) -> None:
    user = make_user()
    result = cli(
        "verify-email",
        user.email.upper(),
        data_dir=mail_server.data_dir,
        **mail_server.database_env(),
    )
    assert result.returncode == 0, result.stderr
    assert f"{user.email} is now verified" in result.stdout
    assert UNCONFIRMED not in user.client.get("/settings/profile").text


def test_the_sign_up_form_checks_emails_as_the_api_does(browser: httpx.Client) -> None:
    email = "someone@nowhere"
    api = browser.post("/v1/auth/sign-up", json={"email": email, "password": PASSWORD, "name": "N"})
    error_of(api, 422)
    page = post_signed_out_form(
        browser, "/sign-up", "/sign-up", email=email, password=PASSWORD, name="N"
    )
    assert page.status_code == 200
    assert "Enter your email address" in field_error(page.text, "email")
    fine = post_signed_out_form(
        browser, "/sign-up", "/sign-up", email=unique_email(), password=PASSWORD, name="N"
    )
    assert fine.status_code == 303
