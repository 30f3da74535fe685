"""An account always keeps an owner, even when two owners demote or remove each other at the
same moment; `llmobserve-server make-owner` recovers an account for the operator."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable

import httpx

from llmobserve_server.testing import RunningServer
from tests.accounts.conftest import MakeUser
from tests.accounts.test_team import invitation_path, invite, member_row, team_page
from tests.support.accounts_db import count, uuid_param
from tests.support.factories import SignedInUser
from tests.support.mail import Mailbox, confirm_email
from tests.test_cli import cli


def two_owners(make_user: MakeUser, mailbox: Mailbox) -> tuple[SignedInUser, SignedInUser]:
    first = make_user(tier="pro")
    second = make_user()
    confirm_email(mailbox, second.client, second.email)
    invite(first, second.email, role="owner")
    path = invitation_path(mailbox, second.email)
    assert second.client.post(f"{path}/accept", data={}).status_code == 303
    return first, second


def at_once(*calls: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Run the calls in threads released together."""
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def owners_of(server: RunningServer, account_id: str) -> int:
    return count(
        server,
        "SELECT count(*) FROM memberships WHERE account_id = :account AND role = 'owner'",
        account=uuid_param(server, account_id),
    )


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    make_user: MakeUser, mailbox: Mailbox, mail_server: RunningServer
) -> None:
    first, second = two_owners(make_user, mailbox)
    demote = {"role": "member"}
    answers = at_once(
        lambda: first.client.post(f"/settings/team/members/{second.user_id}/role", data=demote),
        lambda: second.client.post(f"/settings/team/members/{first.user_id}/role", data=demote),
    )
    assert sorted(a.status_code for a in answers)[0] == 303  # one of them won
    assert owners_of(mail_server, first.account_id) == 1


def test_two_owners_removing_each_other_at_once_leave_one_owner(
    make_user: MakeUser, mailbox: Mailbox, mail_server: RunningServer
) -> None:
    first, second = two_owners(make_user, mailbox)
    answers = at_once(
        lambda: first.client.post(f"/settings/team/members/{second.user_id}/remove", data={}),
        lambda: second.client.post(f"/settings/team/members/{first.user_id}/remove", data={}),
    )
    assert 303 in {a.status_code for a in answers}
    assert owners_of(mail_server, first.account_id) == 1


def make_owner_cli(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    return cli("make-owner", *args, data_dir=server.data_dir, **server.database_env())


def test_make_owner_gives_an_account_an_owner_again(
    make_user: MakeUser, mailbox: Mailbox, mail_server: RunningServer
) -> None:
    first, second = two_owners(make_user, mailbox)
    demoted = first.client.post(
        f"/settings/team/members/{second.user_id}/role", data={"role": "member"}
    )
    assert demoted.status_code == 303
    result = make_owner_cli(mail_server, second.email.upper(), first.account_id)
    assert result.returncode == 0, result.stderr
    assert f"{second.email} is now an owner of" in result.stdout
    assert "Owner" in member_row(team_page(first), second.email)
    assert owners_of(mail_server, first.account_id) == 2


def test_make_owner_names_what_it_cannot_find(mail_server: RunningServer) -> None:
    result = make_owner_cli(mail_server, "nobody-here@example.com", "No such account")
    assert result.returncode == 1
    assert "error: No user signed up with nobody-here@example.com." in result.stderr
