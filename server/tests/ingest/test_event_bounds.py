"""Every number an event carries is bounded, and so is what it costs: an event beyond the bounds
is rejected on its own (`invalid_event` under its index) and the batch's valid events are still
stored. Issue 13 found `{"units": {"read_units": 1e15}}` overflowing the cost column and losing
the whole batch, and `1e300` raising a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from llmobserve_server.ingest.schema import MAX_EVENT_COST_USD
from tests.support.factories import SignedInUser, custom_event, event


def post(keyed: httpx.Client, events: list[dict[str, Any]]) -> dict[str, Any]:
    response = keyed.post("/v1/events", json={"events": events})
    assert response.status_code == 200, response.text
    return dict(response.json())


def rejected_codes(body: dict[str, Any]) -> list[tuple[int, str]]:
    return [(r["index"], r["error"]["code"]) for r in body["rejected"]]


@pytest.mark.parametrize(
    "units",
    [
        pytest.param({"read_units": 1e15}, id="1e15-read-units"),
        pytest.param({"read_units": 1e300}, id="1e300-read-units"),
        pytest.param({"write_units": 10**9 + 1}, id="one-past-a-billion"),
    ],
)
def test_a_unit_count_past_a_billion_rejects_its_event_and_keeps_the_others(
    user: SignedInUser, keyed: httpx.Client, units: dict[str, float]
) -> None:
    pinecone = event(provider="pinecone", model=None, operation="query", units=units)
    body = post(keyed, [event(), pinecone, event()])

    assert body["accepted"] == 2
    assert rejected_codes(body) == [(1, "invalid_event")]
    assert "units" in body["rejected"][0]["error"]["message"]
    assert user.client.get("/v1/costs").json()["total_events"] == 2


def test_a_billion_units_are_accepted_and_priced(keyed: httpx.Client) -> None:
    pinecone = event(provider="pinecone", model=None, operation="query")
    pinecone.update(units={"read_units": 10**9}, input_tokens=0, output_tokens=0)
    assert post(keyed, [pinecone])["accepted"] == 1
    rows = keyed.get("/v1/costs", params={"group_by": "provider"}).json()["rows"]
    assert Decimal(rows[0]["cost_usd"]) == 16_000  # $16 per million read units


def test_an_event_priced_past_the_per_event_cap_is_rejected_and_the_others_kept(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    """The account's own price (the dearest one allowed) times a billion tokens: $100M."""
    created = user.client.post(
        "/v1/prices",
        json={"provider": "custom", "model": "dear", "input_mtok": "100000", "output_mtok": "1"},
    )
    assert created.status_code == 201, created.text
    dear = event(provider="custom", model="dear", input_tokens=10**9, output_tokens=0)
    body = post(keyed, [dear, event()])

    assert body["accepted"] == 1
    assert rejected_codes(body) == [(0, "invalid_event")]
    assert f"${MAX_EVENT_COST_USD:,}" in body["rejected"][0]["error"]["message"]


@pytest.mark.parametrize("cost", ["1e300", "100000.01", "-1", "NaN"])
def test_a_client_cost_out_of_range_rejects_its_event(keyed: httpx.Client, cost: str) -> None:
    body = post(keyed, [custom_event(cost), event()])
    assert body["accepted"] == 1
    assert rejected_codes(body) == [(0, "invalid_event")]


def test_a_full_batch_at_the_per_event_cap_is_stored_and_readable(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    """A thousand events at $100,000 each, twice: $200 million, within every cost column."""
    for _ in range(2):
        batch = [custom_event(str(MAX_EVENT_COST_USD)) for _ in range(1000)]
        assert post(keyed, batch)["accepted"] == 1000
    costs = keyed.get("/v1/costs", params={"group_by": "model"})
    assert costs.status_code == 200, costs.text
    assert Decimal(costs.json()["total_cost_usd"]) == 2 * 1000 * MAX_EVENT_COST_USD
    assert keyed.get("/v1/runs").status_code == 200
    for page in ("/", "/runs", "/costs", "/customers", "/agents"):
        assert user.client.get(page).status_code == 200, page


def test_an_account_whose_costs_pass_a_billion_dollars_still_gets_its_pages(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    """Ten thousand events at the cap: $1,000,000,000, past what SQLite's 64-bit integer sum of
    money (in 1e-10 USD) can hold, which made the dashboard's totals fail."""
    for _ in range(10):
        batch = [custom_event(str(MAX_EVENT_COST_USD)) for _ in range(1000)]
        assert post(keyed, batch)["accepted"] == 1000
    for path in ("/v1/costs", "/v1/costs?group_by=customer", "/v1/runs", "/v1/usage"):
        assert keyed.get(path).status_code == 200, path
    for page in ("/", "/runs", "/costs", "/customers", "/agents"):
        assert user.client.get(page).status_code == 200, page
