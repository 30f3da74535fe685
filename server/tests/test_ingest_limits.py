"""POST /v1/events refuses what it must not store: too many events, bodies over 5 MB (on the
wire or once inflated), bodies that are not gzip or not JSON of the right shape, and callers
without a live API key. Every refusal has the one error shape and stores nothing."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import SignedInUser, error_of, event, key_client

LIMIT_BYTES = 5 * 1024 * 1024
JSON = {"Content-Type": "application/json"}
GZIP_JSON = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


def stored_events(user: SignedInUser) -> int:
    """How many events the user's account has, read with the session."""
    response = user.client.get("/v1/costs")
    assert response.status_code == 200, response.text
    return int(response.json()["total_events"])


def padded_body(size: int, events: list[dict[str, Any]] | None = None) -> bytes:
    """A valid batch, padded with JSON whitespace to exactly `size` bytes."""
    head = json.dumps({"events": events or []})[:-1].encode()
    body = head + b" " * (size - len(head) - 1) + b"}"
    assert len(body) == size
    return body


# --- batch size ------------------------------------------------------------------------------


def test_1001_events_is_413_too_many_events_and_nothing_is_stored(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    response = keyed.post("/v1/events", json={"events": [event() for _ in range(1001)]})
    error = error_of(response, 413)
    assert error["code"] == "too_many_events"
    assert "1000" in error["message"].replace(",", "")
    assert stored_events(user) == 0


def test_1000_events_are_accepted(user: SignedInUser, keyed: httpx.Client) -> None:
    response = keyed.post("/v1/events", json={"events": [event() for _ in range(1000)]})
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 1000, "duplicates": 0, "rejected": []}
    assert stored_events(user) == 1000


def test_an_empty_events_list_is_200_with_nothing_accepted(keyed: httpx.Client) -> None:
    response = keyed.post("/v1/events", json={"events": []})
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 0, "duplicates": 0, "rejected": []}


# --- body size -------------------------------------------------------------------------------


