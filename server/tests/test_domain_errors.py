"""Domain refusals: each kind has one HTTP status, rendered in the one JSON error shape, and the
domain packages never speak HTTP."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import llmobserve_server
from llmobserve_server.accounts.invitations import has_expired, problem_of
from llmobserve_server.db.models import Invitation
from llmobserve_server.domain_errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    Malformed,
    NotFound,
    Throttled,
    Unauthorized,
)
from llmobserve_server.errors import error_response, http_headers_of, http_status_of

DOMAIN_PACKAGES = ("accounts", "admin", "analytics", "audit", "billing", "pricing")


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (Malformed("invalid_cursor", "m"), 400),
        (Unauthorized("invalid_credentials", "m"), 401),
        (Forbidden("owner_required", "m"), 403),
        (NotFound("not_found", "m"), 404),
        (Conflict("last_owner", "m"), 409),
        (Gone("invalid_reset_link", "m"), 410),
        (Invalid("weak_password", "m", field="password"), 422),
        (Throttled("too_many_attempts", "m", retry_after=900), 429),
    ],
    ids=lambda value: str(value) if isinstance(value, int) else type(value).__name__,
)
def test_each_kind_of_refusal_has_its_status(refusal: DomainError, status: int) -> None:
    assert http_status_of(refusal) == status


def test_a_throttled_refusal_says_when_to_retry() -> None:
    refusal = Throttled("quota_exceeded", "Over the limit.", retry_after=60)
    assert http_headers_of(refusal) == {"Retry-After": "60"}
    assert http_headers_of(Conflict("email_taken", "Taken.")) == {}


def test_a_refusal_renders_as_the_json_error_shape() -> None:
    refusal = Conflict("email_taken", "Another account already uses this email.")
    response = error_response(http_status_of(refusal), refusal.code, refusal.message)
    assert response.status_code == 409
    assert json.loads(response.body) == {
        "error": {"code": "email_taken", "message": "Another account already uses this email."}
    }


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_packages_do_not_import_the_http_layer(package: str) -> None:
    root = Path(llmobserve_server.__file__).parent / package
    for source in sorted(root.rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        for http_module in ("llmobserve_server.errors", "llmobserve_server.api", "fastapi"):
            assert f"from {http_module}" not in text, f"{source} imports {http_module}"


def _invitation(**fields: datetime | None) -> Invitation:
    now = datetime.now(timezone.utc)
    defaults: dict[str, datetime | None] = {
        "created_at": now,
        "expires_at": now + timedelta(days=7),
        "accepted_at": None,
        "revoked_at": None,
    }
    return Invitation(**{**defaults, **fields})


def test_a_fresh_invitation_can_be_used() -> None:
    assert problem_of(_invitation()) is None


def test_an_invitation_past_its_expiry_has_expired() -> None:
    expired = _invitation(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert has_expired(expired)
    assert problem_of(expired) == "This invitation has expired."


def test_an_accepted_or_withdrawn_invitation_says_so_before_its_expiry() -> None:
    past = datetime.now(timezone.utc) - timedelta(days=30)
    accepted = _invitation(accepted_at=past, expires_at=past)
    withdrawn = _invitation(revoked_at=past, expires_at=past)
    assert problem_of(accepted) == "This invitation was already accepted."
    assert problem_of(withdrawn) == "This invitation was withdrawn."
