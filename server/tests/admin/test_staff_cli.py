"""`llmobserve-server staff add|remove|list`, run as an operator would."""

from __future__ import annotations

import subprocess

from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser
from tests.test_cli import cli


def staff_cli(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    return cli("staff", *args, data_dir=server.data_dir, **server.database_env())


def test_staff_add_opens_the_console_and_remove_closes_it(
    server: RunningServer, user: SignedInUser
) -> None:
    added = staff_cli(server, "add", user.email.upper())
    assert added.returncode == 0, added.stderr
    assert f"{user.email} is now staff" in added.stdout
    assert user.client.get("/admin").status_code == 200
    assert user.email in staff_cli(server, "list").stdout

    removed = staff_cli(server, "remove", user.email)
    assert removed.returncode == 0, removed.stderr
    assert f"{user.email} is no longer staff" in removed.stdout
    assert user.client.get("/admin").status_code == 404
    assert user.email not in staff_cli(server, "list").stdout


def test_adding_someone_twice_says_so(server: RunningServer, user: SignedInUser) -> None:
    staff_cli(server, "add", user.email)
    again = staff_cli(server, "add", user.email)

    assert again.returncode == 0 and "was already staff" in again.stdout


def test_an_unknown_email_is_a_clear_error(server: RunningServer) -> None:
    result = staff_cli(server, "add", "nobody-here@example.com")

    assert result.returncode == 1
    assert "error: No user signed up with nobody-here@example.com." in result.stderr


def test_add_without_an_email_says_what_is_missing(server: RunningServer) -> None:
    result = staff_cli(server, "add")

    assert result.returncode == 2 and "needs the user's EMAIL" in result.stderr


def test_staff_has_help(server: RunningServer) -> None:
    result = staff_cli(server, "--help")

    assert result.returncode == 0
    assert "usage: llmobserve-server staff" in result.stdout and "/admin" in result.stdout
