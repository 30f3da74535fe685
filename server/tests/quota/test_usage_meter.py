"""The usage meter on the dashboard home and GET /v1/usage."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import httpx

from llmobserve_server.billing.quota import next_month_start
from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, event, send
from tests.support.usage_db import set_month_usage


def meter_text(user: SignedInUser) -> str:
    page = user.client.get("/")
    assert page.status_code == 200, page.text
    match = re.search(r'<div class="card usage-meter[^"]*"[^>]*>(.*?)</div>', page.text, re.S)
    assert match, page.text
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def test_the_dashboard_shows_used_of_limit_percent_and_days_left(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, event())
    set_month_usage(server, user.account_id, 7_432)
    days = keyed.get("/v1/usage").json()["days_left"]

    text = meter_text(user)
    assert f"7,432 of 10,000 events this month · 74 % · {days} days left" in text.replace(
        f"{days} day left", f"{days} days left"
    )
    assert 'data-level="ok"' in user.client.get("/").text


def test_the_meter_turns_amber_at_80_and_red_at_100_percent(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, event())
    set_month_usage(server, user.account_id, 8_000)
    assert 'data-level="warning"' in user.client.get("/").text
    set_month_usage(server, user.account_id, 10_000)
    page = user.client.get("/").text
    assert 'data-level="full"' in page and "New events are refused" in page


def test_usage_api_answers_with_a_session_or_a_key(
    server: RunningServer, user: SignedInUser, keyed: httpx.Client
) -> None:
    set_month_usage(server, user.account_id, 2_500)
    by_key, by_session = keyed.get("/v1/usage").json(), user.client.get("/v1/usage").json()

    assert by_key == by_session
    assert by_key["tier"] == "free" and by_key["used"] == 2_500
    assert by_key["limit"] == 10_000 and by_key["percent"] == 25
    reset = next_month_start(datetime.now(timezone.utc))
    assert datetime.fromisoformat(by_key["next_reset"]) == reset
