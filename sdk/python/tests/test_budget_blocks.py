"""Which calls a blocked-budget list stops (llmobserve._budgets): a budget covers a call when
every dimension it names has that value in the call, until its period ends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from llmobserve._budgets import BlockedCall, read_blocked

FUTURE = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
PAST = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()


def entry(scope: dict[str, str], *, until: str = FUTURE, name: str = "b") -> dict[str, Any]:
    return {"budget_id": name, "name": name, "scope": scope, "until": until}


def call(**fields: str) -> BlockedCall:
    values: dict[str, Any] = dict.fromkeys(("provider", "model", "customer_id", "agent", "section"))
    values.update(fields)
    return BlockedCall(**values)


def test_a_customer_budget_stops_that_customers_calls_only() -> None:
    blocks = read_blocked([entry({"customer_id": "acme"})])
    assert blocks is not None
    assert blocks.match(call(customer_id="acme", model="gpt-4o")) is not None
    assert blocks.match(call(customer_id="globex", model="gpt-4o")) is None
    assert blocks.match(call(model="gpt-4o")) is None


def test_a_budget_naming_two_dimensions_needs_both() -> None:
    blocks = read_blocked([entry({"customer_id": "acme", "model": "gpt-4o"})])
    assert blocks is not None
    assert blocks.match(call(customer_id="acme", model="gpt-4o")) is not None
    assert blocks.match(call(customer_id="acme", model="gpt-4o-mini")) is None


def test_an_account_budget_stops_every_call() -> None:
    blocks = read_blocked([entry({})])
    assert blocks is not None and blocks.match(call()) is not None


def test_a_budget_whose_period_ended_no_longer_stops_calls() -> None:
    blocks = read_blocked([entry({}, until=PAST)])
    assert blocks is not None and blocks.match(call()) is None


def test_an_empty_list_stops_nothing() -> None:
    blocks = read_blocked([])
    assert blocks is not None and blocks.match(call(customer_id="acme")) is None


def test_a_malformed_list_is_ignored() -> None:
    assert read_blocked("nope") is None
    assert read_blocked([{"scope": "x", "until": FUTURE}]) is None
    assert read_blocked([entry({}, until="tomorrow")]) is None


def test_a_scope_with_a_dimension_this_sdk_does_not_know_is_skipped() -> None:
    blocks = read_blocked([entry({"team": "a"}), entry({"agent": "bot"}, name="c")])
    assert blocks is not None
    assert [b.name for b in blocks.budgets] == ["c"]
