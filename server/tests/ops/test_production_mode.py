"""LLMOBSERVE_ENV=production refuses to serve with a weak SECRET_KEY, naming the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def serve_in_production(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environment.update(
        {"LLMOBSERVE_ENV": "production", "LLMOBSERVE_DATA_DIR": str(tmp_path), **env}
    )
    return subprocess.run(
        [sys.executable, "-m", "llmobserve_server.cli", "serve", "--port", "0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret",
    [None, "insecure-development-secret-key-do-not-use-in-production", "too-short-0123456789"],
    ids=["missing", "the-development-default", "short"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(
    tmp_path: Path, secret: str | None
) -> None:
    result = serve_in_production(tmp_path, **({"SECRET_KEY": secret} if secret else {}))
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # how to make one
    assert not (tmp_path / "llmobserve.db").exists()  # it stopped before touching the database


def test_an_unknown_environment_name_is_refused_with_the_variable_named(tmp_path: Path) -> None:
    result = serve_in_production(tmp_path, LLMOBSERVE_ENV="prod")
    assert result.returncode == 1
    assert "LLMOBSERVE_ENV" in result.stderr
    assert "Traceback" not in result.stderr
