"""Password hashing (argon2id) and the password rule.

The argon2id parameters come from a profile: `production` (the default, RFC 9106's low-memory
recommendation) or `test`, which the test suite selects with LLMOBSERVE_PASSWORD_HASH_PROFILE=test
so that its thousands of sign-ups do not each pay 64 MiB and three passes. A production server
refuses to start with the test profile (`llmobserve_server.production`). Hashes record their own
parameters, so either profile verifies the other's.
"""

from __future__ import annotations

import os

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
PASSWORD_RULE = (
    f"Use at least {MIN_PASSWORD_LENGTH} characters (at most {MAX_PASSWORD_LENGTH}), "
    "not your email address and not a common password."
)

_COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "administrator",
        "changeme123",
    }
)

PROFILE_VARIABLE = "LLMOBSERVE_PASSWORD_HASH_PROFILE"
PRODUCTION_PARAMETERS = RFC_9106_LOW_MEMORY  # argon2id, t=3, m=64 MiB, p=4
# The same hash shape at argon2's minimum cost: for the test suite only.
TEST_PARAMETERS = Parameters(
    type=Type.ID,
    version=RFC_9106_LOW_MEMORY.version,
    salt_len=RFC_9106_LOW_MEMORY.salt_len,
    hash_len=RFC_9106_LOW_MEMORY.hash_len,
    time_cost=1,
    memory_cost=8,
    parallelism=1,
)
PROFILES = {"production": PRODUCTION_PARAMETERS, "test": TEST_PARAMETERS}


def configured_profile() -> str:
    """The profile LLMOBSERVE_PASSWORD_HASH_PROFILE names (unset or empty: `production`)."""
    return os.environ.get(PROFILE_VARIABLE) or "production"


def parameters_for(profile: str) -> Parameters:
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"{PROFILE_VARIABLE}={profile!r} is not a password hash profile: unset it "
            "(production) or set it to 'test' (the test suite's cheap hashes)"
        ) from None


_hasher = PasswordHasher.from_parameters(parameters_for(configured_profile()))
# Verified against when the email is unknown, so that response time does not tell.
_DUMMY_HASH = _hasher.hash("llmobserve-no-such-user")


def password_problem(password: str, *, email: str) -> str | None:
    """Why `password` is not acceptable, or None when it is."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return f"Password is too short or too long. {PASSWORD_RULE}"
    lowered = password.lower()
    if lowered == email.lower() or lowered == email.split("@")[0].lower():
        return f"Password must not be your email address. {PASSWORD_RULE}"
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        return f"Password is too easy to guess. {PASSWORD_RULE}"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
