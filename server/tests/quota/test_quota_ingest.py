"""The monthly quota at ingest: counted from `usage_monthly`, the month of receipt."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx

from llmobserve_server.billing.quota import next_month_start
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import set_tier
from tests.support.factories import SignedInUser, error_of, event
from tests.support.usage_db import set_month_usage


def used(keyed: httpx.Client) -> int:
    response = keyed.get("/v1/usage")
    assert response.status_code == 200, response.text
    return int(response.json()["used"])


def stored_events(user: SignedInUser) -> int:
    return int(user.client.get("/v1/costs").json()["total_events"])


def marker(operation: str) -> dict[str, object]:
    """A structural span as the SDK sends it when a run, section or agent closes: no usage."""
    marker = event(provider=None, model=None, operation=operation, cost_usd="0")
    del marker["input_tokens"], marker["output_tokens"]
    return marker


def test_a_batch_crossing_the_limit_stores_up_to_it_and_rejects_the_rest(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 9_990)
    response = keyed.post("/v1/events", json={"events": [event() for _ in range(20)]})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 10 and body["duplicates"] == 0
    assert [r["index"] for r in body["rejected"]] == list(range(10, 20))
    assert {r["error"]["code"] for r in body["rejected"]} == {"quota_exceeded"}
    assert "Free plan's 10,000 events" in body["rejected"][0]["error"]["message"]
    assert used(keyed) == 10_000
    assert stored_events(user) == 10


def test_a_batch_at_the_limit_is_refused_whole_with_retry_after(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 10_000)
    response = keyed.post("/v1/events", json={"events": [event() for _ in range(5)]})

    error = error_of(response, 429)
    assert error["code"] == "quota_exceeded"
    assert "Free plan includes 10,000 events a month" in error["message"]
    assert "Settings → Billing" in error["message"]
    now = datetime.now(timezone.utc)
    reset = next_month_start(now)
    assert reset.strftime("%Y-%m-%d 00:00 UTC") in error["message"]
    retry_after = int(response.headers["Retry-After"])
    assert abs(retry_after - (reset - now).total_seconds()) < 60
    assert stored_events(user) == 0
    assert used(keyed) == 10_000


def test_invalid_events_keep_their_indexes_among_quota_rejections(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 9_999)
    batch = [event(), {"id": "not-a-uuid"}, event(), event()]
    body = keyed.post("/v1/events", json={"events": batch}).json()

    assert body["accepted"] == 1
    assert [(r["index"], r["error"]["code"]) for r in body["rejected"]] == [
        (1, "invalid_event"),
        (2, "quota_exceeded"),
        (3, "quota_exceeded"),
    ]


def test_duplicates_do_not_count_against_the_quota(user: SignedInUser, keyed: httpx.Client) -> None:
    batch = [event() for _ in range(3)]
    keyed.post("/v1/events", json={"events": batch})
    response = keyed.post("/v1/events", json={"events": [*batch, batch[0]]})

    assert response.json() == {"accepted": 0, "duplicates": 4, "rejected": []}
    assert used(keyed) == 3


def test_span_markers_do_not_count_and_are_stored_past_the_limit(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 9_999)
    batch = [marker("run"), event(), marker("section"), event(), marker("agent")]
    body = keyed.post("/v1/events", json={"events": batch}).json()

    assert body["accepted"] == 4
    assert [(r["index"], r["error"]["code"]) for r in body["rejected"]] == [(3, "quota_exceeded")]
    assert used(keyed) == 10_000


def test_last_months_usage_does_not_count_this_month(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    last_month = datetime.now(timezone.utc).replace(day=1) - timedelta(days=1)
    set_month_usage(server, user.account_id, 10_000, month=last_month)
    response = keyed.post("/v1/events", json={"events": [event() for _ in range(5)]})

    assert response.json()["accepted"] == 5
    assert used(keyed) == 5


def test_enterprise_has_no_limit(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_tier(server, user.account_id, "enterprise")
    set_month_usage(server, user.account_id, 50_000_000)
    response = keyed.post("/v1/events", json={"events": [event() for _ in range(5)]})

    assert response.json()["accepted"] == 5
    usage = keyed.get("/v1/usage").json()
    assert usage["used"] == 50_000_005 and usage["limit"] is None and usage["percent"] is None


def test_pro_allows_a_million(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_tier(server, user.account_id, "pro")
    set_month_usage(server, user.account_id, 999_999)
    body = keyed.post("/v1/events", json={"events": [event(), event()]}).json()

    assert body["accepted"] == 1 and body["rejected"][0]["error"]["code"] == "quota_exceeded"
    assert "Pro plan's 1,000,000 events" in body["rejected"][0]["error"]["message"]
