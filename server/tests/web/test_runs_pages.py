"""/runs and /runs/{id} over HTTP: empty states, filters in the URL, readable errors for bad
filters, "Load more", and another account's runs answered 404."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import httpx

from tests.support.factories import SignedInUser, event, key_client, send
from tests.support.runs import nested_run, send_run


def test_runs_page_without_runs_shows_getting_started(user: SignedInUser) -> None:
    response = user.client.get("/runs")
    assert response.status_code == 200
    assert "No runs yet" in response.text
    assert 'href="/onboarding"' in response.text


def test_runs_page_lists_runs_with_cost_customer_agent_and_errors(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    run_id = send_run(keyed, name="answer-ticket", customer_id="acme", agent="triage")
    page = user.client.get("/runs").text
    assert "answer-ticket" in page and f'href="/runs/{run_id}"' in page
    assert 'href="/runs?customer=acme"' in page and 'href="/runs?agent=triage"' in page
    assert "1 error" in page and "row-error" in page
    assert "$0." in page  # money as money


def test_filters_come_from_the_url_and_are_kept_in_the_form(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send_run(keyed, name="acme-run", customer_id="acme", agent="triage")
    send_run(keyed, name="globex-run", customer_id="globex", agent="billing", failing=False)
    page = user.client.get("/runs", params={"agent": "triage"}).text
    assert "acme-run" in page and "globex-run" not in page
    assert 'name="agent" type="text" value="triage"' in page
    page = user.client.get("/runs", params={"customer": "globex", "status": "ok"}).text
    assert "globex-run" in page and "acme-run" not in page
    page = user.client.get("/runs", params={"status": "error", "customer": "globex"}).text
    assert "No runs match these filters" in page


def test_bad_filters_get_readable_messages_not_errors(user: SignedInUser) -> None:
    response = user.client.get(
        "/runs", params={"status": "maybe", "from": "yesterday", "to": "2026-13-40", "cursor": "x"}
    )
    assert response.status_code == 200
    assert "Choose “Succeeded” or “Failed”." in response.text
    assert response.text.count("Enter a date as YYYY-MM-DD") == 2
    assert "That page link is not valid any more" in response.text
    response = user.client.get("/runs", params={"from": "2026-11-20", "to": "2026-11-10"})
    assert "“To” must be on or after “From”." in response.text


def test_load_more_returns_the_next_rows_with_the_filters(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    now = datetime.now(timezone.utc)
    events = []
    for i in range(52):
        _, run = nested_run(name=f"ticket-{i}", agent="triage", started=now - timedelta(minutes=i))
        events += run
    events += nested_run(name="other-agent", agent="billing", started=now)[1]
    send(keyed, *events)
    first = user.client.get("/runs", params={"agent": "triage"}).text
    assert ">ticket-49<" in first and ">ticket-50<" not in first
    assert "Load more runs" in first
    next_url = first.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "agent=triage" in next_url and "cursor=" in next_url
    rows = user.client.get(next_url, headers={"HX-Request": "true"}).text
    assert "<html" not in rows
    assert ">ticket-50<" in rows and ">ticket-51<" in rows and ">ticket-49<" not in rows
    assert "other-agent" not in rows and "Load more runs" not in rows
    assert ">ticket-50<" in user.client.get(next_url).text  # also a plain link without htmx


def test_run_detail_shows_the_span_tree_costs_and_errors(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    run_id = send_run(keyed, name="answer-ticket", agent="triage")
    response = user.client.get(f"/runs/{run_id}")
    assert response.status_code == 200
    page = response.text
    for text in ("answer-ticket", "agent triage", "support/retrieval", "classify", "draft reply"):
        assert text in page
    assert "gpt-4o-mini" in page and "claude-3-5-haiku-latest" in page
    assert "RateLimitError: 429 Too Many Requests" in page and "span-failed" in page
    assert page.count("<details open") == 3  # run, agent and section have children
    assert "1,200 / 200 / 80" in page  # tokens in / cached / out
    assert 'class="waterfall-bar' in page and "style=" not in page


def test_a_run_id_with_a_slash_opens(user: SignedInUser, keyed: httpx.Client) -> None:
    run_id = send_run(keyed, run_id="tenant/42/run")
    assert user.client.get(f"/runs/{quote(run_id, safe='')}").status_code == 200


def test_unknown_and_other_accounts_runs_are_html_404s(
    user: SignedInUser, other_user: SignedInUser, base_url: str
) -> None:
    with key_client(base_url, other_user.create_key()) as theirs:
        their_run = send_run(theirs, name="their-secret-run")
    for path in (f"/runs/{their_run}", "/runs/no-such-run"):
        response = user.client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "their-secret-run" not in response.text
    assert "their-secret-run" not in user.client.get("/runs").text


def test_a_call_without_usage_is_shown_as_usage_missing_not_as_a_price(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    missing = {"usage_missing": True}
    send(
        keyed,
        event(
            run_id="stream-run",
            span_id="s1",
            provider="mistral",
            model="mistral-small-latest",
            operation="chat",
            input_tokens=0,
            output_tokens=0,
            metadata=missing,
        ),
        event(
            run_id="stream-run",
            span_id="s2",
            provider="mistral",
            model="mistral-small-latest",
            operation="chat",
            input_tokens=21,
            output_tokens=3,
        ),
    )
    page = user.client.get("/runs/stream-run").text
    assert page.count("data-usage-missing") == 1
    assert "Usage missing" in page
    spans = keyed.get("/v1/runs/stream-run").json()["spans"]
    assert sorted((s["span_id"], s["usage_missing"]) for s in spans) == [
        ("s1", True),
        ("s2", False),
    ]
