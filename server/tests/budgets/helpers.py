"""Budgets created and events sent over the real HTTP API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.factories import custom_event


def create_budget(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "Acme monthly", "amount_usd": "10.00", **fields}
    response = client.post("/v1/budgets", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def spend(client: httpx.Client, cost: str, **fields: Any) -> dict[str, Any]:
    """Send one event costing `cost` (USD) and return the collector's answer."""
    response = client.post("/v1/events", json={"events": [custom_event(cost, **fields)]})
    assert response.status_code == 200, response.text
    answer = dict(response.json())
    assert answer["accepted"] == 1, answer
    return answer
