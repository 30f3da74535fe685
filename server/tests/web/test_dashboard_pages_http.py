"""/, /costs, /agents, /customers over HTTP: states, ranges, links, CSV and account scoping."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import insert

from llmobserve_server.db.models import SpendAnomaly
from llmobserve_server.testing import RunningServer
from tests.support.accounts_db import connect
from tests.support.factories import SignedInUser, custom_event, event, send

PAGES = ("/", "/costs", "/agents", "/customers")
RANGE = "from=2025-03-08&to=2025-03-14"


def at(day: int, hour: int = 10) -> str:
    return f"2025-03-{day:02d}T{hour:02d}:30:00Z"


@pytest.mark.parametrize("path", [*PAGES, "/costs.csv", "/agents/x", "/customers/y"])
def test_dashboard_pages_need_a_signed_in_user(
    anonymous: httpx.Client, user: SignedInUser, path: str
) -> None:
    """With someone signed up (`user`), a visitor is sent to sign in (a server with no user yet
    sends them to sign up: tests/web/test_first_visit.py)."""
    response = anonymous.get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def test_a_new_account_gets_the_getting_started_guide(user: SignedInUser) -> None:
    html = user.client.get("/").text
    assert "No costs recorded yet" in html
    assert 'href="/onboarding"' in html and "pip install llmobserve" in html


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/costs", "No costs in this range"),
        ("/agents", "No agents in this range"),
        ("/customers", "No customers in this range"),
    ],
)
def test_pages_without_data_say_what_to_do_next(
    user: SignedInUser, path: str, message: str
) -> None:
    response = user.client.get(path)
    assert response.status_code == 200 and message in response.text
    assert 'href="/onboarding"' in response.text


def test_the_dashboard_shows_totals_change_and_top_tables(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("1.5", timestamp=at(9), customer_id="acme", section="support/answer"),
        custom_event("0.5", timestamp=at(12), model="other-model", agent="triage"),
        custom_event("1", timestamp=at(3)),  # the previous 7 days
    )
    html = user.client.get(f"/?{RANGE}").text
    assert "$2.00" in html and "↑100%" in html and "vs previous 7 days" in html
    assert "Mar 8 – Mar 14, 2025" in html
    assert "acme" in html and 'href="/customers/acme"' in html
    assert '<td class="key-cell">support</td>' in html  # support/answer, under its top section
    assert "75.0%" in html  # my-model's share
    assert 'data-chart="cost-over-time-data"' in html
    by_model = user.client.get(f"/?{RANGE}&split=model").text
    assert '"label": "my-model"' in by_model and '"stacked": true' in by_model


def test_the_dashboard_projects_this_months_spend(user: SignedInUser, keyed: httpx.Client) -> None:
    send(keyed, custom_event("2.5"))  # today, so this month: no history yet
    html = user.client.get("/").text
    assert 'Projected this month: <strong class="money">$2.50</strong>' in html


def an_anomaly(server: RunningServer, account_id: str, customer_id: str, spent: str) -> None:
    """An unusual day (what the daily job records) for gpt-4o, yesterday."""
    yesterday = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday -= timedelta(days=1)
    with connect(server) as connection:
        connection.execute(
            insert(SpendAnomaly.__table__).values(
                id=uuid.uuid4(), account_id=uuid.UUID(account_id), day=yesterday, model="gpt-4o",
                customer_id=customer_id, spent_usd=Decimal(spent), usual_usd=Decimal(6),
                detected_at=datetime.now(timezone.utc), notified_at=None,
            )
        )  # fmt: skip


def test_the_dashboard_lists_the_last_weeks_unusual_spend(
    server: RunningServer, user: SignedInUser, other_user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("1"))  # past the Getting started page
    an_anomaly(server, user.account_id, "acme", "48")
    an_anomaly(server, other_user.account_id, "globex", "99")
    html = user.client.get("/").text
    assert "Unusual spend: gpt-4o for acme, $48.00 vs usually $6.00" in html
    assert "globex" not in html


def test_the_dashboard_says_new_when_the_previous_period_had_nothing(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("1", timestamp=at(9)))
    html = user.client.get(f"/?{RANGE}").text
    assert ">new<" in html and "%<" not in html.split("Total cost")[1].split("</div>\n</div>")[0]


def test_unpriced_events_are_flagged_with_a_link_to_prices(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, event(timestamp=at(9), provider="acme-ai", model="unknown-model-x"))
    html = user.client.get(f"/?{RANGE}").text
    assert "1 event uses a model without a price" in html and 'href="/settings/prices"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-13-01&to=2025-03-14", "is not a date"),
        ("from=2025-03-14&to=2025-03-01", "start date is after the end date"),
        ("range=12y", "Unknown range"),
        ("from=2020-01-01&to=2025-01-01", "at most 366 days"),
        ("from=0001-01-01&to=0001-01-02", "out of range"),
    ],
)
@pytest.mark.parametrize("path", PAGES)
def test_a_bad_range_is_explained_and_the_default_range_shown(
    user: SignedInUser, keyed: httpx.Client, path: str, query: str, message: str
) -> None:
    send(keyed, custom_event("1"))
    response = user.client.get(f"{path}?{query}")
    assert response.status_code == 200 and message in response.text
    assert "Showing the last 7 days instead" in response.text


def test_costs_group_by_a_dimension_with_tokens_and_share(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("3", timestamp=at(9), agent="planner", input_tokens=1234, output_tokens=56),
        custom_event("1", timestamp=at(10), agent="writer"),
    )
    html = user.client.get(f"/costs?group_by=agent&{RANGE}").text
    assert 'href="/agents/planner"' in html and "1,234" in html and "75.0%" in html
    assert 'class="active" aria-current="true">Agent<' in html
    days = user.client.get(f"/costs?{RANGE}").text
    assert "2025-03-09" in days and "2025-03-10" in days


def test_the_csv_export_has_every_row_with_exact_money(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    events = [
        custom_event("0.000000015", timestamp=at(9), customer_id=f"c{index:03d}")
        for index in range(250)  # more than the page shows
    ]
    send(keyed, *events, custom_event("12.5", timestamp=at(9), customer_id="=HYPERLINK(1)"))
    response = user.client.get(f"/costs.csv?group_by=customer&{RANGE}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="llmobserve-costs-by-customer-2025-03-08-to-2025-03-14.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 251
    assert rows[0]["customer"] == "'=HYPERLINK(1)" and rows[0]["cost_usd"] == "12.500000"
    assert rows[1]["cost_usd"] == "0.000000015" and rows[1]["events"] == "1"
    assert list(rows[0]) == [
        "customer",
        "cost_usd",
        "events",
        "unpriced_events",
        "input_tokens",
        "cached_input_tokens",
        "cache_write_input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "cache_write_1h_input_tokens",
        "input_audio_tokens",
        "output_audio_tokens",
        "share",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [("group_by=colour", "Unknown group_by"), ("from=yesterday", "is not a date")],
)
def test_a_bad_csv_request_is_a_readable_400(user: SignedInUser, query: str, message: str) -> None:
    response = user.client.get(f"/costs.csv?{query}")
    assert response.status_code == 400 and message in response.text


@pytest.mark.parametrize("name", ["support/triage bot", "ünïcode agent ✓", "what?#x", "a%2Fb"])
def test_agent_names_with_slashes_spaces_and_unicode_link_to_their_page(
    user: SignedInUser, keyed: httpx.Client, name: str
) -> None:
    send(keyed, custom_event("2.25", timestamp=at(9), agent=name, model="m-1"))
    listing = user.client.get(f"/agents?{RANGE}").text
    href = "/agents/" + quote(name, safe="")
    assert f'href="{href}?' in listing
    detail = user.client.get(f"{href}?{RANGE}")
    assert detail.status_code == 200 and "$2.25" in detail.text and "m-1" in detail.text
    runs_link = "/runs?agent=" + quote(name, safe="").replace("%20", "+")
    assert f'href="{runs_link}"' in detail.text.replace("&amp;", "&")


def test_a_customer_page_shows_that_customer_and_links_to_its_runs(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        custom_event("4", timestamp=at(9), customer_id="cus_42", model="m-big"),
        custom_event("1", timestamp=at(9), customer_id="cus_7", model="m-small"),
    )
    html = user.client.get(f"/customers/cus_42?{RANGE}").text
    assert "$4.00" in html and "m-big" in html and "m-small" not in html
    assert 'href="/runs?customer=cus_42"' in html
    listing = user.client.get(f"/customers?{RANGE}").text
    assert listing.index("cus_42") < listing.index("cus_7")


@pytest.mark.parametrize("path", ["/agents/secret%2Fagent", "/customers/secret-customer"])
def test_another_accounts_names_show_nothing_of_theirs(
    user: SignedInUser, keyed: httpx.Client, other_user: SignedInUser, path: str
) -> None:
    send(
        keyed,
        custom_event("7.77", timestamp=at(9), agent="secret/agent", customer_id="secret-customer"),
    )
    mine = user.client.get(f"{path}?{RANGE}").text
    assert "$7.77" in mine
    theirs = other_user.client.get(f"{path}?{RANGE}")
    assert theirs.status_code == 200 and "No costs for this" in theirs.text
    assert "$7.77" not in theirs.text
    export = other_user.client.get(f"/costs.csv?group_by=agent&{RANGE}").text
    assert export.splitlines()[1:] == []


def test_dashboard_pages_have_no_inline_scripts_or_styles(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("1", timestamp=at(9), agent="a", customer_id="c"))
    for path in (*PAGES, "/agents/a", "/customers/c"):
        html = user.client.get(f"{path}?{RANGE}").text
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", html), path
        assert "<style" not in html and " style=" not in html, path
