"""A gzip body of many members (RFC 1952 allows several) is read in time linear in its size and
refused past a small number of members, and while such bodies are refused the server keeps
answering: the attack from issue 13 was `gzip.compress(b"") * 245000` (4.9 MB), which took 15 s,
time growing with the square of its size, while holding a database transaction."""

from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from llmobserve_server.errors import ApiError
from llmobserve_server.ingest.body import MAX_GZIP_MEMBERS, decode
from tests.support.factories import SignedInUser, error_of, event

EMPTY_MEMBER = gzip.compress(b"")
ATTACK = EMPTY_MEMBER * 245_000
GZIP_JSON = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


def refusal(body: bytes) -> ApiError:
    with pytest.raises(ApiError) as refused:
        decode(body, "gzip")
    return refused.value


def fastest_refusal_seconds(body: bytes, runs: int = 5) -> float:
    """The fastest of `runs` refusals: the least disturbed by the other work on the machine."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        refusal(body)
        times.append(time.perf_counter() - started)
    return min(times)


def members_of(text: bytes, count: int) -> bytes:
    """`text` split into `count` gzip members, concatenated."""
    size = -(-len(text) // count)
    return b"".join(gzip.compress(text[i : i + size]) for i in range(0, len(text), size))


def test_the_many_member_body_is_refused_as_invalid_naming_the_limit() -> None:
    error = refusal(ATTACK)
    assert (error.status, error.code) == (422, "invalid_body")
    assert f"more than {MAX_GZIP_MEMBERS} members" in error.message


def test_refusing_many_members_takes_time_linear_in_the_body_size() -> None:
    """Ten times the members may cost up to ten times the time (here it costs about the same,
    as the refusal comes at the limit); quadratic work would cost a hundred times."""
    small = fastest_refusal_seconds(EMPTY_MEMBER * 24_500)
    large = fastest_refusal_seconds(ATTACK)
    assert large < 30 * small + 0.05, (small, large)


def test_a_body_of_as_many_members_as_allowed_is_read_to_the_end() -> None:
    text = json.dumps({"events": [event() for _ in range(MAX_GZIP_MEMBERS)]}).encode()
    assert decode(members_of(text, MAX_GZIP_MEMBERS), "gzip") == text


def test_one_member_past_the_limit_is_refused() -> None:
    text = json.dumps({"events": [event() for _ in range(MAX_GZIP_MEMBERS + 1)]}).encode()
    body = members_of(text, MAX_GZIP_MEMBERS + 1)
    assert refusal(body).code == "invalid_body"


def test_members_spanning_the_decoders_chunks_are_read_whole() -> None:
    """Members of about 100 KB each (incompressible), larger than the 64 KB the decoder reads at
    a time, so that members start and end inside chunks."""
    text = json.dumps({"events": [event(metadata={"pad": str(n) * 5000}) for n in range(100)]})
    body = members_of(text.encode(), 7)
    assert decode(body, "gzip") == text.encode()


def test_the_many_member_body_is_refused_over_http_and_stores_nothing(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    error = error_of(keyed.post("/v1/events", content=ATTACK, headers=GZIP_JSON), 422)
    assert error["code"] == "invalid_body" and "members" in error["message"]
    assert user.client.get("/v1/costs").json()["total_events"] == 0


def test_the_server_answers_health_checks_while_refusing_many_member_bodies(
    base_url: str, keyed: httpx.Client
) -> None:
    """Eight attackers at once (more than the database pool holds in the tests' servers):
    /healthz and /readyz (which needs a database connection) still answer."""
    statuses: list[int] = []

    def attack() -> None:
        for _ in range(3):
            response = keyed.post("/v1/events", content=ATTACK, headers=GZIP_JSON, timeout=120)
            statuses.append(response.status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        attackers = [pool.submit(attack) for _ in range(8)]
        with httpx.Client(base_url=base_url, timeout=60) as checker:
            health = checker.get("/healthz")
            ready = checker.get("/readyz")
        for attacker in attackers:
            attacker.result()
    assert health.status_code == 200 and ready.status_code == 200
    assert set(statuses) == {422}
