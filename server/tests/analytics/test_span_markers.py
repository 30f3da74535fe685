"""One definition of "events" (billing.quota.is_counted): the SDK's run, section and agent span
markers structure a run but are no events in the usage meter, the cost tables, the dashboard
totals or the runs list, and they make no "Unknown provider $0.00" row."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from tests.support.factories import SignedInUser, event, send

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def marker(operation: str, run_id: str, span_id: str, **fields: Any) -> dict[str, Any]:
    """What the SDK sends when a `run`, `section` or `agent` span closes: no usage at all."""
    return {
        "id": str(uuid.uuid4()),
        "timestamp": NOW.isoformat(),
        "operation": operation,
        "name": operation,
        "run_id": run_id,
        "span_id": span_id,
        "duration_ms": 12,
        **fields,
    }


def send_a_run_with_markers(keyed: httpx.Client) -> str:
    """A run: its run marker, a section marker and an agent marker around two LLM calls."""
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    send(
        keyed,
        marker("run", run_id, "r1"),
        marker("section", run_id, "s1", parent_span_id="r1", section="support"),
        marker("agent", run_id, "a1", parent_span_id="s1", section="support", agent="bot"),
        event(run_id=run_id, span_id="c1", parent_span_id="a1", section="support", agent="bot"),
        event(run_id=run_id, span_id="c2", parent_span_id="a1", section="support", agent="bot"),
    )
    return run_id


def costs(user: SignedInUser, group_by: str) -> dict[str, Any]:
    day = timedelta(days=1)
    response = user.client.get(
        "/v1/costs",
        params={
            "group_by": group_by,
            "from": (NOW - day).isoformat(),
            "to": (NOW + day).isoformat(),
        },
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_markers_are_not_events_in_the_cost_tables(user: SignedInUser, keyed: httpx.Client) -> None:
    send_a_run_with_markers(keyed)
    report = costs(user, "provider")
    assert [(row["key"], row["events"]) for row in report["rows"]] == [("openai", 2)]


def test_markers_make_no_unknown_provider_row(user: SignedInUser, keyed: httpx.Client) -> None:
    send_a_run_with_markers(keyed)
    for group_by in ("provider", "model", "section", "agent", "day"):
        assert sum(row["events"] for row in costs(user, group_by)["rows"]) == 2, group_by
        assert None not in [row["key"] for row in costs(user, "provider")["rows"]]


def test_the_runs_list_counts_the_same_events_as_the_meter(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    run_id = send_a_run_with_markers(keyed)
    runs = user.client.get("/v1/runs").json()
    (run,) = [item for item in runs["runs"] if item["run_id"] == run_id]
    assert run["events"] == 2
    assert "2 of 10,000 events" in user.client.get("/settings/billing").text.replace(
        "<strong>", ""
    ).replace("</strong>", "")


def test_a_run_made_only_of_markers_still_appears_with_no_events(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    send(keyed, marker("run", run_id, "r1"))
    detail = user.client.get(f"/v1/runs/{run_id}")
    assert detail.status_code == 200, detail.text
    assert costs(user, "provider")["rows"] == []


def test_a_marker_that_carries_usage_is_an_event(user: SignedInUser, keyed: httpx.Client) -> None:
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    send(keyed, marker("run", run_id, "r1", provider="acme-ocr", cost_usd="0.5"))
    assert [(row["key"], row["events"]) for row in costs(user, "provider")["rows"]] == [
        ("acme-ocr", 1)
    ]
