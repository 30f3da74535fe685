"""/settings/profile: name, email, password, and deleting a user with their data."""

from __future__ import annotations

import httpx

from llmobserve_server.testing import RunningServer
from tests.accounts.conftest import MakeUser
from tests.support.accounts_db import count, uuid_param
from tests.support.factories import PASSWORD, SignedInUser, custom_event, key_client, send
from tests.support.forms import field_error
from tests.support.mail import Mailbox, confirm_email, link_in

NEW_PASSWORD = "another long passphrase"


def test_a_blank_name_is_refused_next_to_the_field_and_a_name_is_saved(
    make_user: MakeUser,
) -> None:
    user = make_user()
    page = user.client.post("/settings/profile/name", data={"name": "  "})
    assert "Enter your name" in field_error(page.text, "name")
    saved = user.client.post("/settings/profile/name", data={"name": "Katherine Johnson"})
    assert saved.status_code == 303
    assert "Katherine Johnson" in user.client.get("/settings/profile").text


def test_changing_email_needs_the_password_and_a_free_address(make_user: MakeUser) -> None:
    user, other = make_user(), make_user()
    wrong = user.client.post(
        "/settings/profile/email", data={"email": "new@example.com", "email_password": "nope"}
    )
    assert "not your current password" in field_error(wrong.text, "email_password")
    taken = user.client.post(
        "/settings/profile/email", data={"email": other.email, "email_password": PASSWORD}
    )
    assert "already uses this email" in field_error(taken.text, "email")
    assert f'value="{other.email}"' in taken.text  # what was typed is kept
    new_email = "renamed-" + user.email
    done = user.client.post(
        "/settings/profile/email", data={"email": new_email, "email_password": PASSWORD}
    )
    assert done.status_code == 303
    with httpx.Client(base_url=user.client.base_url) as fresh:
        signed_in = fresh.post("/v1/auth/sign-in", json={"email": new_email, "password": PASSWORD})
        assert signed_in.status_code == 200


def test_changing_password_needs_the_current_one_and_ends_other_sessions(
    make_user: MakeUser, mail_server: RunningServer
) -> None:
    user = make_user()
    with httpx.Client(base_url=mail_server.base_url) as laptop:
        laptop.post("/v1/auth/sign-in", json={"email": user.email, "password": PASSWORD})
        assert laptop.get("/v1/costs").status_code == 200
        wrong = user.client.post(
            "/settings/profile/password",
            data={"current_password": "wrong one!", "new_password": NEW_PASSWORD},
        )
        assert "not your current password" in field_error(wrong.text, "current_password")
        weak = user.client.post(
            "/settings/profile/password",
            data={"current_password": PASSWORD, "new_password": "short"},
        )
        assert "at least 10 characters" in field_error(weak.text, "new_password")
        done = user.client.post(
            "/settings/profile/password",
            data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert done.status_code == 303
        assert user.client.get("/v1/costs").status_code == 200  # this session stays
        assert laptop.get("/v1/costs").status_code == 401


def _rows(server: RunningServer, table: str, account_id: str) -> int:
    return count(
        server,
        f"SELECT count(*) FROM {table} WHERE account_id = :id",  # noqa: S608 (test table names)
        id=uuid_param(server, account_id),
    )


ACCOUNT_TABLES = ("api_keys", "trace_events", "runs", "usage_hourly", "memberships", "sessions")


def test_deleting_a_user_deletes_the_account_they_alone_own_with_all_its_data(
    make_user: MakeUser, mail_server: RunningServer
) -> None:
    doomed, bystander = make_user(), make_user()
    for user in (doomed, bystander):
        with key_client(mail_server.base_url, user.create_key()) as client:
            send(client, custom_event("0.5", run_id="r1"))
    before = {table: _rows(mail_server, table, bystander.account_id) for table in ACCOUNT_TABLES}
    assert all(_rows(mail_server, t, doomed.account_id) > 0 for t in ACCOUNT_TABLES)
    mismatch = doomed.client.post("/settings/profile/delete", data={"confirm_email": "x@y.z"})
    assert f"Type {doomed.email} to confirm" in field_error(mismatch.text, "confirm_email")
    deleted = doomed.client.post("/settings/profile/delete", data={"confirm_email": doomed.email})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/sign-in"
    for table in ACCOUNT_TABLES:
        assert _rows(mail_server, table, doomed.account_id) == 0, table
    assert (
        count(
            mail_server,
            "SELECT count(*) FROM accounts WHERE id = :id",
            id=uuid_param(mail_server, doomed.account_id),
        )
        == 0
    )
    assert {t: _rows(mail_server, t, bystander.account_id) for t in ACCOUNT_TABLES} == before
    with httpx.Client(base_url=mail_server.base_url) as fresh:
        gone = fresh.post("/v1/auth/sign-in", json={"email": doomed.email, "password": PASSWORD})
        assert gone.status_code == 401


def join_team(owner: SignedInUser, member: SignedInUser, mailbox: Mailbox) -> None:
    """`member` accepts an invitation to `owner`'s account, through the emailed link."""
    confirm_email(mailbox, member.client, member.email)
    owner.client.post("/settings/team/invitations", data={"email": member.email})
    path = (
        "/invitations/"
        + link_in(mailbox.wait_for(member.email), "/invitations/").split("/invitations/")[1]
    )
    member.client.post(f"{path}/accept", data={})


def test_an_owner_with_teammates_must_hand_over_before_deleting(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    owner, member = make_user(tier="pro"), make_user()
    join_team(owner, member, mailbox)
    page = owner.client.post("/settings/profile/delete", data={"confirm_email": owner.email})
    assert "make one of them an owner or remove them" in field_error(page.text, "confirm_email")
    assert owner.client.get("/v1/costs").status_code == 200
    left = member.client.post("/settings/profile/delete", data={"confirm_email": member.email})
    assert left.status_code == 303  # a member can leave: their own account goes, the team stays
    assert owner.client.get("/settings/team").status_code == 200


def test_a_member_deleting_their_user_is_in_the_team_audit_log_and_a_refusal_is_not(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    owner, member = make_user(tier="pro"), make_user()
    join_team(owner, member, mailbox)
    owner.client.post("/settings/profile/delete", data={"confirm_email": owner.email})  # refused
    member.client.post("/settings/profile/delete", data={"confirm_email": member.email})

    page = owner.client.get("/settings/audit", params={"action": "user_deleted"}).text
    entries = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert entries.count("Member deleted their user") == 1
    assert member.email in entries and owner.email not in entries
