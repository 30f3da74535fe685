"""What the audit log records, and the owners-only /settings/audit page over HTTP."""

from __future__ import annotations

import html
import re
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy.orm import Session

from llmobserve_server.db.models import AuditEvent
from llmobserve_server.testing import RunningServer
from tests.quota.test_set_tier import set_tier_cli
from tests.support.accounts_db import connect, count, execute, uuid_param
from tests.support.factories import PASSWORD, SignedInUser, sign_up, unique_email

PAGE = "/settings/audit"


def address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}"


def rows(page: str) -> list[str]:
    """The text of each table row of the audit page, tags stripped."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [
        html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def log_of(user: SignedInUser, **params: str) -> list[str]:
    response = user.client.get(PAGE, params=params)
    assert response.status_code == 200, response.text
    return rows(response.text)


def sign_in(client: httpx.Client, email: str, password: str, ip: str) -> httpx.Response:
    return client.post(
        "/v1/auth/sign-in",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": ip, "User-Agent": "audit-test/1.0"},
    )


def test_sign_ins_and_failures_are_recorded_with_who_and_ip(
    user: SignedInUser, anonymous: httpx.Client
) -> None:
    good, bad = address(), address()
    assert sign_in(anonymous, user.email, "wrong password!", bad).status_code == 401
    assert sign_in(anonymous, user.email, PASSWORD, good).status_code == 200
    log = log_of(user)
    assert any("Signed in" in row and user.email in row and good in row for row in log), log
    assert any("Sign-in failed" in row and user.email in row and bad in row for row in log), log
    assert any("Account created" in row for row in log), log


def test_a_failure_for_an_unknown_email_is_recorded_nowhere(
    server: RunningServer, anonymous: httpx.Client
) -> None:
    email = unique_email("nobody")
    assert sign_in(anonymous, email, "wrong password!", address()).status_code == 401
    assert count(server, "SELECT count(*) FROM audit_events WHERE actor_email = :e", e=email) == 0


def test_five_failures_record_that_sign_ins_are_paused_once(
    user: SignedInUser, anonymous: httpx.Client
) -> None:
    for _ in range(5):
        sign_in(anonymous, user.email, "wrong password!", address())
    for _ in range(3):  # refused while paused: not logged one by one
        assert sign_in(anonymous, user.email, PASSWORD, address()).status_code == 429
    log = log_of(user)
    assert sum("Sign-in failed" in row for row in log) == 5
    assert sum("Sign-ins paused" in row for row in log) == 1


def test_api_keys_created_and_revoked_are_recorded_without_the_key(user: SignedInUser) -> None:
    created = user.client.post("/v1/api-keys", json={"name": "ci runner"})
    key = created.json()["key"]
    assert user.client.delete(f"/v1/api-keys/{created.json()['id']}").status_code == 204
    page = user.client.get(PAGE).text
    log = rows(page)
    assert any("API key created" in row and "ci runner" in row for row in log), log
    assert any("API key revoked" in row and "ci runner" in row for row in log), log
    assert key not in page and key[len("llmo_sk_") + 4 : -4] not in page


def test_revoking_a_key_again_records_nothing_more(user: SignedInUser) -> None:
    created = user.client.post("/v1/api-keys", json={"name": "twice"})
    for _ in range(2):
        assert user.client.delete(f"/v1/api-keys/{created.json()['id']}").status_code == 204
    log = log_of(user)
    assert sum("API key revoked" in row and "twice" in row for row in log) == 1, log


def test_a_password_change_is_recorded_in_every_account_of_the_user(user: SignedInUser) -> None:
    page = user.client.get("/settings/profile").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = user.client.post(
        "/settings/profile/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a new passphrase!",
        },
    )
    assert response.status_code == 303
    assert any("Password changed" in row for row in log_of(user))


def test_plan_changes_by_the_command_line_are_recorded(
    server: RunningServer, user: SignedInUser
) -> None:
    code, _out, err = set_tier_cli(server, "--email", user.email, "--tier", "pro")
    assert code == 0, err
    log = log_of(user, action="plan_changed")
    assert len(log) == 1
    assert "Command line" in log[0] and "Pro" in log[0] and "from: free" in log[0], log


def test_the_log_is_filtered_by_action_and_date(user: SignedInUser) -> None:
    user.create_key("filtered")
    assert all("API key created" in row for row in log_of(user, action="api_key_created"))
    today = datetime.now(timezone.utc).date()
    assert log_of(user, action="api_key_created", **{"from": today.isoformat()})
    tomorrow = (today + timedelta(days=1)).isoformat()
    page = user.client.get(PAGE, params={"from": tomorrow}).text
    assert rows(page) == [] and "Nothing matches these filters" in page


def add_entries(server: RunningServer, account_id: str, n: int) -> None:
    """`n` entries straight into the database, two by two at the same instant (so the keyset
    must break ties by id)."""
    start = datetime.now(timezone.utc) - timedelta(days=1)
    with connect(server) as connection, Session(bind=connection) as db:
        db.add_all(
            AuditEvent(
                id=uuid.uuid4(),
                account_id=uuid.UUID(account_id),
                created_at=start + timedelta(seconds=i // 2),
                action="api_key_created",
                actor_kind="user",
                actor_email=f"bulk-{i:03d}@example.com",
            )
            for i in range(n)
        )
        db.flush()


def test_pages_of_50_walk_the_whole_log_newest_first_without_repeats(
    server: RunningServer, user: SignedInUser
) -> None:
    add_entries(server, user.account_id, 120)
    seen: list[str] = []
    url: str | None = f"{PAGE}?action=api_key_created"
    pages = 0
    while url:
        page = user.client.get(url).text
        seen += [m for row in rows(page) for m in re.findall(r"bulk-\d{3}", row)]
        found = re.search(r'href="([^"]+)">Older entries</a>', page)
        url = html.unescape(found.group(1)) if found else None
        pages += 1
    assert pages == 3
    # newest first: an entry's number never exceeds the previous one's pair
    assert all(int(a[5:]) // 2 >= int(b[5:]) // 2 for a, b in zip(seen, seen[1:], strict=False))
    assert len(seen) == len(set(seen)) == 120


@pytest.mark.parametrize(
    "params",
    [
        {"action": "drop table"},
        {"from": "yesterday"},
        {"to": "2026-13-45"},
        {"from": "2026-11-25", "to": "2026-11-01"},
        {"after": "not-a-cursor"},
        {"after": "WyJ4IiwgInkiXQ"},
        {"to": "9999-12-31"},
    ],
)
def test_wrong_filters_are_explained_never_a_500(
    user: SignedInUser, params: dict[str, str]
) -> None:
    response = user.client.get(PAGE, params=params)
    assert response.status_code == 200, response.text


def test_members_cannot_see_the_log_nor_its_link(
    server: RunningServer, base_url: str, user: SignedInUser
) -> None:
    member = sign_up(base_url)
    execute(
        server,
        "INSERT INTO memberships (user_id, account_id, role, created_at) "
        "VALUES (:u, :a, 'member', :t)",
        u=uuid_param(server, member.user_id),
        a=uuid_param(server, user.account_id),
        t=datetime.now(timezone.utc),
    )
    member.client.post("/switch-account", data={"account_id": user.account_id})
    assert member.client.get("/v1/ping").json()["account"]["id"] == user.account_id
    response = member.client.get(PAGE)
    assert response.status_code == 403
    assert "Only owners" in response.text
    assert f'href="{PAGE}"' not in member.client.get("/settings/profile").text
    assert f'href="{PAGE}"' in user.client.get("/settings/profile").text
    member.client.close()


def test_an_owner_sees_only_their_own_accounts_log(
    user: SignedInUser, other_user: SignedInUser
) -> None:
    other_user.create_key("someone else's key")
    assert not any("someone else" in row for row in log_of(user))
    assert any("someone else" in row for row in log_of(other_user))
