"""Usage emails: every owner hears once a month at 80 % and at 100 % of the quota, over SMTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import execute, set_tier, uuid_param
from tests.support.factories import SignedInUser, event, key_client, sign_up
from tests.support.mail import Mailbox, html_of, link_in, text_of
from tests.support.usage_db import set_month_usage


@pytest.fixture
def owner(mail_server: RunningServer) -> Iterator[SignedInUser]:
    signed_in = sign_up(mail_server.base_url)
    yield signed_in
    signed_in.client.close()


def send(base_url: str, key: str, count: int) -> dict[str, object]:
    with key_client(base_url, key) as client:
        response = client.post("/v1/events", json={"events": [event() for _ in range(count)]})
        assert response.status_code in (200, 429), response.text
        return dict(response.json())


def test_owners_get_one_email_at_80_and_one_at_100_percent(
    mail_server: RunningServer, mailbox: Mailbox, owner: SignedInUser
) -> None:
    key = owner.create_key()
    set_month_usage(mail_server, owner.account_id, 7_995)

    send(mail_server.base_url, key, 10)  # 8,005: crosses 80 %
    first = mailbox.wait_for(owner.email)
    assert "80 %" in str(first["Subject"]) and "Free plan" in str(first["Subject"])
    assert "8,005 of the 10,000 events" in text_of(first)
    assert link_in(first, "/settings/billing").startswith(mail_server.base_url)
    assert "Free" in html_of(first)

    send(mail_server.base_url, key, 10)  # still between 80 and 100 %: no email
    set_month_usage(mail_server, owner.account_id, 9_995)
    send(mail_server.base_url, key, 10)  # 10,000: crosses 100 %, 5 refused
    second = mailbox.wait_for(owner.email, count=2)
    assert "used all 10,000 events of your Free plan" in str(second["Subject"])

    set_month_usage(mail_server, owner.account_id, 7_990)  # crossing both again this month
    send(mail_server.base_url, key, 10)
    set_month_usage(mail_server, owner.account_id, 9_990)
    send(mail_server.base_url, key, 10)
    for threshold in (80, 100):  # the background task has decided: it sends nothing after this
        mail_server.wait_for_log(
            f"usage alert at {threshold} % of account {owner.account_id}: already sent this month"
        )
    assert len(mailbox.to(owner.email)) == 2


def join(server: RunningServer, user: SignedInUser, account_id: str, role: str) -> None:
    execute(
        server,
        "INSERT INTO memberships (user_id, account_id, role, created_at) "
        "VALUES (:user_id, :account_id, :role, CURRENT_TIMESTAMP)",
        user_id=uuid_param(server, user.user_id),
        account_id=uuid_param(server, account_id),
        role=role,
    )


def test_every_owner_is_emailed_and_members_are_not(
    mail_server: RunningServer, mailbox: Mailbox, owner: SignedInUser
) -> None:
    set_tier(mail_server, owner.account_id, "pro")  # room for three people
    second_owner, member = sign_up(mail_server.base_url), sign_up(mail_server.base_url)
    join(mail_server, second_owner, owner.account_id, "owner")
    join(mail_server, member, owner.account_id, "member")
    set_month_usage(mail_server, owner.account_id, 799_995)

    send(mail_server.base_url, owner.create_key(), 10)  # crosses 80 % of the Pro plan

    # logged once the background task has sent all it will (each send waits for the SMTP 250)
    mail_server.wait_for_log(f"usage alert at 80 % of account {owner.account_id}: emailed 2 of 2")
    for person in (owner, second_owner):
        assert "80 %" in str(mailbox.to(person.email)[0]["Subject"])
    assert mailbox.to(member.email) == []
    second_owner.client.close()
    member.client.close()
