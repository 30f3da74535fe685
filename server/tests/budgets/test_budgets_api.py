"""/v1/budgets: create, read, change and delete, with a session or an API key; bad input is a
422 naming the field; another account's budget is 404."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.budgets.helpers import create_budget, spend
from tests.support.factories import SignedInUser, error_of, key_client


def test_a_created_budget_is_answered_with_its_period_spend_and_state(
    user: SignedInUser,
) -> None:
    budget = create_budget(
        user.client,
        scope={"customer_id": "acme"},
        period="week",
        amount_usd="25.00",
        alert_at=[0.8, 0.5],
        enforce=True,
        notify={"emails": ["ops@example.com"]},
    )
    assert budget["name"] == "Acme monthly"
    assert budget["scope"] == {"customer_id": "acme"}
    assert budget["period"] == "week"
    assert budget["amount_usd"] == "25.000000"
    assert budget["alert_at"] == [0.5, 0.8]
    assert budget["enforce"] is True
    assert budget["notify"] == {"emails": ["ops@example.com"], "webhook_url": None}
    assert budget["spent_usd"] == "0.000000"
    assert budget["forecast_usd"] == "0.000000"
    assert budget["projected_exceed_on"] is None
    assert budget["state"] == "ok"
    assert budget["period_start"] < budget["period_end"]
    assert budget["webhook_secret"] is None


def test_an_empty_scope_is_the_whole_account(user: SignedInUser) -> None:
    budget = create_budget(user.client)
    assert budget["scope"] == {}
    assert budget["period"] == "month"
    assert budget["alert_at"] == [0.5, 0.8, 1.0]


def test_a_webhook_secret_is_shown_once_at_creation(user: SignedInUser) -> None:
    budget = create_budget(user.client, notify={"webhook_url": "http://127.0.0.1:9/hook"})
    assert budget["webhook_secret"].startswith("whsec_")
    again = user.client.get(f"/v1/budgets/{budget['id']}").json()
    assert "webhook_secret" not in again


def test_budgets_are_listed_read_changed_and_deleted(user: SignedInUser) -> None:
    first = create_budget(user.client, name="first")
    second = create_budget(user.client, name="second")
    listed = user.client.get("/v1/budgets").json()["budgets"]
    assert [b["name"] for b in listed] == ["first", "second"]

    changed = user.client.patch(
        f"/v1/budgets/{first['id']}", json={"amount_usd": "99.5", "enforce": True}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["amount_usd"] == "99.500000"
    assert changed.json()["enforce"] is True
    assert changed.json()["name"] == "first"

    assert user.client.delete(f"/v1/budgets/{second['id']}").status_code == 204
    assert [b["id"] for b in user.client.get("/v1/budgets").json()["budgets"]] == [first["id"]]
    error_of(user.client.get(f"/v1/budgets/{second['id']}"), 404)


def test_an_api_key_can_manage_budgets(base_url: str, api_key: str) -> None:
    with key_client(base_url, api_key) as client:
        budget = create_budget(client)
        assert client.get(f"/v1/budgets/{budget['id']}").status_code == 200


def test_a_session_without_the_csrf_header_cannot_create_a_budget(
    base_url: str, user: SignedInUser
) -> None:
    client = httpx.Client(base_url=base_url, cookies=user.client.cookies)
    with client:
        response = client.post("/v1/budgets", json={"name": "x", "amount_usd": "1"})
    assert error_of(response, 403)["code"] == "csrf_failed"


def test_another_accounts_budget_is_not_found(user: SignedInUser, other_user: SignedInUser) -> None:
    budget = create_budget(other_user.client)
    path = f"/v1/budgets/{budget['id']}"
    error_of(user.client.get(path), 404)
    error_of(user.client.patch(path, json={"name": "mine now"}), 404)
    error_of(user.client.delete(path), 404)
    assert other_user.client.get(path).json()["name"] == "Acme monthly"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "amount_usd": "-1"}, "amount_usd"),
        ({"name": "x", "amount_usd": "ten"}, "amount_usd"),
        ({"name": "x", "amount_usd": "1", "period": "year"}, "period"),
        ({"name": "", "amount_usd": "1"}, "name"),
        ({"name": "x", "amount_usd": "1", "alert_at": [0]}, "alert_at"),
        ({"name": "x", "amount_usd": "1", "scope": {"team": "a"}}, "scope.team"),
        ({"name": "x", "amount_usd": "1", "notify": {"emails": ["nope"]}}, "notify.emails"),
        (
            {"name": "x", "amount_usd": "1", "notify": {"webhook_url": "ftp://example.com/"}},
            "notify.webhook_url",
        ),
    ],
    ids=[
        "negative",
        "not-a-number",
        "period",
        "empty-name",
        "zero-threshold",
        "scope",
        "email",
        "webhook-scheme",
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    user: SignedInUser, body: dict[str, object], field: str
) -> None:
    error = error_of(user.client.post("/v1/budgets", json=body), 422)
    assert error["message"].startswith(field), error


def test_an_unknown_budget_id_is_not_found_and_a_malformed_one_is_422(
    user: SignedInUser,
) -> None:
    error_of(user.client.get("/v1/budgets/00000000-0000-0000-0000-000000000000"), 404)
    error_of(user.client.get("/v1/budgets/not-an-id"), 422)


def test_a_budgets_spend_counts_only_its_scope_in_its_period(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    budget = create_budget(user.client, scope={"customer_id": "acme"}, amount_usd="10")
    with key_client(base_url, api_key) as client:
        spend(client, "2.50", customer_id="acme")
        spend(client, "1.25", customer_id="acme", agent="bot")
        spend(client, "7.00", customer_id="globex")
        spend(client, "9.00", customer_id="acme", timestamp="2020-01-01T00:00:00Z")
    read = user.client.get(f"/v1/budgets/{budget['id']}").json()
    assert read["spent_usd"] == "3.750000"
    assert read["state"] == "ok"


def test_state_is_alerting_past_the_first_threshold_and_exceeded_at_the_amount(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    budget = create_budget(user.client, amount_usd="10", alert_at=[0.5, 1])
    path = f"/v1/budgets/{budget['id']}"
    with key_client(base_url, api_key) as client:
        spend(client, "5")
        assert user.client.get(path).json()["state"] == "alerting"
        spend(client, "5")
        assert user.client.get(path).json()["state"] == "exceeded"


def a_budget_the_run_rate_uses_up_today(
    user: SignedInUser, base_url: str, api_key: str, scope: dict[str, str] | None = None
) -> Any:
    """A $0.01 daily budget for acme's bot, which spent $10 an hour yesterday."""
    scope = scope or {"customer_id": "acme"}
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT12:00:00Z")
    with key_client(base_url, api_key) as client:
        spend(client, "240", customer_id="acme", agent="bot", timestamp=yesterday)
    return create_budget(user.client, scope=scope, period="day", amount_usd="0.01")


@pytest.mark.parametrize(
    "scope",
    [{"customer_id": "acme"}, {"customer_id": "acme", "agent": "bot"}],  # daily, hourly rollup
    ids=["customer", "customer-and-agent"],
)
def test_a_budget_the_run_rate_will_use_up_says_on_which_day(
    user: SignedInUser, base_url: str, api_key: str, scope: dict[str, str]
) -> None:
    budget = a_budget_the_run_rate_uses_up_today(user, base_url, api_key, scope)
    today = datetime.now(timezone.utc).date().isoformat()
    assert budget["spent_usd"] == "0.000000"
    assert Decimal(budget["forecast_usd"]) > Decimal("0.01")  # today's hours left at $10 each
    assert budget["projected_exceed_on"] == today
    listed = user.client.get("/v1/budgets").json()["budgets"]
    assert listed[0]["projected_exceed_on"] == today


def test_the_budgets_pages_say_when_a_budget_is_projected_to_exceed(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    budget = a_budget_the_run_rate_uses_up_today(user, base_url, api_key)
    today = datetime.now(timezone.utc).date()
    expected = f"projected to exceed on {today:%b} {today.day}"
    assert expected in user.client.get("/budgets").text
    assert expected in user.client.get(f"/budgets/{budget['id']}").text
