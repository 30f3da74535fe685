"""The costs tables agree with each other and say what the events are: one money rule on every
page, sections that include their subsections, snapshots grouped with their alias on request,
`track()` events named by their provider, and an unpriced warning that tells the truth."""

from __future__ import annotations

import httpx

from tests.support.factories import SignedInUser, custom_event, event, send

RANGE = "from=2025-03-08&to=2025-03-14"


def at(day: int, hour: int = 10) -> str:
    return f"2025-03-{day:02d}T{hour:02d}:15:00+00:00"


def test_an_amount_is_spelt_the_same_on_costs_customers_and_the_dashboard(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, custom_event("0.01999882", timestamp=at(9), customer_id="acme"))
    for path in ("/costs?group_by=customer&", "/customers?", "/?"):
        html = user.client.get(f"{path}{RANGE}").text
        assert "$0.02" in html and "$0.01999882" not in html, path


def test_the_section_row_includes_its_subsections(user: SignedInUser, keyed: httpx.Client) -> None:
    send(
        keyed,
        custom_event("0.20", timestamp=at(9), section="support/drafting"),
        custom_event("0.10", timestamp=at(9), section="support/retrieval"),
    )
    html = user.client.get(f"/costs?group_by=section&{RANGE}").text
    support = html.index('<td class="key-cell">support</td>')
    drafting = html.index('<td class="key-cell">support/drafting</td>')
    assert support < drafting and "$0.30" in html[support:drafting]
    assert 'data-section-depth="1"' in html


def test_costs_by_model_can_group_snapshots_with_their_alias(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        event(model="gpt-4o-mini", timestamp=at(9)),
        event(model="gpt-4o-mini-2024-07-18", timestamp=at(9)),
    )
    apart = user.client.get(f"/costs?group_by=model&{RANGE}").text
    assert '<td class="key-cell">gpt-4o-mini-2024-07-18</td>' in apart
    grouped = user.client.get(f"/costs?group_by=model&models=aliases&{RANGE}").text
    assert "gpt-4o-mini-2024-07-18</td>" not in grouped
    assert 'title="gpt-4o-mini, gpt-4o-mini-2024-07-18">gpt-4o-mini</td>' in grouped


def test_track_events_show_their_provider_never_unknown_model(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(
        keyed,
        event(
            provider="acme-ocr",
            model=None,
            operation="custom",
            name="ocr",
            cost_usd="0.5",
            input_tokens=0,
            output_tokens=0,
            timestamp=at(9),
        ),
        event(
            provider=None,
            model=None,
            operation="custom",
            name="x",
            cost_usd="0.1",
            input_tokens=0,
            output_tokens=0,
            timestamp=at(9),
        ),
    )
    for path in ("/costs?group_by=model&", "/costs?group_by=provider&", "/?split=model&", "/?"):
        html = user.client.get(f"{path}{RANGE}").text
        assert "Unknown model" not in html and "Unknown provider" not in html, path
    by_model = user.client.get(f"/costs?group_by=model&{RANGE}").text
    assert "acme-ocr (no model)" in by_model and "Custom events (no provider or model)" in by_model


def test_the_unpriced_warning_follows_a_new_price_and_says_past_events_stay_at_zero(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    send(keyed, event(provider="acme", model="house-model", timestamp=at(9)))
    before = user.client.get(f"/?{RANGE}").text
    assert "1 event uses a model without a price" in before and "data-priced-since" not in before

    added = user.client.post(
        "/v1/prices",
        json={"provider": "acme", "model": "house-model", "input_mtok": "1", "output_mtok": "2"},
    )
    assert added.status_code == 201, added.text

    for path in ("/?", "/costs?"):
        after = user.client.get(f"{path}{RANGE}").text
        assert "without a price" not in after, path
        assert "1 event was recorded at $0 before its model had a price" in after, path
        assert "past events stay at $0" in after, path
