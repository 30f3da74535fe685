"""`llmobserve-server set-tier`: an account's plan without Stripe, against the server's database."""

from __future__ import annotations

from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, sign_up
from tests.support.mail import Mailbox
from tests.test_cli import cli


def set_tier_cli(server: RunningServer, *args: str) -> tuple[int, str, str]:
    result = cli("set-tier", *args, data_dir=server.data_dir, **server.database_env())
    return result.returncode, result.stdout, result.stderr


def tier_of(user: SignedInUser) -> str:
    return str(user.client.get("/v1/ping").json()["account"]["subscription_tier"])


def test_set_tier_by_owner_email_changes_the_plan(
    server: RunningServer, user: SignedInUser
) -> None:
    code, out, err = set_tier_cli(server, "--email", user.email.upper(), "--tier", "pro")

    assert code == 0, err
    assert "is now on the Pro plan" in out
    assert tier_of(user) == "pro"


def test_set_tier_by_account_id(server: RunningServer, user: SignedInUser) -> None:
    code, _, err = set_tier_cli(server, "--account", user.account_id, "--tier", "enterprise")

    assert code == 0, err
    assert tier_of(user) == "enterprise"


def test_an_unknown_email_is_a_clear_error(server: RunningServer) -> None:
    code, _, err = set_tier_cli(server, "--email", "nobody@example.com", "--tier", "pro")

    assert code == 1
    assert "error: No user signed up with nobody@example.com." in err


def test_an_unknown_tier_is_a_clear_error(server: RunningServer, user: SignedInUser) -> None:
    code, _, err = set_tier_cli(server, "--email", user.email, "--tier", "gold")

    assert code == 1
    assert "Unknown tier 'gold': choose one of free, pro, enterprise, self_hosted." in err
    assert tier_of(user) == "free"


def test_set_tier_has_help(server: RunningServer) -> None:
    code, out, _ = set_tier_cli(server, "--help")

    assert code == 0 and "--tier" in out and "--email" in out


def test_set_tier_emails_the_owners_about_the_new_plan(
    mail_server: RunningServer, mailbox: Mailbox
) -> None:
    owner = sign_up(mail_server.base_url)
    env = {**mailbox.smtp_env(), **mail_server.database_env()}
    result = cli(
        "set-tier", "--email", owner.email, "--tier", "pro", data_dir=mail_server.data_dir, **env
    )

    assert result.returncode == 0, result.stderr
    assert "Pro plan" in str(mailbox.wait_for(owner.email)["Subject"])
    owner.client.close()
