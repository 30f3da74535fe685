"""/settings/prices over HTTP, and /v1/prices: add, edit, delete, validation, unpriced models,
and that a saved price prices the events received afterwards (only those)."""

from __future__ import annotations

import re

import httpx

from tests.support.factories import SignedInUser, custom_event, error_of, event, send

PRICE = {"provider": "acme-ai", "model": "acme-large", "input_mtok": "2.50", "output_mtok": "10"}


def post_price(user: SignedInUser, **fields: str) -> httpx.Response:
    return user.client.post("/settings/prices", data={"csrf_token": user.csrf_token, **fields})


def test_prices_page_without_prices_explains_what_they_are(user: SignedInUser) -> None:
    response = user.client.get("/settings/prices")
    assert response.status_code == 200
    assert "No prices of your own yet" in response.text
    assert "received <strong>after</strong> you save it" in response.text


def test_a_price_is_added_edited_and_deleted(user: SignedInUser) -> None:
    response = post_price(user, **PRICE)
    assert response.status_code == 303
    page = user.client.get("/settings/prices").text
    assert "Price for acme-ai / acme-large added." in page
    assert "$2.50" in page and "$10.00" in page
    edit = user.client.get(
        "/settings/prices", params={"provider": "acme-ai", "model": "acme-large"}
    )
    assert "Edit price" in edit.text and 'value="2.50"' in edit.text
    post_price(user, **{**PRICE, "input_mtok": "3", "cached_input_mtok": "0.3"})
    (saved,) = user.client.get("/v1/prices").json()["prices"]
    assert (saved["input_mtok"], saved["cached_input_mtok"]) == ("3.000000", "0.300000")
    response = user.client.post(
        f"/settings/prices/{saved['id']}/delete", data={"csrf_token": user.csrf_token}
    )
    assert response.status_code == 303
    assert user.client.get("/v1/prices").json()["prices"] == []


def test_wrong_prices_get_messages_next_to_their_fields_and_keep_the_input(
    user: SignedInUser,
) -> None:
    response = post_price(
        user,
        provider="acme-ai",
        model="",
        input_mtok="-1",
        output_mtok="abc",
        cached_input_mtok="0.00000000001",
    )
    assert response.status_code == 200
    page = response.text
    assert 'id="field-model-error"' in page
    assert "Input price cannot be negative." in page
    assert "Output price must be a number of dollars" in page
    assert "at most 10 decimal places" in page
    assert 'value="acme-ai"' in page and 'value="-1"' in page and 'value="abc"' in page
    assert user.client.get("/v1/prices").json()["prices"] == []


def test_a_form_without_csrf_is_refused(user: SignedInUser) -> None:
    user.client.headers.pop("X-CSRF-Token")
    response = user.client.post("/settings/prices", data=PRICE)
    assert response.status_code == 403


def test_models_without_a_price_are_listed_with_an_add_button(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        event(provider="acme-ai", model="acme-large"),
        event(provider="acme-ai", model="acme-large"),
    )
    page = user.client.get("/settings/prices").text
    assert "Models without a price" in page
    assert "/settings/prices?provider=acme-ai&amp;model=acme-large#price-form" in page
    prefilled = user.client.get("/settings/prices?provider=acme-ai&model=acme-large").text
    assert 'value="acme-large"' in prefilled and "Add a price" in prefilled
    post_price(user, **PRICE)
    assert "Models without a price" not in user.client.get("/settings/prices").text


def test_a_price_costs_new_events_and_leaves_stored_ones(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, event(provider="acme-ai", model="acme-large", run_id="before"))
    post_price(user, **PRICE)
    send(
        keyed,
        event(
            provider="acme-ai",
            model="acme-large",
            run_id="after",
            input_tokens=1_000_000,
            output_tokens=100_000,
        ),
    )
    costs = {r["run_id"]: r["total_cost_usd"] for r in keyed.get("/v1/runs").json()["runs"]}
    assert costs == {"before": "0.000000", "after": "3.500000"}


def test_another_accounts_prices_are_invisible_and_cannot_be_deleted(
    user: SignedInUser, other_user: SignedInUser
) -> None:
    post_price(other_user, **{**PRICE, "model": "their-secret-model"})
    (theirs,) = other_user.client.get("/v1/prices").json()["prices"]
    assert "their-secret-model" not in user.client.get("/settings/prices").text
    assert user.client.get("/v1/prices").json()["prices"] == []
    response = user.client.post(
        f"/settings/prices/{theirs['id']}/delete", data={"csrf_token": user.csrf_token}
    )
    assert response.status_code == 404
    error_of(user.client.delete(f"/v1/prices/{theirs['id']}"), 404)
    assert len(other_user.client.get("/v1/prices").json()["prices"]) == 1


def test_the_api_creates_replaces_and_deletes_prices_with_a_key(keyed: httpx.Client) -> None:
    created = keyed.post("/v1/prices", json={"model": "m", "input_mtok": "1", "output_mtok": 2})
    assert created.status_code == 201, created.text
    assert created.json()["provider"] == "" and created.json()["output_mtok"] == "2.000000"
    replaced = keyed.post("/v1/prices", json={"model": "m", "input_mtok": "1.5", "output_mtok": 2})
    assert replaced.status_code == 200 and replaced.json()["id"] == created.json()["id"]
    error = error_of(keyed.post("/v1/prices", json={"model": "m", "input_mtok": "-1"}), 422)
    assert error["code"] == "invalid_price" and "negative" in error["message"]
    assert keyed.delete(f"/v1/prices/{created.json()['id']}").status_code == 204
    assert keyed.get("/v1/prices").json() == {"prices": [], "unpriced_models": []}


def test_events_priced_by_the_client_are_not_listed_as_unpriced(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("0.01"))
    assert user.client.get("/v1/prices").json()["unpriced_models"] == []
    assert re.search("Models without a price", user.client.get("/settings/prices").text) is None


def test_a_nul_character_in_a_price_is_422_and_nothing_is_saved(user: SignedInUser) -> None:
    price = {"provider": "acme\0", "model": "m\0", "input_mtok": "1", "output_mtok": "2"}
    response = user.client.post("/v1/prices", json=price)
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["error"]["message"]
    assert user.client.get("/v1/prices").json()["prices"] == []
