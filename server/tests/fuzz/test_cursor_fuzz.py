"""Pagination cursors come back from clients, so they are fuzzed like any input: crafted ones
(issue 13: an offset of 2**63, a NUL inside, 3,000 nested brackets, a date that overflows) and
generated ones, on `/v1/costs` and `/v1/runs` (400 `invalid_cursor`, never a 5xx) and on the
`/runs` page (a readable message)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, sign_up

API_PATHS = ("/v1/costs", "/v1/runs")


def cursor_of(document: Any) -> str:
    text = document if isinstance(document, str) else json.dumps(document)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


CRAFTED = {
    "offset 2**63": cursor_of(["offset", 2**63]),
    "offset 2**64 + 1": cursor_of(["offset", 2**64 + 1]),
    "negative offset": cursor_of(["offset", -1]),
    "offset true": cursor_of(["offset", True]),
    "offset a float": cursor_of(["offset", 1e308]),
    "offset as text": cursor_of(["offset", "10"]),
    "NUL in the offset's tag": cursor_of(["offset\u0000", 1]),
    "NUL in a run id": cursor_of(["2026-11-25T10:00:00+00:00", "run\u0000"]),
    "NUL in a date": cursor_of(["2026-11-25T10:00:00\u0000+00:00", "run"]),
    "3,000 nested brackets": cursor_of("[" * 3000 + "]" * 3000),
    "date past year 9999 in UTC": cursor_of(["9999-12-31T23:59:59-23:59", "run"]),
    "date before year 1 in UTC": cursor_of(["0001-01-01T00:00:00+23:59", "run"]),
    "date without offset": cursor_of(["2026-11-25T10:00:00", "run"]),
    "run id too long": cursor_of(["2026-11-25T10:00:00+00:00", "r" * 10_000]),
    "an object": cursor_of({"offset": 1}),
    "not base64": "!!!***",
    "base64 of not JSON": cursor_of("not json"),
    "base64 of invalid UTF-8": base64.urlsafe_b64encode(b"\xff\xfe[1]").decode(),
    "very long": "A" * 4_000,
}


@pytest.fixture(scope="module")
def signed_in(fuzz_server: RunningServer) -> Iterator[SignedInUser]:
    user = sign_up(fuzz_server.base_url)
    yield user
    user.client.close()


def assert_invalid_cursor(response: httpx.Response, what: str) -> None:
    assert response.status_code == 400, f"{what}: {response.status_code} {response.text[:500]}"
    assert response.json()["error"]["code"] == "invalid_cursor", what


@pytest.mark.parametrize("path", API_PATHS)
@pytest.mark.parametrize("label", list(CRAFTED))
def test_a_crafted_cursor_is_400_invalid_cursor(
    signed_in: SignedInUser, path: str, label: str
) -> None:
    response = signed_in.client.get(path, params={"cursor": CRAFTED[label]})
    assert_invalid_cursor(response, f"{path} with {label}")


@pytest.mark.parametrize("label", list(CRAFTED))
def test_a_crafted_cursor_on_the_runs_page_gets_a_readable_message(
    signed_in: SignedInUser, label: str
) -> None:
    response = signed_in.client.get("/runs", params={"cursor": CRAFTED[label]})
    assert response.status_code < 500, f"{label}: {response.status_code}"
    assert "text/html" in response.headers["content-type"]
    assert "That page link is not valid any more" in response.text, label


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.datetimes().map(lambda moment: moment.isoformat()),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(document=JSON_VALUES)
def test_no_generated_cursor_gets_a_server_error(
    fuzz_server: RunningServer, signed_in: SignedInUser, document: Any
) -> None:
    cursor = cursor_of(document)
    for path in (*API_PATHS, "/runs"):
        response = signed_in.client.get(path, params={"cursor": cursor})
        assert response.status_code < 500, f"{path} {document!r}: {response.text[:500]}"
