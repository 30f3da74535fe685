"""Password hashing (argon2id) and the password rule."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
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
