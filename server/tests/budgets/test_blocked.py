"""Blocked scopes: an enforced budget at its amount is listed in every /v1/events answer and at
GET /v1/budgets/blocked until its period ends, or until its amount is raised."""

from __future__ import annotations

from tests.budgets.helpers import create_budget, spend
from tests.support.factories import SignedInUser, key_client


def test_an_account_without_budgets_gets_the_answer_it_always_got(
    base_url: str, api_key: str
) -> None:
    with key_client(base_url, api_key) as client:
        assert spend(client, "1") == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_an_account_with_budgets_learns_its_blocked_list_on_every_batch(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    create_budget(user.client, scope={"customer_id": "acme"}, amount_usd="1", enforce=True)
    with key_client(base_url, api_key) as client:
        assert spend(client, "0.25", customer_id="acme")["budgets_blocked"] == []


def test_an_enforced_budget_at_its_amount_blocks_its_scope_until_the_period_ends(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    budget = create_budget(
        user.client, scope={"customer_id": "acme"}, period="day", amount_usd="1", enforce=True
    )
    with key_client(base_url, api_key) as client:
        spend(client, "0.60", customer_id="acme")
        answer = spend(client, "0.40", customer_id="acme")
        expected = [
            {
                "budget_id": budget["id"],
                "name": "Acme monthly",
                "scope": {"customer_id": "acme"},
                "until": budget["period_end"],
            }
        ]
        assert answer["budgets_blocked"] == expected
        assert spend(client, "0.01", customer_id="globex")["budgets_blocked"] == expected
        assert client.get("/v1/budgets/blocked").json() == {"budgets_blocked": expected}


def test_a_budget_that_is_not_enforced_never_blocks(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    create_budget(user.client, amount_usd="1", enforce=False)
    with key_client(base_url, api_key) as client:
        assert spend(client, "5")["budgets_blocked"] == []


def test_raising_the_amount_lifts_the_block(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    budget = create_budget(user.client, amount_usd="1", enforce=True)
    with key_client(base_url, api_key) as client:
        assert len(spend(client, "1")["budgets_blocked"]) == 1
        user.client.patch(f"/v1/budgets/{budget['id']}", json={"amount_usd": "100"})
        assert spend(client, "1")["budgets_blocked"] == []
        assert client.get("/v1/budgets/blocked").json() == {"budgets_blocked": []}


def test_a_budget_created_over_its_amount_blocks_at_once(
    user: SignedInUser, base_url: str, api_key: str
) -> None:
    with key_client(base_url, api_key) as client:
        spend(client, "3", customer_id="acme")
        create_budget(user.client, scope={"customer_id": "acme"}, amount_usd="2", enforce=True)
        response = client.get("/v1/budgets/blocked")
        assert response.status_code == 200, response.text
        blocked = response.json()["budgets_blocked"]
    assert [b["scope"] for b in blocked] == [{"customer_id": "acme"}]
