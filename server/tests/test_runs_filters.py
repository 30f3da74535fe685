"""/v1/runs filters (analytics.runs.list_runs): customer, agent, section, status, dates, and
pagination that keeps them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx

from tests.support.factories import error_of
from tests.support.runs import send_run


def run_ids(client: httpx.Client, **params: str | int) -> list[str]:
    response = client.get("/v1/runs", params=params)
    assert response.status_code == 200, response.text
    return [run["run_id"] for run in response.json()["runs"]]


def test_runs_are_filtered_by_customer_agent_section_and_status(keyed: httpx.Client) -> None:
    acme = send_run(keyed, customer_id="acme", agent="triage", section="support/retrieval")
    globex = send_run(
        keyed, customer_id="globex", agent="billing", section="billing/refunds", failing=False
    )
    assert set(run_ids(keyed)) == {acme, globex}
    assert run_ids(keyed, customer_id="acme") == [acme]
    assert run_ids(keyed, agent="billing") == [globex]
    assert run_ids(keyed, section="support/retrieval") == [acme]
    assert run_ids(keyed, status="error") == [acme]
    assert run_ids(keyed, status="ok") == [globex]
    assert run_ids(keyed, agent="triage", customer_id="globex") == []
    assert run_ids(keyed, agent="nobody") == []


def test_runs_are_filtered_by_when_they_started(keyed: httpx.Client) -> None:
    now = datetime.now(timezone.utc)
    old = send_run(keyed, started=now - timedelta(days=10))
    new = send_run(keyed, started=now - timedelta(hours=1))
    day = (now - timedelta(days=10)).date().isoformat()
    assert run_ids(keyed, **{"from": day, "to": day}) == [old]
    assert run_ids(keyed, **{"from": (now - timedelta(days=2)).date().isoformat()}) == [new]


def test_list_items_name_the_agents_of_each_run(keyed: httpx.Client) -> None:
    send_run(keyed, agent="triage")
    (run,) = keyed.get("/v1/runs").json()["runs"]
    assert run["agents"] == ["triage"]
    assert run["errors"] == 1 and run["events"] == 3  # its calls; the 3 span markers are not events


def test_pages_keep_the_filters(keyed: httpx.Client) -> None:
    now = datetime.now(timezone.utc)
    wanted = [send_run(keyed, agent="a", started=now - timedelta(minutes=i)) for i in range(3)]
    send_run(keyed, agent="b", started=now - timedelta(seconds=30))
    seen: list[str] = []
    params: dict[str, str | int] = {"agent": "a", "limit": 2}
    while True:
        body = keyed.get("/v1/runs", params=params).json()
        seen += [run["run_id"] for run in body["runs"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == wanted


def test_an_unknown_status_is_refused(keyed: httpx.Client) -> None:
    error_of(keyed.get("/v1/runs", params={"status": "maybe"}), 422)


def test_a_nul_character_in_a_filter_or_run_id_is_a_400_that_says_so(keyed: httpx.Client) -> None:
    for response in (
        keyed.get("/v1/runs", params={"customer_id": "acme\0"}),
        keyed.get("/v1/runs/run%00one"),
        keyed.get("/v1/costs", params={"group_by": "model", "cursor": "\0"}),
    ):
        assert "NUL" in error_of(response, 400)["message"]


def test_a_date_past_the_last_representable_day_is_a_422(keyed: httpx.Client) -> None:
    for params in ({"to": "9999-12-31"}, {"from": "9999-12-31T23:59:59-05:00"}):
        error = error_of(keyed.get("/v1/runs", params=params), 422)
        assert "before the year 9999" in error["message"]