def test_a_body_over_5_mb_is_413_and_nothing_is_stored(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    body = padded_body(LIMIT_BYTES + 1, [event()])
    error = error_of(keyed.post("/v1/events", content=body, headers=JSON), 413)
    assert error["code"] == "payload_too_large"
    assert "5 MB" in error["message"]
    assert stored_events(user) == 0


def test_a_body_of_exactly_5_mb_is_accepted(user: SignedInUser, keyed: httpx.Client) -> None:
    body = padded_body(LIMIT_BYTES, [event()])
    response = keyed.post("/v1/events", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    assert stored_events(user) == 1


def test_a_chunked_body_over_5_mb_without_content_length_is_413(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    body = padded_body(LIMIT_BYTES + 1, [event()])

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = keyed.post("/v1/events", content=chunks(), headers=JSON)
    assert "content-length" not in response.request.headers
    assert error_of(response, 413)["code"] == "payload_too_large"
    assert stored_events(user) == 0


def test_a_gzip_bomb_inflating_past_5_mb_is_413(user: SignedInUser, keyed: httpx.Client) -> None:
    bomb = gzip.compress(padded_body(6 * 1024 * 1024, [event()]))
    assert len(bomb) < 64 * 1024  # small on the wire
    error = error_of(keyed.post("/v1/events", content=bomb, headers=GZIP_JSON), 413)
    assert error["code"] == "payload_too_large"
    assert stored_events(user) == 0


def test_gzip_inflating_one_byte_past_5_mb_is_413(keyed: httpx.Client) -> None:
    body = gzip.compress(padded_body(LIMIT_BYTES + 1))
    error = error_of(keyed.post("/v1/events", content=body, headers=GZIP_JSON), 413)
    assert error["code"] == "payload_too_large"


def test_gzip_inflating_to_exactly_5_mb_is_accepted(keyed: httpx.Client) -> None:
    body = gzip.compress(padded_body(LIMIT_BYTES, [event()]))
    response = keyed.post("/v1/events", content=body, headers=GZIP_JSON)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


# --- encoding --------------------------------------------------------------------------------


def test_a_gzip_body_of_several_members_is_read_to_the_end(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    """RFC 1952 allows concatenated members; none of their events may be dropped silently."""
    text = json.dumps({"events": [event(), event(), event()]}).encode()
    middle = len(text) // 2
    body = gzip.compress(text[:middle]) + gzip.compress(text[middle:])
    response = keyed.post("/v1/events", content=body, headers=GZIP_JSON)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 3
    assert stored_events(user) == 3


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"this is not gzip", id="not-gzip"),
        pytest.param(json.dumps({"events": [event()]}).encode(), id="plain-json-labelled-gzip"),
        pytest.param(gzip.compress(json.dumps({"events": [event()]}).encode())[:-4], id="no-size"),
        pytest.param(gzip.compress(json.dumps({"events": [event()]}).encode())[:-8], id="no-crc"),
        pytest.param(
            gzip.compress(json.dumps({"events": [event()]}).encode())[:30], id="cut-short"
        ),
        pytest.param(
            gzip.compress(json.dumps({"events": [event()]}).encode()) + b"trailing junk",
            id="trailing-junk",
        ),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_body_that_is_not_valid_gzip_is_422_and_nothing_is_stored(
    user: SignedInUser, keyed: httpx.Client, body: bytes
) -> None:
    error = error_of(keyed.post("/v1/events", content=body, headers=GZIP_JSON), 422)
    assert error["code"] == "invalid_body"
    assert "gzip" in error["message"]
    assert stored_events(user) == 0


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd", "compress"])
def test_an_unsupported_content_encoding_is_415(keyed: httpx.Client, encoding: str) -> None:
    response = keyed.post(
        "/v1/events",
        content=json.dumps({"events": []}).encode(),
        headers={**JSON, "Content-Encoding": encoding},
    )
    error = error_of(response, 415)
    assert error["code"] == "unsupported_encoding"
    assert "gzip" in error["message"]


def test_content_encoding_identity_is_a_plain_body(keyed: httpx.Client) -> None:
    response = keyed.post(
        "/v1/events",
        content=json.dumps({"events": [event()]}).encode(),
        headers={**JSON, "Content-Encoding": "identity"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


# --- JSON and shape --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="text"),
        pytest.param(b'{"events": [', id="truncated"),
        pytest.param(b"{'events': []}", id="single-quotes"),
        pytest.param(b'{"events": [],}', id="trailing-comma"),
        pytest.param(b'{"events": []} {"events": []}', id="two-documents"),
        pytest.param(b'{"events": ["\xff"]}', id="not-utf8"),
    ],
)
def test_a_body_that_is_not_json_is_422_invalid_json(
    user: SignedInUser, keyed: httpx.Client, body: bytes
) -> None:
    error = error_of(keyed.post("/v1/events", content=body, headers=JSON), 422)
    assert error["code"] == "invalid_json"
    assert stored_events(user) == 0


def test_invalid_json_inside_gzip_is_422_invalid_json(keyed: httpx.Client) -> None:
    body = gzip.compress(b'{"events": [')
    error = error_of(keyed.post("/v1/events", content=body, headers=GZIP_JSON), 422)
    assert error["code"] == "invalid_json"


@pytest.mark.parametrize(
    "document",
    [
        pytest.param([], id="a-list"),
        pytest.param([event()], id="a-list-of-events"),
        pytest.param({"events": {}}, id="events-an-object"),
        pytest.param({"events": None}, id="events-null"),
        pytest.param({"events": "[]"}, id="events-a-string"),
        pytest.param({"evts": []}, id="no-events-key"),
        pytest.param({}, id="empty-object"),
        pytest.param(event(), id="a-bare-event"),
        pytest.param("events", id="a-string"),
        pytest.param(42, id="a-number"),
        pytest.param(None, id="null"),
    ],
)
def test_json_of_the_wrong_shape_is_422_invalid_body(keyed: httpx.Client, document: Any) -> None:
    response = keyed.post("/v1/events", content=json.dumps(document).encode(), headers=JSON)
    error = error_of(response, 422)
    assert error["code"] == "invalid_body"
    assert '"events"' in error["message"]


@pytest.mark.parametrize("body", [b"", b"   \n"], ids=["empty", "whitespace"])
def test_an_empty_body_is_422(keyed: httpx.Client, body: bytes) -> None:
    error = error_of(keyed.post("/v1/events", content=body, headers=JSON), 422)
    assert error["code"] in ("invalid_body", "invalid_json")


# --- authentication --------------------------------------------------------------------------


def test_no_authorization_header_is_401(user: SignedInUser, anonymous: httpx.Client) -> None:
    error = error_of(anonymous.post("/v1/events", json={"events": [event()]}), 401)
    assert error["code"] == "missing_api_key"
    assert "Authorization: Bearer" in error["message"]


def test_an_unknown_key_is_401_invalid_api_key(anonymous: httpx.Client) -> None:
    unknown = "llmo_sk_" + "A" * 43
    response = anonymous.post(
        "/v1/events",
        json={"events": [event()]},
        headers={"Authorization": f"Bearer {unknown}"},
    )
    assert error_of(response, 401)["code"] == "invalid_api_key"


def test_a_non_bearer_authorization_is_401(keyed: httpx.Client, api_key: str) -> None:
    response = keyed.post(
        "/v1/events", json={"events": [event()]}, headers={"Authorization": f"Basic {api_key}"}
    )
    assert error_of(response, 401)["code"] == "invalid_authorization"


def test_a_revoked_key_is_401_api_key_revoked_and_nothing_is_stored(
    user: SignedInUser, base_url: str
) -> None:
    created = user.client.post("/v1/api-keys", json={"name": "to revoke"})
    assert created.status_code == 201, created.text
    key, key_id = created.json()["key"], created.json()["id"]
    with key_client(base_url, key) as client:
        assert client.post("/v1/events", json={"events": []}).status_code == 200
        assert user.client.delete(f"/v1/api-keys/{key_id}").status_code in (200, 204)

        error = error_of(client.post("/v1/events", json={"events": [event()]}), 401)
    assert error["code"] == "api_key_revoked"
    assert stored_events(user) == 0


def test_a_session_cookie_alone_is_not_accepted(user: SignedInUser) -> None:
    """/v1/events takes API keys only, even with a valid session and its CSRF token."""
    assert "X-CSRF-Token" in user.client.headers
    error = error_of(user.client.post("/v1/events", json={"events": [event()]}), 401)
    assert error["code"] == "missing_api_key"
    assert stored_events(user) == 0


def test_authentication_is_checked_before_the_body_is_read(anonymous: httpx.Client) -> None:
    """An anonymous caller learns nothing about its body: bad JSON is still a 401."""
    response = anonymous.post("/v1/events", content=b"not json", headers=JSON)
    assert error_of(response, 401)["code"] == "missing_api_key"
