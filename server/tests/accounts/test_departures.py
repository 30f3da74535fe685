"""A member's API keys leave with them: removing a member, a member leaving and deleting a user
revoke the keys they created in the account, in the same transaction, audited."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from llmobserve_server.testing import RunningServer
from tests.accounts.conftest import MakeUser
from tests.accounts.test_team import join, member_row, team_page
from tests.support.accounts_db import count, uuid_param
from tests.support.factories import SignedInUser, error_of, key_client
from tests.support.mail import Mailbox


@dataclass(frozen=True)
class Team:
    owner: SignedInUser  # on the Pro plan, room for a member
    member: SignedInUser  # joined the owner's account; their session is in it
    key: str  # the API key the member created in the owner's account


@pytest.fixture
def team(make_user: MakeUser, mailbox: Mailbox) -> Team:
    owner, member = make_user(tier="pro"), make_user()
    join(owner, member, mailbox)
    return Team(owner, member, member.create_key("member's key"))


def ping(server: RunningServer, key: str) -> httpx.Response:
    with key_client(server.base_url, key) as client:
        return client.get("/v1/ping")


def revocations_logged(server: RunningServer, account_id: str, email: str) -> int:
    return count(
        server,
        "SELECT count(*) FROM audit_events WHERE account_id = :account "
        "AND action = 'member_keys_revoked' AND target = :email",
        account=uuid_param(server, account_id),
        email=email,
    )


def test_a_removed_members_keys_are_refused_at_once(team: Team, mail_server: RunningServer) -> None:
    owner, member, key = team.owner, team.member, team.key
    assert ping(mail_server, key).status_code == 200
    row = member_row(team_page(owner), member.email)
    assert "the 1 API key they created is revoked" in row  # said before the owner confirms
    removed = owner.client.post(f"/settings/team/members/{member.user_id}/remove", data={})
    assert removed.status_code == 303
    assert error_of(ping(mail_server, key), 401)["code"] == "api_key_revoked"
    assert revocations_logged(mail_server, owner.account_id, member.email) == 1


def test_keys_are_listed_with_their_creator(team: Team) -> None:
    owner, member = team.owner, team.member
    owner.create_key("owner's key")
    listed = owner.client.get("/v1/api-keys").json()["api_keys"]
    creators = {item["name"]: item["created_by"]["email"] for item in listed}
    assert creators == {"member's key": member.email, "owner's key": owner.email}
    page = owner.client.get("/settings/api-keys").text
    assert member.email in page and "Created by" in page


def test_a_member_who_leaves_takes_their_keys_along(team: Team, mail_server: RunningServer) -> None:
    owner, member, key = team.owner, team.member, team.key
    owners_key = owner.create_key()
    assert "/settings/team/leave" in team_page(member)
    left = member.client.post("/v1/team/leave")
    assert left.status_code == 200, left.text
    assert left.json()["account_id"] == member.account_id  # back in their own account
    assert left.json()["revoked_api_keys"] == 1
    assert error_of(ping(mail_server, key), 401)["code"] == "api_key_revoked"
    assert ping(mail_server, owners_key).status_code == 200  # nobody else's key
    assert f'data-member="{member.email}"' not in team_page(owner)
    assert revocations_logged(mail_server, owner.account_id, member.email) == 1


def test_the_last_owner_and_a_users_only_account_cannot_be_left(make_user: MakeUser) -> None:
    owner = make_user(tier="pro")
    assert "/settings/team/leave" not in team_page(owner)
    assert error_of(owner.client.post("/v1/team/leave"), 409)["code"] == "last_owner"


def test_deleting_a_user_revokes_their_keys_in_the_accounts_that_stay(
    team: Team, mail_server: RunningServer
) -> None:
    owner, member, key = team.owner, team.member, team.key
    deleted = member.client.post("/settings/profile/delete", data={"confirm_email": member.email})
    assert deleted.status_code == 303
    assert error_of(ping(mail_server, key), 401)["code"] == "api_key_revoked"
    assert revocations_logged(mail_server, owner.account_id, member.email) == 1
