"""Password hashing profiles: production's argon2id parameters stay put; the test suite's cheap
profile is refused by a production server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from llmobserve_server.accounts import passwords


def test_production_hashes_with_rfc_9106_low_memory_argon2id() -> None:
    parameters = passwords.parameters_for("production")
    assert parameters.type is Type.ID
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    assert (parameters.salt_len, parameters.hash_len) == (16, 32)


def test_production_is_the_profile_when_the_variable_is_unset_or_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(passwords.PROFILE_VARIABLE, raising=False)
    assert passwords.configured_profile() == "production"
    monkeypatch.setenv(passwords.PROFILE_VARIABLE, "")
    assert passwords.configured_profile() == "production"


def test_a_hash_of_either_profile_verifies_under_the_other() -> None:
    for made_by, checked_by in (("production", "test"), ("test", "production")):
        maker = PasswordHasher.from_parameters(passwords.parameters_for(made_by))
        hashed = maker.hash("pw-1234567")
        checker = PasswordHasher.from_parameters(passwords.parameters_for(checked_by))
        assert checker.verify(hashed, "pw-1234567")
        assert extract_parameters(hashed) == passwords.parameters_for(made_by)


def test_an_unknown_profile_is_an_error_naming_the_variable() -> None:
    with pytest.raises(ValueError, match=passwords.PROFILE_VARIABLE):
        passwords.parameters_for("fast")


def test_a_production_server_refuses_the_test_profile(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(
        {
            "LLMOBSERVE_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "LLMOBSERVE_DATA_DIR": str(tmp_path),
            passwords.PROFILE_VARIABLE: "test",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "llmobserve_server.cli", "serve", "--port", "0"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{passwords.PROFILE_VARIABLE}=test" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "llmobserve.db").exists()
