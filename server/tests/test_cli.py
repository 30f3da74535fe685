"""The `llmobserve-server` command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmobserve_server import __version__


def cli(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    ignored = ("DATABASE_URL", "DATABASE_OWNER_URL")
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update({"LLMOBSERVE_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [sys.executable, "-m", "llmobserve_server.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        "serve",
        "migrate",
        "create-user",
        "retention",
        "set-tier",
        "make-owner",
        "verify-email",
        "version",
    ],
)
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = cli(command, "--help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "usage: llmobserve-server" in result.stdout


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = cli("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "migrate", "create-user", "retention", "set-tier", "version"):
        assert command in result.stdout


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    assert cli("version", data_dir=tmp_path).stdout.strip() == __version__


def test_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    result = cli("migrate", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "llmobserve.db").exists()


def test_create_user_makes_an_account_and_refuses_a_second_with_the_same_email(
    tmp_path: Path,
) -> None:
    password = "a long enough passphrase"
    first = cli("create-user", "Ops@Example.com", data_dir=tmp_path, LLMOBSERVE_PASSWORD=password)
    assert first.returncode == 0, first.stderr
    assert "Created ops@example.com" in first.stdout
    again = cli("create-user", "ops@example.com", data_dir=tmp_path, LLMOBSERVE_PASSWORD=password)
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_create_user_refuses_a_weak_password(tmp_path: Path) -> None:
    result = cli("create-user", "a@example.com", data_dir=tmp_path, LLMOBSERVE_PASSWORD="short")
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr


def test_unknown_command_fails_with_usage(tmp_path: Path) -> None:
    result = cli("frobnicate", data_dir=tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr
