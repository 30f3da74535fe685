"""Accounts are isolated: nothing of one account can be read, counted or changed by another,
with a session or with an API key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.factories import SignedInUser, custom_event, error_of, key_client, send


@pytest.fixture
def a_key(user: SignedInUser) -> str:
    return user.create_key("a's key")


@pytest.fixture
def a_keyed(base_url: str, a_key: str) -> Iterator[httpx.Client]:
    with key_client(base_url, a_key) as client:
        yield client


@pytest.fixture
def b_keyed(base_url: str, other_user: SignedInUser) -> Iterator[httpx.Client]:
    with key_client(base_url, other_user.create_key("b's key")) as client:
        yield client


@pytest.fixture
def a_run(a_keyed: httpx.Client) -> str:
    run_id = f"a-run-{uuid.uuid4().hex}"
    send(a_keyed, custom_event("0.125", run_id=run_id, span_id="root", name="a's secret run"))
    return run_id


def test_another_account_gets_404_for_a_run_with_its_session(
    a_run: str, a_keyed: httpx.Client, other_user: SignedInUser
) -> None:
    assert a_keyed.get(f"/v1/runs/{a_run}").status_code == 200
    error = error_of(other_user.client.get(f"/v1/runs/{a_run}"), 404)
    assert error["code"] == "not_found"


def test_another_account_gets_404_for_a_run_with_its_api_key(
    a_run: str, b_keyed: httpx.Client
) -> None:
    error = error_of(b_keyed.get(f"/v1/runs/{a_run}"), 404)
    assert error["code"] == "not_found"


def test_another_account_cannot_tell_a_foreign_run_from_a_missing_one(
    a_run: str, b_keyed: httpx.Client
) -> None:
    foreign = b_keyed.get(f"/v1/runs/{a_run}")
    missing = b_keyed.get(f"/v1/runs/no-such-run-{uuid.uuid4().hex}")
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())


def test_each_key_reads_only_its_own_accounts_costs(
    a_keyed: httpx.Client, b_keyed: httpx.Client
) -> None:
    send(a_keyed, custom_event("0.5", model="a-model", customer_id="a-customer"))
    send(b_keyed, custom_event("0.25", model="b-model", customer_id="b-customer"))

    a_models = a_keyed.get("/v1/costs", params={"group_by": "model"}).json()
    assert [(r["key"], r["cost_usd"]) for r in a_models["rows"]] == [("a-model", "0.500000")]
    assert a_models["total_cost_usd"] == "0.500000"
    a_customers = a_keyed.get("/v1/costs", params={"group_by": "customer"}).json()
    assert [r["key"] for r in a_customers["rows"]] == ["a-customer"]

    b_models = b_keyed.get("/v1/costs", params={"group_by": "model"}).json()
    assert [(r["key"], r["cost_usd"]) for r in b_models["rows"]] == [("b-model", "0.250000")]
    assert b_models["total_events"] == 1


def test_each_key_lists_only_its_own_accounts_runs(
    a_keyed: httpx.Client, b_keyed: httpx.Client
) -> None:
    send(a_keyed, custom_event("0.1", run_id="a-1", customer_id="shared-name"))
    send(a_keyed, custom_event("0.1", run_id="a-2"))
    send(b_keyed, custom_event("0.1", run_id="b-1", customer_id="shared-name"))

    a_runs = a_keyed.get("/v1/runs").json()["runs"]
    assert sorted(run["run_id"] for run in a_runs) == ["a-1", "a-2"]
    b_runs = b_keyed.get("/v1/runs").json()["runs"]
    assert [run["run_id"] for run in b_runs] == ["b-1"]
    filtered = a_keyed.get("/v1/runs", params={"customer_id": "shared-name"}).json()["runs"]
    assert [run["run_id"] for run in filtered] == ["a-1"]


def test_the_same_run_id_in_two_accounts_is_two_separate_runs(
    a_keyed: httpx.Client, b_keyed: httpx.Client
) -> None:
    send(a_keyed, custom_event("0.5", run_id="checkout", span_id="a-span", name="a"))
    send(b_keyed, custom_event("0.25", run_id="checkout", span_id="b-span", name="b"))

    a_run = a_keyed.get("/v1/runs/checkout").json()
    b_run = b_keyed.get("/v1/runs/checkout").json()
    assert (a_run["name"], a_run["total_cost_usd"], a_run["events"]) == ("a", "0.500000", 1)
    assert (b_run["name"], b_run["total_cost_usd"], b_run["events"]) == ("b", "0.250000", 1)
    assert [span["span_id"] for span in a_run["spans"]] == ["a-span"]
    assert [span["span_id"] for span in b_run["spans"]] == ["b-span"]


def test_the_same_event_id_sent_by_two_accounts_is_stored_for_both(
    a_keyed: httpx.Client, b_keyed: httpx.Client
) -> None:
    event_id = str(uuid.uuid4())
    a_response = a_keyed.post("/v1/events", json={"events": [custom_event("0.5", id=event_id)]})
    b_response = b_keyed.post("/v1/events", json={"events": [custom_event("0.25", id=event_id)]})
    assert a_response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert b_response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}

    assert a_keyed.get("/v1/costs").json()["total_cost_usd"] == "0.500000"
    assert b_keyed.get("/v1/costs").json()["total_cost_usd"] == "0.250000"
    # Without a run_id the event is its own run, named by its id, in each account.
    assert a_keyed.get(f"/v1/runs/{event_id}").json()["total_cost_usd"] == "0.500000"
    assert b_keyed.get(f"/v1/runs/{event_id}").json()["total_cost_usd"] == "0.250000"


def test_another_account_cannot_revoke_a_key_and_the_key_keeps_working(
    user: SignedInUser, a_keyed: httpx.Client, other_user: SignedInUser
) -> None:
    (a_key,) = user.client.get("/v1/api-keys").json()["api_keys"]
    error = error_of(other_user.client.delete(f"/v1/api-keys/{a_key['id']}"), 404)
    assert error["code"] == "not_found"
    assert a_keyed.get("/v1/ping").status_code == 200
    (still,) = user.client.get("/v1/api-keys").json()["api_keys"]
    assert still["revoked_at"] is None


def test_key_lists_show_only_the_accounts_own_keys(
    user: SignedInUser, a_key: str, other_user: SignedInUser
) -> None:
    other_user.create_key("b's key")
    a_names = [item["name"] for item in user.client.get("/v1/api-keys").json()["api_keys"]]
    b_names = [item["name"] for item in other_user.client.get("/v1/api-keys").json()["api_keys"]]
    assert a_names == ["a's key"]
    assert b_names == ["b's key"]


def test_a_session_reads_only_its_own_accounts_data(a_run: str, other_user: SignedInUser) -> None:
    costs = other_user.client.get("/v1/costs").json()
    assert (costs["total_cost_usd"], costs["total_events"], costs["rows"]) == ("0.000000", 0, [])
    assert other_user.client.get("/v1/runs").json()["runs"] == []


def test_ping_names_the_keys_own_account(
    user: SignedInUser, other_user: SignedInUser, a_keyed: httpx.Client, b_keyed: httpx.Client
) -> None:
    assert a_keyed.get("/v1/ping").json()["account"]["id"] == user.account_id
    assert b_keyed.get("/v1/ping").json()["account"]["id"] == other_user.account_id
