"""Staff actions on an account: disable (its keys get 403) and enable, change its plan."""

from __future__ import annotations

import httpx

from llmobserve_server.testing import RunningServer
from tests.admin.conftest import make_staff
from tests.support.accounts_db import count, uuid_param
from tests.support.factories import SignedInUser, error_of, event, key_client, sign_up
from tests.support.mail import Mailbox


def audited(server: RunningServer, account_id: str, action: str, actor: str) -> int:
    """How many of the account's audit rows are `action` by the user with email `actor`."""
    return count(
        server,
        "SELECT count(*) FROM audit_events "
        "WHERE account_id = :id AND action = :action AND actor_email = :actor",
        id=uuid_param(server, account_id),
        action=action,
        actor=actor,
    )


def post_form(staff: SignedInUser, url: str, **fields: str) -> httpx.Response:
    return staff.client.post(url, data={"csrf_token": staff.csrf_token, **fields})


def disable(staff: SignedInUser, account_id: str, reason: str = "abuse report") -> None:
    response = post_form(staff, f"/admin/accounts/{account_id}/disable", reason=reason)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/admin/accounts/{account_id}"


def enable(staff: SignedInUser, account_id: str) -> None:
    response = post_form(staff, f"/admin/accounts/{account_id}/enable")
    assert response.status_code == 303, response.text


def test_a_disabled_account_s_keys_get_403_then_work_again_once_enabled(
    staff: SignedInUser, user: SignedInUser, base_url: str
) -> None:
    with key_client(base_url, user.create_key()) as keyed:
        disable(staff, user.account_id)

        refused = keyed.post("/v1/events", json={"events": [event()]})
        error = error_of(refused, 403)
        assert error["code"] == "account_disabled"
        assert "Contact the operator" in error["message"]
        assert error_of(keyed.get("/v1/ping"), 403)["code"] == "account_disabled"
        assert user.client.get("/v1/usage").json()["used"] == 0  # nothing stored or counted

        enable(staff, user.account_id)

        accepted = keyed.post("/v1/events", json={"events": [event()]})
        assert accepted.status_code == 200 and accepted.json()["accepted"] == 1


def test_the_account_s_audit_log_says_which_staff_member_disabled_and_enabled_it(
    server: RunningServer, staff: SignedInUser, user: SignedInUser
) -> None:
    disable(staff, user.account_id, reason="secret note")
    enable(staff, user.account_id)
    post_form(staff, f"/admin/accounts/{user.account_id}/tier", tier="pro")

    for action in ("account_disabled", "account_enabled", "plan_changed"):
        assert audited(server, user.account_id, action, staff.email) == 1, action
    details = count(
        server,
        "SELECT count(*) FROM audit_events WHERE account_id = :id AND details IS NOT NULL "
        "AND action = 'account_disabled'",
        id=uuid_param(server, user.account_id),
    )
    assert details == 0  # the staff-only reason stays out of the owners' log


def test_members_of_a_disabled_account_can_sign_in_and_read_under_a_banner(
    staff: SignedInUser, user: SignedInUser
) -> None:
    disable(staff, user.account_id, reason="internal note: chargeback")

    page = user.client.get("/settings/api-keys")
    assert page.status_code == 200
    assert "data-account-disabled" in page.text and "Contact the operator" in page.text
    assert "chargeback" not in page.text  # the reason is for staff only
    assert user.client.get("/v1/costs", params={"group_by": "day"}).status_code == 200

    enable(staff, user.account_id)
    assert "data-account-disabled" not in user.client.get("/settings/api-keys").text


def test_the_console_shows_the_account_as_disabled_with_its_reason(
    staff: SignedInUser, user: SignedInUser
) -> None:
    disable(staff, user.account_id, reason="chargeback   #42")

    page = staff.client.get(f"/admin/accounts/{user.account_id}")
    assert "data-disabled-notice" in page.text and "chargeback #42" in page.text
    listed = staff.client.get("/admin/accounts", params={"status": "disabled", "q": user.email})
    assert f'data-account-row="{user.account_id}"' in listed.text


def test_staff_forms_without_the_csrf_token_are_refused(
    staff: SignedInUser, user: SignedInUser
) -> None:
    response = staff.client.post(
        f"/admin/accounts/{user.account_id}/disable",
        data={"reason": "x"},
        headers={"X-CSRF-Token": ""},
    )

    assert response.status_code == 403
    assert user.client.get("/v1/ping").status_code == 200
    assert "data-account-disabled" not in user.client.get("/").text


def test_staff_change_an_account_s_plan(staff: SignedInUser, user: SignedInUser) -> None:
    response = post_form(staff, f"/admin/accounts/{user.account_id}/tier", tier="pro")

    assert response.status_code == 303
    assert user.client.get("/v1/ping").json()["account"]["subscription_tier"] == "pro"
    page = staff.client.get(response.headers["location"])
    assert "is now on the Pro plan" in page.text


def test_staff_put_an_account_on_the_self_hosted_plan_and_back(
    staff: SignedInUser, user: SignedInUser
) -> None:
    page = staff.client.get(f"/admin/accounts/{user.account_id}").text
    assert 'value="self_hosted"' in page  # offered by the console's plan form
    response = post_form(staff, f"/admin/accounts/{user.account_id}/tier", tier="self_hosted")
    assert response.status_code == 303
    assert user.client.get("/v1/ping").json()["account"]["subscription_tier"] == "self_hosted"
    assert "is now on the Self-hosted plan" in staff.client.get(response.headers["location"]).text
    post_form(staff, f"/admin/accounts/{user.account_id}/tier", tier="free")
    assert user.client.get("/v1/ping").json()["account"]["subscription_tier"] == "free"


def test_an_unknown_plan_is_refused_with_a_message_and_nothing_changes(
    staff: SignedInUser, user: SignedInUser
) -> None:
    response = post_form(staff, f"/admin/accounts/{user.account_id}/tier", tier="gold")

    assert response.status_code == 303
    assert "Unknown tier" in staff.client.get(response.headers["location"]).text
    assert user.client.get("/v1/ping").json()["account"]["subscription_tier"] == "free"


def test_a_plan_change_from_the_console_emails_the_owners(
    mail_server: RunningServer, mailbox: Mailbox
) -> None:
    owner = sign_up(mail_server.base_url)
    staff = make_staff(mail_server, sign_up(mail_server.base_url))

    response = post_form(staff, f"/admin/accounts/{owner.account_id}/tier", tier="enterprise")

    assert response.status_code == 303
    assert "Enterprise plan" in str(mailbox.wait_for(owner.email)["Subject"])
    owner.client.close()
    staff.client.close()
