"""API keys (/v1/api-keys): shown once, listed without secrets, revoked at once; and how
endpoints that take a key answer a missing, malformed, unknown or revoked one."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime

import httpx
import pytest

from tests.support.factories import SignedInUser, error_of, event, key_client

KEY_PATTERN = re.compile(r"^llmo_sk_[A-Za-z0-9_-]{43,}$")


def create(user: SignedInUser, name: str = "production") -> dict[str, str]:
    response = user.client.post("/v1/api-keys", json={"name": name})
    assert response.status_code == 201, response.text
    return dict(response.json())


def listed(user: SignedInUser) -> list[dict[str, str | None]]:
    response = user.client.get("/v1/api-keys")
    assert response.status_code == 200, response.text
    return list(response.json()["api_keys"])


def listed_key(user: SignedInUser, key_id: str) -> dict[str, str | None]:
    (item,) = (item for item in listed(user) if item["id"] == key_id)
    return item


# --- create ----------------------------------------------------------------------------------


def test_create_returns_201_with_the_full_key_once(user: SignedInUser) -> None:
    created = create(user, "production")
    assert KEY_PATTERN.match(created["key"]), created["key"]
    assert len(created["key"]) - len("llmo_sk_") >= 43  # 256 random bits, base64url
    uuid.UUID(created["id"])
    assert created["name"] == "production"
    assert created["key"].startswith(created["prefix"])
    assert created["prefix"].startswith("llmo_sk_")
    assert len(created["prefix"]) <= len("llmo_sk_") + 8  # enough to recognise, not to guess
    datetime.fromisoformat(created["created_at"])


def test_every_created_key_is_different(user: SignedInUser) -> None:
    keys = {create(user)["key"] for _ in range(3)}
    assert len(keys) == 3


def test_the_name_is_stored_without_surrounding_spaces(user: SignedInUser) -> None:
    created = create(user, "  ci runner  ")
    assert created["name"] == "ci runner"
    assert listed_key(user, created["id"])["name"] == "ci runner"


@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "whitespace"])
def test_a_blank_name_is_422(user: SignedInUser, name: str) -> None:
    error = error_of(user.client.post("/v1/api-keys", json={"name": name}), 422)
    assert error["code"] == "invalid_request"
    assert "name" in error["message"]


def test_a_missing_name_is_422(user: SignedInUser) -> None:
    error = error_of(user.client.post("/v1/api-keys", json={}), 422)
    assert "name" in error["message"]


def test_a_name_over_100_characters_is_422(user: SignedInUser) -> None:
    error_of(user.client.post("/v1/api-keys", json={"name": "k" * 101}), 422)


# --- list ------------------------------------------------------------------------------------


def test_list_never_contains_the_key_or_its_hash(user: SignedInUser) -> None:
    created = create(user)
    text = user.client.get("/v1/api-keys").text
    secret = created["key"]
    assert secret not in text
    assert secret[len(created["prefix"]) :] not in text
    assert hashlib.sha256(secret.encode()).hexdigest() not in text
    assert "hash" not in text


def test_list_shows_prefix_name_and_dates_of_each_key(user: SignedInUser) -> None:
    created = create(user, "staging")
    item = listed_key(user, created["id"])
    assert item["prefix"] == created["prefix"]
    assert item["name"] == "staging"
    assert item["created_at"] == created["created_at"]
    assert item["last_used_at"] is None
    assert item["revoked_at"] is None
    assert "key" not in item


def test_list_shows_every_key_of_the_account(user: SignedInUser) -> None:
    ids = {create(user, name)["id"] for name in ("one", "two", "three")}
    assert {item["id"] for item in listed(user)} == ids


def test_last_used_at_is_set_once_the_key_is_used(user: SignedInUser, base_url: str) -> None:
    created = create(user)
    with key_client(base_url, created["key"]) as keyed:
        assert keyed.get("/v1/ping").status_code == 200
    last_used_at = listed_key(user, created["id"])["last_used_at"]
    assert last_used_at is not None
    assert datetime.fromisoformat(last_used_at) >= datetime.fromisoformat(created["created_at"])


def test_using_one_key_does_not_mark_another_as_used(user: SignedInUser, base_url: str) -> None:
    used, unused = create(user, "used"), create(user, "unused")
    with key_client(base_url, used["key"]) as keyed:
        assert keyed.get("/v1/ping").status_code == 200
    assert listed_key(user, unused["id"])["last_used_at"] is None


# --- revoke ----------------------------------------------------------------------------------


def test_revoke_is_204_and_the_list_shows_when(user: SignedInUser) -> None:
    created = create(user)
    response = user.client.delete(f"/v1/api-keys/{created['id']}")
    assert response.status_code == 204, response.text
    item = listed_key(user, created["id"])
    assert item["revoked_at"] is not None
    assert datetime.fromisoformat(item["revoked_at"]) >= datetime.fromisoformat(
        created["created_at"]
    )


def test_a_revoked_key_is_refused_on_the_next_batch(user: SignedInUser, base_url: str) -> None:
    created = create(user)
    with key_client(base_url, created["key"]) as keyed:
        assert keyed.post("/v1/events", json={"events": [event()]}).status_code == 200
        assert user.client.delete(f"/v1/api-keys/{created['id']}").status_code == 204
        error = error_of(keyed.post("/v1/events", json={"events": [event()]}), 401)
    assert error["code"] == "api_key_revoked"
    assert "revoked" in error["message"]


def test_a_revoked_key_is_refused_by_ping(user: SignedInUser, base_url: str) -> None:
    created = create(user)
    with key_client(base_url, created["key"]) as keyed:
        assert keyed.get("/v1/ping").status_code == 200
        assert user.client.delete(f"/v1/api-keys/{created['id']}").status_code == 204
        error = error_of(keyed.get("/v1/ping"), 401)
    assert error["code"] == "api_key_revoked"
    assert "revoked" in error["message"]


def test_revoking_one_key_leaves_the_others_working(user: SignedInUser, base_url: str) -> None:
    revoked, kept = create(user, "old"), create(user, "new")
    assert user.client.delete(f"/v1/api-keys/{revoked['id']}").status_code == 204
    with key_client(base_url, kept["key"]) as keyed:
        assert keyed.get("/v1/ping").status_code == 200
    assert listed_key(user, kept["id"])["revoked_at"] is None


def test_revoking_again_keeps_the_first_revocation_time(user: SignedInUser) -> None:
    created = create(user)
    assert user.client.delete(f"/v1/api-keys/{created['id']}").status_code == 204
    first = listed_key(user, created["id"])["revoked_at"]
    assert user.client.delete(f"/v1/api-keys/{created['id']}").status_code == 204
    assert listed_key(user, created["id"])["revoked_at"] == first


def test_revoking_an_unknown_id_is_404(user: SignedInUser) -> None:
    error = error_of(user.client.delete(f"/v1/api-keys/{uuid.uuid4()}"), 404)
    assert error["code"] == "not_found"


def test_revoking_a_malformed_id_is_422(user: SignedInUser) -> None:
    error = error_of(user.client.delete("/v1/api-keys/not-a-uuid"), 422)
    assert error["code"] == "invalid_request"


# --- managing keys needs a session -----------------------------------------------------------


def test_listing_keys_with_only_an_api_key_is_401(keyed: httpx.Client) -> None:
    error = error_of(keyed.get("/v1/api-keys"), 401)
    assert error["code"] == "not_signed_in"


def test_creating_a_key_with_only_an_api_key_is_401(keyed: httpx.Client) -> None:
    error = error_of(keyed.post("/v1/api-keys", json={"name": "escalate"}), 401)
    assert error["code"] == "not_signed_in"


def test_revoking_a_key_with_only_an_api_key_is_401(user: SignedInUser, base_url: str) -> None:
    created = create(user)
    with key_client(base_url, created["key"]) as keyed:
        error = error_of(keyed.delete(f"/v1/api-keys/{created['id']}"), 401)
        assert error["code"] == "not_signed_in"
        assert keyed.get("/v1/ping").status_code == 200


def test_managing_keys_anonymously_is_401(anonymous: httpx.Client) -> None:
    error = error_of(anonymous.get("/v1/api-keys"), 401)
    assert error["code"] == "not_signed_in"
    assert "Sign in" in error["message"]


# --- how a key is checked --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/ping", "/v1/runs", "/v1/costs"])
def test_an_unknown_key_is_401_invalid_api_key(anonymous: httpx.Client, path: str) -> None:
    unknown = "llmo_sk_" + "A" * 43
    error = error_of(anonymous.get(path, headers={"Authorization": f"Bearer {unknown}"}), 401)
    assert error["code"] == "invalid_api_key"


def test_an_unknown_key_is_refused_by_the_events_endpoint(anonymous: httpx.Client) -> None:
    response = anonymous.post(
        "/v1/events",
        json={"events": [event()]},
        headers={"Authorization": "Bearer llmo_sk_" + "B" * 43},
    )
    assert error_of(response, 401)["code"] == "invalid_api_key"


def test_a_key_without_the_llmo_sk_prefix_is_401_and_says_what_keys_look_like(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.get("/v1/ping", headers={"Authorization": "Bearer sk-openai-key"})
    error = error_of(response, 401)
    assert error["code"] == "invalid_api_key"
    assert "llmo_sk_" in error["message"]


def test_events_without_an_authorization_header_are_401(anonymous: httpx.Client) -> None:
    error = error_of(anonymous.post("/v1/events", json={"events": [event()]}), 401)
    assert error["code"] == "missing_api_key"
    assert "Authorization: Bearer" in error["message"]


def test_reads_without_any_credentials_are_401(anonymous: httpx.Client) -> None:
    error = error_of(anonymous.get("/v1/ping"), 401)
    assert error["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Token llmo_sk_abc", "Bearer", "llmo_sk_abc"],
    ids=["basic", "token-scheme", "bearer-alone", "bare-key"],
)
def test_a_non_bearer_authorization_header_is_401(anonymous: httpx.Client, header: str) -> None:
    response = anonymous.post(
        "/v1/events", json={"events": [event()]}, headers={"Authorization": header}
    )
    error = error_of(response, 401)
    assert error["code"] == "invalid_authorization"
    assert "Bearer" in error["message"]


def test_the_bearer_scheme_is_case_insensitive(api_key: str, anonymous: httpx.Client) -> None:
    response = anonymous.get("/v1/ping", headers={"Authorization": f"bearer {api_key}"})
    assert response.status_code == 200, response.text


def test_the_events_endpoint_refuses_a_session_cookie(user: SignedInUser) -> None:
    error = error_of(user.client.post("/v1/events", json={"events": [event()]}), 401)
    assert error["code"] == "missing_api_key"


def test_a_name_with_a_nul_character_is_422(user: SignedInUser) -> None:
    response = user.client.post("/v1/api-keys", json={"name": "laptop\0"})
    assert "NUL" in error_of(response, 422)["message"]
