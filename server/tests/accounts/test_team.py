"""Team: invitations by email, roles, removal and plan limits, over HTTP with real SMTP."""

from __future__ import annotations

import re

import httpx

from llmobserve_server.testing import RunningServer
from tests.accounts.conftest import MakeUser
from tests.support.accounts_db import execute
from tests.support.factories import PASSWORD, SignedInUser, unique_email
from tests.support.forms import csrf_token_of, field_error, post_signed_out_form
from tests.support.mail import Mailbox, confirm_email, link_in


def invite(owner: SignedInUser, email: str, role: str = "member") -> httpx.Response:
    response = owner.client.post("/settings/team/invitations", data={"email": email, "role": role})
    assert response.status_code in (200, 303), response.text
    return response


def invitation_path(mailbox: Mailbox, email: str, count: int = 1) -> str:
    message = mailbox.wait_for(email, count=count)
    assert "invited you to" in str(message["Subject"])
    link = link_in(message, "/invitations/")
    return "/invitations/" + link.split("/invitations/")[1]


def team_page(user: SignedInUser) -> str:
    response = user.client.get("/settings/team")
    assert response.status_code == 200, response.text
    return response.text


def member_row(html: str, email: str) -> str:
    match = re.search(rf'<tr data-member="{re.escape(email)}">(.*?)</tr>', html, re.S)
    assert match, f"{email} not listed"
    return match.group(1)


def test_free_plan_refuses_a_second_member_naming_the_plan_and_limit(make_user: MakeUser) -> None:
    owner = make_user()
    page = invite(owner, unique_email("teammate"))
    assert page.status_code == 200
    assert "The Free plan includes 1 member." in field_error(page.text, "email")


def test_invitee_signs_up_from_the_email_and_lands_in_the_team(
    make_user: MakeUser, mailbox: Mailbox, browser: httpx.Client
) -> None:
    owner = make_user(tier="pro")
    email = unique_email("newbie")
    created = invite(owner, email)
    assert created.status_code == 303
    assert "/invitations/" in owner.client.get("/settings/team").text  # the link, to copy
    path = invitation_path(mailbox, email)
    landing = browser.get(path)
    assert "Create an account and join" in landing.text
    token = path.rsplit("/", 1)[1]
    signed_up = post_signed_out_form(
        browser,
        f"/sign-up?invitation={token}",
        "/sign-up",
        invitation=token,
        email=email,
        password=PASSWORD,
        name="New Teammate",
    )
    # Holding the link proves nothing about the address (the inviter, a log or a forwarded
    # mail may have it): joining waits until the address is confirmed.
    assert signed_up.status_code == 303 and signed_up.headers["location"] == path
    assert "Confirm your email address first" in browser.get(path).text
    csrf = {"csrf_token": csrf_token_of(browser.get("/settings/profile").text)}
    refused = browser.post(f"{path}/accept", data=csrf)
    assert "Confirm your email address first" in refused.text
    assert f'data-member="{email}"' not in team_page(owner)
    confirm_email(mailbox, browser, email)
    assert browser.post(f"{path}/accept", data=csrf).status_code == 303
    team = browser.get("/settings/team").text
    assert "Member" in member_row(team, email)
    assert "Owner" in member_row(team_page(owner), owner.email)
    assert email in team_page(owner)


