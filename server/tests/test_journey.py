"""The whole journey over real HTTP: sign up, create a key, send events, read costs and runs."""

from __future__ import annotations

import httpx

from tests.support.factories import SignedInUser, event


def test_sign_up_key_ingest_then_costs_and_runs_show_the_events(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    batch = [
        event(
            run_id="journey",
            span_id="root",
            name="answer-question",
            input_tokens=1000,
            cached_input_tokens=200,
            output_tokens=100,
            customer_id="acme",
        ),
        event(
            run_id="journey",
            span_id="child",
            parent_span_id="root",
            provider="anthropic",
            model="claude-3-5-sonnet-latest",
            input_tokens=500,
            output_tokens=50,
        ),
    ]
    response = keyed.post("/v1/events", json={"events": batch})
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}

    costs = user.client.get("/v1/costs", params={"group_by": "model"}).json()
    assert {row["key"] for row in costs["rows"]} == {"gpt-4o-mini", "claude-3-5-sonnet-latest"}

    run = keyed.get("/v1/runs/journey").json()
    assert run["name"] == "answer-question"
    assert run["customer_id"] == "acme"
    assert [span["span_id"] for span in run["spans"]] == ["root"]
    assert [child["span_id"] for child in run["spans"][0]["children"]] == ["child"]
    assert run["total_cost_usd"] == costs["total_cost_usd"]
