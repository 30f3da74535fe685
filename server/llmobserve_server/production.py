"""What a production server refuses to start without (`LLMOBSERVE_ENV=production`).

Development (the default) runs with a built-in SECRET_KEY so that `make run` needs no setup; in
production that key would let anyone mint the sign-in forms' CSRF tokens, so `serve` stops with
a message naming the variable and how to make one.
"""

from __future__ import annotations

from llmobserve_server.accounts.passwords import PROFILE_VARIABLE, configured_profile
from llmobserve_server.config import DEVELOPMENT_SECRET_KEY, Settings

MIN_SECRET_KEY_LENGTH = 32
GENERATE_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def production_problems(settings: Settings) -> list[str]:
    """Why `settings` are not fit to serve in production; empty when they are (or in
    development)."""
    if not settings.production:
        return []
    problems = []
    secret = settings.secret_key.get_secret_value()
    if secret == DEVELOPMENT_SECRET_KEY:
        problems.append(
            "SECRET_KEY is not set (LLMOBSERVE_ENV=production refuses the built-in development "
            f"key). Generate one with: {GENERATE_HINT}"
        )
    elif len(secret) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY is {len(secret)} characters long; use at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters. Generate one with: {GENERATE_HINT}"
        )
    if configured_profile() != "production":
        problems.append(
            f"{PROFILE_VARIABLE}={configured_profile()} is the test suite's cheap password "
            "hashing; unset it."
        )
    return problems


def production_warnings(settings: Settings) -> list[str]:
    """Settings that work but are probably a mistake in production."""
    if not settings.production:
        return []
    warnings = []
    if not settings.public_url.startswith("https://"):
        warnings.append(
            f"PUBLIC_URL is {settings.public_url}: links in emails and the onboarding use it, "
            "and cookies are Secure only with https://. Set it to the address users reach."
        )
    if settings.metrics_token is None:
        warnings.append("METRICS_TOKEN is not set: /metrics is off (404).")
    return warnings