def test_an_existing_user_accepts_and_can_switch_accounts(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    owner = make_user(tier="pro")
    invitee = make_user()
    invite(owner, invitee.email)
    path = invitation_path(mailbox, invitee.email)
    assert "Accept and join" not in invitee.client.get(path).text  # not confirmed yet
    confirm_email(mailbox, invitee.client, invitee.email)
    assert "Accept and join" in invitee.client.get(path).text
    accepted = invitee.client.post(f"{path}/accept", data={})
    assert accepted.status_code == 303
    assert owner.email in team_page(invitee)  # the session moved to the team's account
    assert "Switch account" in invitee.client.get("/settings/team").text
    assert "Member" in member_row(team_page(owner), invitee.email)
    back = invitee.client.post("/switch-account", data={"account_id": invitee.account_id})
    assert back.status_code == 303
    assert invitee.email in member_row(team_page(invitee), invitee.email)
    assert owner.email not in team_page(invitee)


def test_an_invitation_for_another_email_is_refused(make_user: MakeUser, mailbox: Mailbox) -> None:
    owner = make_user(tier="pro")
    email = unique_email("intended")
    invite(owner, email)
    path = invitation_path(mailbox, email)
    stranger = make_user()
    page = stranger.client.post(f"{path}/accept", data={})
    assert page.status_code == 200
    assert f"This invitation is for {email}" in page.text
    assert stranger.email not in team_page(owner)


def join(owner: SignedInUser, invitee: SignedInUser, mailbox: Mailbox) -> None:
    """`invitee` confirms their email (if not yet), is invited and accepts."""
    if "data-unverified" in invitee.client.get("/settings/profile").text:
        confirm_email(mailbox, invitee.client, invitee.email)
    before = len(mailbox.to(invitee.email))
    invite(owner, invitee.email)
    path = invitation_path(mailbox, invitee.email, count=before + 1)
    assert invitee.client.post(f"{path}/accept", data={}).status_code == 303


def sign_in_again(user: SignedInUser, account_id: str) -> None:
    """Sign in anew and switch to `account_id`, as after a role change there."""
    assert user.client.get("/settings/team").status_code == 303  # signed out of that account
    response = user.client.post(
        "/v1/auth/sign-in", json={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    user.client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    switched = user.client.post("/switch-account", data={"account_id": account_id})
    assert switched.status_code == 303


def test_members_see_the_team_read_only_and_their_changes_are_refused(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    owner = make_user(tier="pro")
    member = make_user()
    join(owner, member, mailbox)
    page = team_page(member)
    assert "Send invitation" not in page and "Remove" not in page
    assert "Ask an owner" in page
    refused = member.client.post("/settings/team/invitations", data={"email": unique_email()})
    assert refused.status_code == 403
    removal = member.client.post(f"/settings/team/members/{owner.user_id}/remove", data={})
    assert removal.status_code == 403
    assert owner.email in team_page(owner)


def test_removing_a_member_ends_their_access_at_once(make_user: MakeUser, mailbox: Mailbox) -> None:
    owner = make_user(tier="pro")
    member = make_user()
    join(owner, member, mailbox)
    assert member.client.get("/v1/costs?group_by=day").status_code == 200
    removed = owner.client.post(f"/settings/team/members/{member.user_id}/remove", data={})
    assert removed.status_code == 303
    assert f'data-member="{member.email}"' not in team_page(owner)
    assert member.client.get("/v1/costs?group_by=day").status_code == 401
    assert member.client.get("/settings/team").status_code == 303  # to sign-in


def test_the_last_owner_cannot_be_removed_or_demoted(make_user: MakeUser, mailbox: Mailbox) -> None:
    owner = make_user(tier="pro")
    other = make_user()
    join(owner, other, mailbox)
    assert owner.client.post(f"/settings/team/members/{other.user_id}/role", data={"role": "owner"})
    sign_in_again(other, owner.account_id)  # the role change ended other's sessions there
    demoted = owner.client.post(
        f"/settings/team/members/{owner.user_id}/role", data={"role": "member"}
    )
    assert demoted.status_code == 303  # allowed: `other` is an owner now
    page = other.client.post(
        f"/settings/team/members/{other.user_id}/role", data={"role": "member"}
    )
    assert page.status_code == 303
    assert "An account needs an owner" in other.client.get("/settings/team").text


def test_revoked_and_replaced_invitation_links_stop_working(
    make_user: MakeUser, mailbox: Mailbox, browser: httpx.Client
) -> None:
    owner = make_user(tier="pro")
    email = unique_email("later")
    invite(owner, email)
    first = invitation_path(mailbox, email)
    invitation_id = re.search(r"/settings/team/invitations/([0-9a-f-]+)/resend", team_page(owner))
    assert invitation_id
    resent = owner.client.post(f"/settings/team/invitations/{invitation_id.group(1)}/resend")
    assert resent.status_code == 303
    second = invitation_path(mailbox, email, count=2)
    assert "This invitation link is not valid" in browser.get(first).text
    assert "Create an account and join" in browser.get(second).text
    owner.client.post(f"/settings/team/invitations/{invitation_id.group(1)}/revoke")
    assert "This invitation was withdrawn." in browser.get(second).text


def invitation_row(html: str, email: str) -> str:
    match = re.search(rf'<tr data-invitation="{re.escape(email)}">(.*?)</tr>', html, re.S)
    assert match, f"no invitation to {email} listed"
    return match.group(1)


def test_an_expired_invitation_is_shown_as_expired_and_its_link_is_not_offered(
    make_user: MakeUser, mail_server: RunningServer
) -> None:
    owner = make_user(tier="pro")
    email = unique_email("late")
    invite(owner, email)  # the redirect carries the new link to the team page in a cookie
    execute(mail_server, "UPDATE invitations SET expires_at = created_at WHERE email = :e", e=email)
    page = team_page(owner)
    assert "Expired" in invitation_row(page, email)
    assert 'id="new-invitation"' not in page  # its link no longer works: not offered to copy


def test_another_accounts_invitation_and_member_ids_are_not_found(
    make_user: MakeUser, mailbox: Mailbox
) -> None:
    owner = make_user(tier="pro")
    other_owner = make_user(tier="pro")
    invite(owner, unique_email("x"))
    invitation_id = re.search(r"/settings/team/invitations/([0-9a-f-]+)/revoke", team_page(owner))
    assert invitation_id
    stolen = other_owner.client.post(f"/settings/team/invitations/{invitation_id.group(1)}/revoke")
    assert stolen.status_code == 404
    member = other_owner.client.post(f"/settings/team/members/{owner.user_id}/remove")
    assert member.status_code == 404
    assert "/revoke" in team_page(owner)


def test_team_changes_without_the_csrf_token_are_refused(
    make_user: MakeUser, mail_server: RunningServer
) -> None:
    owner = make_user(tier="pro")
    cookies = dict(owner.client.cookies)
    with httpx.Client(base_url=mail_server.base_url, cookies=cookies) as no_token:
        refused = no_token.post("/settings/team/invitations", data={"email": unique_email()})
    assert refused.status_code == 403
    assert "/settings/team/invitations/" not in team_page(owner)
