"""The read API: /v1/ping, /v1/costs (grouped, ranged, exact money), /v1/runs (paginated) and
/v1/runs/{run_id} (the span tree with cost per span).

Most events here are for a model no catalogue knows, with a client `cost_usd`, so that every
expected amount is exact and known in advance.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.factories import SignedInUser, custom_event, error_of, event, send


def costs(client: httpx.Client, **params: str) -> dict[str, Any]:
    response = client.get("/v1/costs", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def keys_and_costs(report: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(row["key"], row["cost_usd"]) for row in report["rows"]]


def at(day: date, hour: int = 12) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc).isoformat()


def all_spans(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for span in spans:
        found.append(span)
        found.extend(all_spans(span["children"]))
    return found


# --- /v1/ping --------------------------------------------------------------------------------


def test_ping_with_a_key_names_the_account_and_the_key(user: SignedInUser, base_url: str) -> None:
    created = user.client.post("/v1/api-keys", json={"name": "laptop"}).json()
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {created['key']}"}
    ) as keyed:
        response = keyed.get("/v1/ping")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["account"] == {
        "id": user.account_id,
        "name": "Test User's account",
        "subscription_tier": "free",
    }
    assert body["key"] == {"name": "laptop", "prefix": created["prefix"]}


def test_ping_with_a_session_has_no_key(user: SignedInUser) -> None:
    body = user.client.get("/v1/ping").json()
    assert body["ok"] is True
    assert body["account"]["id"] == user.account_id
    assert body["key"] is None


# --- /v1/costs -------------------------------------------------------------------------------


@pytest.fixture
def tagged(keyed: httpx.Client) -> httpx.Client:
    """Four client-priced events across two providers, three models, customers, sections and
    agents; the last one carries no customer, section or agent."""
    send(
        keyed,
        custom_event(
            "0.5",
            provider="custom",
            model="m-a",
            customer_id="c1",
            section="support/x",
            agent="ag1",
            input_tokens=100,
            output_tokens=10,
        ),
        custom_event(
            "0.125",
            provider="custom",
            model="m-b",
            customer_id="c2",
            section="support/y",
            agent="ag2",
            input_tokens=200,
            output_tokens=20,
        ),
        custom_event(
            "0.25",
            provider="other",
            model="m-a",
            customer_id="c1",
            section="support/y",
            agent="ag1",
            input_tokens=300,
            cached_input_tokens=50,
            output_tokens=30,
        ),
        custom_event("0.0625", provider="other", model="m-c", input_tokens=400, output_tokens=40),
    )
    return keyed


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("provider", [("custom", "0.625000"), ("other", "0.312500")]),
        ("model", [("m-a", "0.750000"), ("m-b", "0.125000"), ("m-c", "0.062500")]),
        ("customer", [("c1", "0.750000"), ("c2", "0.125000"), (None, "0.062500")]),
        ("section", [("support/x", "0.500000"), ("support/y", "0.375000"), (None, "0.062500")]),
        ("agent", [("ag1", "0.750000"), ("ag2", "0.125000"), (None, "0.062500")]),
    ],
)
def test_costs_group_by_a_dimension_gives_its_keys_by_cost_descending(
    tagged: httpx.Client, group_by: str, expected: list[tuple[str | None, str]]
) -> None:
    report = costs(tagged, group_by=group_by)
    assert report["group_by"] == group_by
    assert keys_and_costs(report) == expected
    assert report["total_cost_usd"] == "0.937500"
    assert report["total_events"] == 4


def test_costs_group_by_day_keys_rows_by_the_utc_date(keyed: httpx.Client) -> None:
    sent_at = datetime.now(timezone.utc)
    send(keyed, custom_event("0.5", timestamp=sent_at.isoformat()))
    report = costs(keyed, group_by="day")
    assert keys_and_costs(report) == [(sent_at.date().isoformat(), "0.500000")]


def test_an_events_day_is_its_utc_date_whatever_offset_it_was_sent_with(
    keyed: httpx.Client,
) -> None:
    day = datetime.now(timezone.utc).date() - timedelta(days=2)
    new_york_evening = datetime(
        day.year, day.month, day.day, 22, tzinfo=timezone(timedelta(hours=-5))
    )  # 03:00 UTC on the next day, which is yesterday
    send(keyed, custom_event("0.5", timestamp=new_york_evening.isoformat()))
    report = costs(keyed, group_by="day", **{"from": (day - timedelta(days=1)).isoformat()})
    utc_day = new_york_evening.astimezone(timezone.utc).date()
    assert keys_and_costs(report) == [(utc_day.isoformat(), "0.500000")]


def test_costs_default_to_grouping_by_day(tagged: httpx.Client) -> None:
    assert costs(tagged)["group_by"] == "day"


def test_cost_rows_sum_events_and_tokens(tagged: httpx.Client) -> None:
    (m_a, _, _) = costs(tagged, group_by="model")["rows"]
    assert m_a["key"] == "m-a"
    assert m_a["events"] == 2
    assert m_a["input_tokens"] == 400
    assert m_a["cached_input_tokens"] == 50
    assert m_a["output_tokens"] == 40


def test_money_is_an_exact_decimal_string(keyed: httpx.Client) -> None:
    send(keyed, *(custom_event("0.1") for _ in range(3)))
    report = costs(keyed, group_by="model")
    assert report["total_cost_usd"] == "0.300000"  # 0.1 + 0.1 + 0.1, not 0.30000000000000004
    assert keys_and_costs(report) == [("my-model", "0.300000")]


def test_costs_keep_digits_below_a_millionth(keyed: httpx.Client) -> None:
    send(keyed, custom_event("0.00000015"), custom_event("0.00000015"))
    assert costs(keyed)["total_cost_usd"] == "0.0000003"


def test_catalogue_costs_add_up_to_the_span_costs_of_their_runs(keyed: httpx.Client) -> None:
    run_id = f"priced-{uuid.uuid4().hex}"
    send(
        keyed,
        event(run_id=run_id, span_id="a", input_tokens=1234, output_tokens=567),
        event(run_id=run_id, span_id="b", input_tokens=89, output_tokens=10),
        event(
            run_id=run_id,
            span_id="c",
            provider="anthropic",
            model="claude-3-5-sonnet-latest",
            input_tokens=2000,
            output_tokens=300,
        ),
    )
    spans = all_spans(keyed.get(f"/v1/runs/{run_id}").json()["spans"])
    by_model: dict[str, Decimal] = {}
    for span in spans:
        assert span["cost_source"] == "catalog"
        by_model[span["model"]] = by_model.get(span["model"], Decimal(0)) + Decimal(
            span["cost_usd"]
        )
    report = costs(keyed, group_by="model")
    assert {row["key"]: Decimal(row["cost_usd"]) for row in report["rows"]} == by_model
    assert Decimal(report["total_cost_usd"]) == sum(by_model.values())
    assert all(value > 0 for value in by_model.values())


def test_unpriced_events_are_counted_and_cost_nothing(keyed: httpx.Client) -> None:
    send(keyed, event(provider="custom", model="no-price-anywhere"), custom_event("0.5"))
    report = costs(keyed, group_by="model")
    assert report["total_cost_usd"] == "0.500000"
    assert report["unpriced_events"] == 1
    rows = {row["key"]: row for row in report["rows"]}
    assert rows["no-price-anywhere"]["cost_usd"] == "0.000000"
    assert rows["no-price-anywhere"]["unpriced_events"] == 1


def test_an_account_without_events_has_zero_cost_and_no_rows(user: SignedInUser) -> None:
    report = costs(user.client, group_by="model")
    assert (report["total_cost_usd"], report["total_events"], report["rows"]) == (
        "0.000000",
        0,
        [],
    )


def test_cost_rows_are_paginated_with_a_cursor(tagged: httpx.Client) -> None:
    first = costs(tagged, group_by="model", limit="2")
    assert [row["key"] for row in first["rows"]] == ["m-a", "m-b"]
    assert first["next_cursor"]
    second = costs(tagged, group_by="model", limit="2", cursor=first["next_cursor"])
    assert [row["key"] for row in second["rows"]] == ["m-c"]
    assert second["next_cursor"] is None
    assert second["total_cost_usd"] == "0.937500"  # totals cover every row, not just the page


# --- /v1/costs: from / to --------------------------------------------------------------------


@pytest.fixture
def three_days(keyed: httpx.Client) -> tuple[httpx.Client, list[date]]:
    """One event at noon UTC on each of the three days before today: 0.5, 0.25, 0.125."""
    today = datetime.now(timezone.utc).date()
    days = [today - timedelta(days=n) for n in (3, 2, 1)]
    send(
        keyed,
        *(
            custom_event(cost, timestamp=at(day))
            for day, cost in zip(days, ("0.5", "0.25", "0.125"), strict=True)
        ),
    )
    return keyed, days


def test_costs_by_day_come_in_date_order(three_days: tuple[httpx.Client, list[date]]) -> None:
    keyed, days = three_days
    report = costs(keyed, group_by="day")
    assert keys_and_costs(report) == [
        (days[0].isoformat(), "0.500000"),
        (days[1].isoformat(), "0.250000"),
        (days[2].isoformat(), "0.125000"),
    ]


def test_a_date_as_to_includes_that_whole_day(
    three_days: tuple[httpx.Client, list[date]],
) -> None:
    keyed, days = three_days
    report = costs(
        keyed, group_by="day", **{"from": days[1].isoformat(), "to": days[1].isoformat()}
    )
    assert keys_and_costs(report) == [(days[1].isoformat(), "0.250000")]
    assert report["total_cost_usd"] == "0.250000"
    assert datetime.fromisoformat(report["from"]) == datetime.fromisoformat(at(days[1], 0))
    assert datetime.fromisoformat(report["to"]) == datetime.fromisoformat(at(days[2], 0))


def test_from_and_to_select_a_range_of_days(
    three_days: tuple[httpx.Client, list[date]],
) -> None:
    keyed, days = three_days
    report = costs(
        keyed, group_by="day", **{"from": days[1].isoformat(), "to": days[2].isoformat()}
    )
    assert [row["key"] for row in report["rows"]] == [days[1].isoformat(), days[2].isoformat()]
    assert report["total_cost_usd"] == "0.375000"


def test_a_time_as_from_is_inclusive_and_as_to_exclusive(
    three_days: tuple[httpx.Client, list[date]],
) -> None:
    keyed, days = three_days
    report = costs(keyed, group_by="day", **{"from": at(days[0]), "to": at(days[2])})
    assert [row["key"] for row in report["rows"]] == [days[0].isoformat(), days[1].isoformat()]


def test_from_alone_reaches_until_now(three_days: tuple[httpx.Client, list[date]]) -> None:
    keyed, days = three_days
    report = costs(keyed, **{"from": at(days[1], 13)})
    assert keys_and_costs(report) == [(days[2].isoformat(), "0.125000")]


def test_an_invalid_group_by_is_422(keyed: httpx.Client) -> None:
    error = error_of(keyed.get("/v1/costs", params={"group_by": "color"}), 422)
    assert error["code"] == "invalid_request"
    assert "group_by" in error["message"]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-02-30T25:00:00Z"])
def test_an_invalid_from_is_422_and_shows_the_expected_format(
    keyed: httpx.Client, value: str
) -> None:
    error = error_of(keyed.get("/v1/costs", params={"from": value}), 422)
    assert error["code"] == "invalid_request"
    assert "`from`" in error["message"]
    assert "RFC 3339" in error["message"]


def test_an_invalid_to_is_422(keyed: httpx.Client) -> None:
    error = error_of(keyed.get("/v1/costs", params={"to": "soon"}), 422)
    assert "`to`" in error["message"]


def test_from_after_to_is_422(keyed: httpx.Client) -> None:
    response = keyed.get("/v1/costs", params={"from": "2026-03-02", "to": "2026-03-01"})
    error = error_of(response, 422)
    assert error["code"] == "invalid_request"
    assert "before" in error["message"]


# --- /v1/runs --------------------------------------------------------------------------------


def test_runs_list_the_totals_of_each_run(keyed: httpx.Client) -> None:
    run_id = f"run-{uuid.uuid4().hex}"
    send(
        keyed,
        custom_event("0.5", run_id=run_id, span_id="root", name="answer", customer_id="acme"),
        custom_event("0.25", run_id=run_id, parent_span_id="root", status="error", error="timeout"),
    )
    (run,) = keyed.get("/v1/runs").json()["runs"]
    assert run["run_id"] == run_id
    assert run["name"] == "answer"
    assert run["customer_id"] == "acme"
    assert run["events"] == 2
    assert run["errors"] == 1
    assert run["input_tokens"] == 2000
    assert run["output_tokens"] == 200
    assert run["total_cost_usd"] == "0.750000"


def test_runs_are_paginated_newest_first_with_each_run_exactly_once(
    keyed: httpx.Client,
) -> None:
    now = datetime.now(timezone.utc)
    run_ids = [f"page-{n}-{uuid.uuid4().hex[:8]}" for n in range(7)]  # newest first
    send(
        keyed,
        *(
            custom_event("0.01", run_id=run_id, timestamp=(now - timedelta(minutes=n)).isoformat())
            for n, run_id in enumerate(run_ids)
        ),
    )
    seen: list[str] = []
    page_sizes = []
    params: dict[str, str] = {"limit": "3"}
    while True:
        page = keyed.get("/v1/runs", params=params).json()
        page_sizes.append(len(page["runs"]))
        seen.extend(run["run_id"] for run in page["runs"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert page_sizes == [3, 3, 1]
    assert seen == run_ids


def test_runs_starting_at_the_same_instant_are_paged_without_loss_or_repeat(
    keyed: httpx.Client,
) -> None:
    instant = datetime.now(timezone.utc).isoformat()
    run_ids = [f"tie-{n}" for n in range(5)]
    send(keyed, *(custom_event("0.01", run_id=run_id, timestamp=instant) for run_id in run_ids))
    seen: list[str] = []
    params: dict[str, str] = {"limit": "2"}
    while True:
        page = keyed.get("/v1/runs", params=params).json()
        seen.extend(run["run_id"] for run in page["runs"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == run_ids
    assert len(seen) == len(run_ids)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "bm90IGpzb24",  # base64 of "not json"
        "eyJhIjogMX0",  # base64 of {"a": 1}
        "WyJub3QgYSB0aW1lIiwgInJ1biJd",  # base64 of ["not a time", "run"]
        "WyJvZmZzZXQiLCAzXQ",  # base64 of ["offset", 3]: a /v1/costs cursor
    ],
    ids=["not-base64", "not-json", "not-a-list", "not-a-time", "other-endpoint"],
)
def test_a_cursor_this_api_never_returned_is_400_invalid_cursor(
    keyed: httpx.Client, cursor: str
) -> None:
    error = error_of(keyed.get("/v1/runs", params={"cursor": cursor}), 400)
    assert error["code"] == "invalid_cursor"


def test_a_garbage_costs_cursor_is_400_invalid_cursor(keyed: httpx.Client) -> None:
    error = error_of(keyed.get("/v1/costs", params={"cursor": "garbage!"}), 400)
    assert error["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "501", "many"])
def test_an_out_of_range_limit_is_422(keyed: httpx.Client, limit: str) -> None:
    error = error_of(keyed.get("/v1/runs", params={"limit": limit}), 422)
    assert "limit" in error["message"]


def test_runs_can_be_filtered_by_customer(keyed: httpx.Client) -> None:
    send(
        keyed,
        custom_event("0.1", run_id="for-acme-1", customer_id="acme"),
        custom_event("0.1", run_id="for-acme-2", customer_id="acme"),
        custom_event("0.1", run_id="for-globex", customer_id="globex"),
        custom_event("0.1", run_id="for-nobody"),
    )
    runs = keyed.get("/v1/runs", params={"customer_id": "acme"}).json()["runs"]
    assert sorted(run["run_id"] for run in runs) == ["for-acme-1", "for-acme-2"]
    assert all(run["customer_id"] == "acme" for run in runs)
    none = keyed.get("/v1/runs", params={"customer_id": "initech"}).json()
    assert none == {"runs": [], "next_cursor": None}


def test_runs_can_be_filtered_by_start_time(keyed: httpx.Client) -> None:
    today = datetime.now(timezone.utc).date()
    send(
        keyed,
        custom_event("0.1", run_id="old", timestamp=at(today - timedelta(days=2))),
        custom_event("0.1", run_id="recent", timestamp=at(today - timedelta(days=1))),
    )
    since = (today - timedelta(days=1)).isoformat()
    runs = keyed.get("/v1/runs", params={"from": since}).json()["runs"]
    assert [run["run_id"] for run in runs] == ["recent"]
    until = (today - timedelta(days=2)).isoformat()
    runs = keyed.get("/v1/runs", params={"to": until}).json()["runs"]
    assert [run["run_id"] for run in runs] == ["old"]


# --- /v1/runs/{run_id} -----------------------------------------------------------------------


def test_a_run_has_its_span_tree_with_cost_per_span_and_subtree(keyed: httpx.Client) -> None:
    run_id = f"tree-{uuid.uuid4().hex}"
    send(
        keyed,
        custom_event("0.5", run_id=run_id, span_id="root", name="agent"),
        custom_event("0.25", run_id=run_id, span_id="child", parent_span_id="root"),
        custom_event("0.125", run_id=run_id, span_id="grandchild", parent_span_id="child"),
        custom_event("0.0625", run_id=run_id, span_id="orphan", parent_span_id="never-arrived"),
    )
    run = keyed.get(f"/v1/runs/{run_id}").json()
    assert run["run_id"] == run_id
    assert run["name"] == "agent"
    assert run["total_cost_usd"] == "0.937500"
    assert run["events"] == 4

    root, orphan = sorted(run["spans"], key=lambda span: span["span_id"] != "root")
    assert (root["span_id"], root["parent_span_id"]) == ("root", None)
    (child,) = root["children"]
    (grandchild,) = child["children"]
    assert (child["span_id"], child["parent_span_id"]) == ("child", "root")
    assert (grandchild["span_id"], grandchild["parent_span_id"]) == ("grandchild", "child")
    assert grandchild["children"] == []

    # A span whose parent never arrived is kept, at the top level, with its parent id.
    assert (orphan["span_id"], orphan["parent_span_id"]) == ("orphan", "never-arrived")
    assert orphan["children"] == []

    own_and_total = {
        span["span_id"]: (span["cost_usd"], span["total_cost_usd"])
        for span in (root, child, grandchild, orphan)
    }
    assert own_and_total == {
        "root": ("0.500000", "0.875000"),
        "child": ("0.250000", "0.375000"),
        "grandchild": ("0.125000", "0.125000"),
        "orphan": ("0.062500", "0.062500"),
    }
    assert sum(Decimal(span["total_cost_usd"]) for span in run["spans"]) == Decimal(
        run["total_cost_usd"]
    )


def test_a_span_describes_its_call(keyed: httpx.Client) -> None:
    run_id = f"described-{uuid.uuid4().hex}"
    event_id = str(uuid.uuid4())
    send(
        keyed,
        custom_event(
            "0.125",
            id=event_id,
            run_id=run_id,
            span_id="only",
            name="summarize",
            operation="chat",
            input_tokens=120,
            output_tokens=30,
            customer_id="acme",
            section="support/summary",
            agent="writer",
            status="error",
            error="rate limited",
            duration_ms=250,
        ),
    )
    (span,) = keyed.get(f"/v1/runs/{run_id}").json()["spans"]
    assert span["event_id"] == event_id
    assert span["name"] == "summarize"
    assert (span["provider"], span["model"], span["operation"]) == ("custom", "my-model", "chat")
    assert (span["cost_usd"], span["cost_source"]) == ("0.125000", "client")
    assert (span["input_tokens"], span["output_tokens"]) == (120, 30)
    assert (span["customer_id"], span["section"], span["agent"]) == (
        "acme",
        "support/summary",
        "writer",
    )
    assert (span["status"], span["error"]) == ("error", "rate limited")
    assert span["duration_ms"] == 250


def test_a_run_lasts_from_its_first_start_to_its_last_end(keyed: httpx.Client) -> None:
    run_id = f"timed-{uuid.uuid4().hex}"
    start = datetime.now(timezone.utc) - timedelta(minutes=5)
    send(
        keyed,
        custom_event("0.1", run_id=run_id, timestamp=start.isoformat(), duration_ms=100),
        custom_event(
            "0.1",
            run_id=run_id,
            timestamp=(start + timedelta(seconds=2)).isoformat(),
            duration_ms=500,
        ),
    )
    run = keyed.get(f"/v1/runs/{run_id}").json()
    assert run["duration_ms"] == 2500
    assert datetime.fromisoformat(run["started_at"]) == start


def test_an_event_without_run_id_is_a_run_of_its_own_named_by_the_event_id(
    keyed: httpx.Client,
) -> None:
    event_id = str(uuid.uuid4())
    send(keyed, custom_event("0.125", id=event_id, span_id="lonely"))
    runs = keyed.get("/v1/runs").json()["runs"]
    assert [run["run_id"] for run in runs] == [event_id]
    run = keyed.get(f"/v1/runs/{event_id}").json()
    assert run["total_cost_usd"] == "0.125000"
    assert [span["span_id"] for span in run["spans"]] == ["lonely"]


def test_an_event_without_span_id_still_appears_in_its_run(keyed: httpx.Client) -> None:
    run_id = f"unspanned-{uuid.uuid4().hex}"
    with_span, without_span = str(uuid.uuid4()), str(uuid.uuid4())
    send(
        keyed,
        custom_event("0.5", id=with_span, run_id=run_id, span_id="root"),
        custom_event("0.25", id=without_span, run_id=run_id),
        custom_event("0.125", run_id=run_id),
    )
    run = keyed.get(f"/v1/runs/{run_id}").json()
    spans = all_spans(run["spans"])
    assert len(spans) == 3
    (unspanned,) = (span for span in spans if span["event_id"] == without_span)
    assert unspanned["span_id"]
    assert unspanned["cost_usd"] == "0.250000"
    assert len({span["span_id"] for span in spans}) == 3  # each gets a span id of its own
    assert run["total_cost_usd"] == "0.875000"


def test_an_unknown_run_is_404(keyed: httpx.Client) -> None:
    error = error_of(keyed.get(f"/v1/runs/no-such-run-{uuid.uuid4().hex}"), 404)
    assert error["code"] == "not_found"
    assert "Run" in error["message"]


def test_run_ids_with_url_special_characters_can_be_read(keyed: httpx.Client) -> None:
    run_id = "nightly/job 42: résumé+?#%"
    send(keyed, custom_event("0.1", run_id=run_id))
    response = keyed.get(f"/v1/runs/{quote(run_id, safe='')}")
    assert response.status_code == 200, response.text
    assert response.json()["run_id"] == run_id


# --- reads with a session --------------------------------------------------------------------


def test_costs_and_runs_are_readable_with_the_session_cookie(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    run_id = f"session-{uuid.uuid4().hex}"
    send(keyed, custom_event("0.125", run_id=run_id, span_id="root"))
    del user.client.headers["X-CSRF-Token"]  # reads need no CSRF token
    assert costs(user.client, group_by="model")["total_cost_usd"] == "0.125000"
    runs = user.client.get("/v1/runs").json()["runs"]
    assert [run["run_id"] for run in runs] == [run_id]
    run = user.client.get(f"/v1/runs/{run_id}").json()
    assert [span["span_id"] for span in run["spans"]] == ["root"]
