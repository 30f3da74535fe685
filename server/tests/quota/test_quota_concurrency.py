"""The quota is exact under concurrency: batches of one account arriving together take their
room one after the other (the month's counter row is locked before the room is computed), so the
month never stores more counted events than the plan's limit. On both databases (SQLite
serialises its writers anyway). Issue 13 found eight concurrent
1,000-event batches at 9,000 used leaving 13,000 accepted of a 10,000 limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from llmobserve_server.testing import RunningServer
from tests.quota.test_quota_ingest import stored_events, used
from tests.support.factories import SignedInUser, event
from tests.support.usage_db import set_month_usage

LIMIT = 10_000  # the Free plan's


def send_together(keyed: httpx.Client, batches: int, size: int = 1000) -> list[httpx.Response]:
    bodies = [{"events": [event() for _ in range(size)]} for _ in range(batches)]
    with ThreadPoolExecutor(max_workers=batches) as pool:
        return list(pool.map(lambda body: keyed.post("/v1/events", json=body, timeout=120), bodies))


def accepted(responses: list[httpx.Response]) -> int:
    total = 0
    for response in responses:
        assert response.status_code in (200, 429), response.text
        if response.status_code == 200:
            body = response.json()
            total += body["accepted"]
            assert {r["error"]["code"] for r in body["rejected"]} <= {"quota_exceeded"}
    return total


def test_concurrent_batches_near_the_limit_store_exactly_up_to_it(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 9_000)
    responses = send_together(keyed, 8)

    assert accepted(responses) == 1_000
    assert used(keyed) == LIMIT
    assert stored_events(user) == 1_000


def test_the_months_first_batches_arriving_together_stop_exactly_at_the_limit(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    """No counter row exists yet: the batches that would each create it queue on it too."""
    responses = send_together(keyed, 12)

    assert accepted(responses) == LIMIT
    assert used(keyed) == LIMIT
    assert stored_events(user) == LIMIT
