"""Only staff can tell that /admin exists: everybody else gets the ordinary 404 page there."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.factories import SignedInUser

NO_SUCH_ACCOUNT = uuid.UUID("3f0b6c1e-7d2a-4e59-8c41-9a6d2e7b5f10")  # fixed: test ids must not vary
CONSOLE_URLS = (
    "/admin",
    "/admin/",
    "/admin/accounts",
    "/admin/accounts?q=acme&tier=pro",
    f"/admin/accounts/{NO_SUCH_ACCOUNT}",
    "/admin/accounts/not-an-id",
    "/admin/accounts/x/disable",  # a POST-only route: no 405 either
    "/admin/no-such-page",
)
CONSOLE_FORMS = ("/admin/accounts/{id}/disable", "/admin/accounts/{id}/enable")


def the_missing_page(client: httpx.Client) -> str:
    response = client.get("/no-such-page-anywhere")
    assert response.status_code == 404
    return response.text


@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_signed_out_visitors_get_the_ordinary_404_on_every_admin_url(
    anonymous: httpx.Client, url: str
) -> None:
    response = anonymous.get(url)

    assert response.status_code == 404
    assert response.text == the_missing_page(anonymous)


@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_signed_in_users_who_are_not_staff_get_the_ordinary_404(
    user: SignedInUser, url: str
) -> None:
    response = user.client.get(url)

    assert response.status_code == 404
    assert response.text == the_missing_page(user.client)


@pytest.mark.parametrize("form", CONSOLE_FORMS)
def test_a_non_staff_post_with_a_valid_csrf_token_is_a_404_and_changes_nothing(
    user: SignedInUser, form: str
) -> None:
    url = form.format(id=user.account_id)
    response = user.client.post(url, data={"csrf_token": user.csrf_token, "reason": "x"})

    assert response.status_code == 404
    assert user.client.get("/v1/ping").status_code == 200  # session still fine
    key = user.create_key()
    ping = httpx.get(f"{user.client.base_url}/v1/ping", headers={"Authorization": f"Bearer {key}"})
    assert ping.status_code == 200  # the account was not disabled


def test_other_methods_are_404_too(anonymous: httpx.Client, user: SignedInUser) -> None:
    for client in (anonymous, user.client):
        for method in ("PUT", "DELETE", "PATCH"):
            assert client.request(method, "/admin").status_code == 404


def test_the_sidebar_shows_the_console_to_staff_only(
    staff: SignedInUser, user: SignedInUser
) -> None:
    assert 'href="/admin"' in staff.client.get("/").text
    assert 'href="/admin"' not in user.client.get("/").text


def test_staff_see_the_console_and_its_account_list(staff: SignedInUser) -> None:
    overview = staff.client.get("/admin")
    accounts = staff.client.get("/admin/accounts", params={"q": staff.email})

    assert overview.status_code == 200 and "Operator console" in overview.text
    assert "MRR" in overview.text and "Near or over quota" in overview.text
    assert accounts.status_code == 200
    assert f'data-account-row="{staff.account_id}"' in accounts.text


@pytest.mark.parametrize(
    "url", [f"/admin/accounts/{NO_SUCH_ACCOUNT}", "/admin/accounts/not-an-id", "/admin/nothing"]
)
def test_staff_get_a_404_for_an_account_or_page_that_does_not_exist(
    staff: SignedInUser, url: str
) -> None:
    assert staff.client.get(url).status_code == 404


def test_odd_search_parameters_never_fail(staff: SignedInUser) -> None:
    for params in (
        {"page": "-3"},
        {"page": "99999999999999"},
        {"tier": "gold", "status": "weird"},
        {"q": "%_\\' OR 1=1 --" * 30},
    ):
        assert staff.client.get("/admin/accounts", params=params).status_code == 200
