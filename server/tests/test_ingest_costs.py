"""Costs are computed at ingest and stored with each event: an account override first, then the
genai-prices catalogue at the event's timestamp, then the client's own cost_usd, else zero with
cost_source unknown_model. Checked span by span in GET /v1/runs/{run_id}, against genai-prices
itself, to the 10 decimal places the server stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from genai_prices import Usage, calc_price
from sqlalchemy import insert

from llmobserve_server.config import Settings
from llmobserve_server.db.engine import create_db_engine
from llmobserve_server.db.models import ModelPrice
from llmobserve_server.pricing.units import UNIT_PRICES
from llmobserve_server.testing import RunningServer
from tests.support.factories import SignedInUser, event, key_client, send

STORED_PLACES = Decimal("1E-10")


def catalog_price(
    model: str,
    provider: str,
    timestamp: datetime,
    *,
    input_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    output_tokens: int = 0,
) -> Decimal:
    """What genai-prices says the usage costs, at the precision the server stores."""
    usage = Usage(
        input_tokens=input_tokens,
        cache_read_tokens=cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
        output_tokens=output_tokens,
    )
    price = calc_price(usage, model, provider_id=provider, genai_request_timestamp=timestamp)
    total = Decimal(price.total_price)
    assert total > 0, f"genai-prices has no price for {provider}/{model}"
    return total.quantize(STORED_PLACES)


def priced_span(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    """Send one event in a run of its own; its span as GET /v1/runs/{run_id} shows it."""
    run_id = f"cost-{uuid.uuid4().hex}"
    send(client, event(run_id=run_id, span_id="span", **fields))
    response = client.get(f"/v1/runs/{run_id}")
    assert response.status_code == 200, response.text
    (span,) = response.json()["spans"]
    assert span["cost_usd"] == response.json()["total_cost_usd"]
    return dict(span)


def cost_of(span: dict[str, Any]) -> Decimal:
    return Decimal(span["cost_usd"])


def at(timestamp: datetime) -> str:
    return timestamp.isoformat()


NOW = datetime.now(timezone.utc) - timedelta(minutes=1)


# --- the catalogue ---------------------------------------------------------------------------


def test_gpt_4o_mini_with_cached_input_is_priced_by_genai_prices(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="openai",
        model="gpt-4o-mini",
        timestamp=at(NOW),
        input_tokens=12_000,
        cached_input_tokens=4_000,
        output_tokens=800,
    )
    expected = catalog_price(
        "gpt-4o-mini",
        "openai",
        NOW,
        input_tokens=12_000,
        cache_read_tokens=4_000,
        output_tokens=800,
    )
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")


def test_cached_input_costs_less_than_the_same_input_uncached(keyed: httpx.Client) -> None:
    """input_tokens counts cached tokens too: caching lowers the cost, never adds to it."""
    common = {"provider": "openai", "model": "gpt-4o-mini", "timestamp": at(NOW)}
    uncached = priced_span(keyed, **common, input_tokens=10_000, output_tokens=0)
    cached = priced_span(
        keyed, **common, input_tokens=10_000, cached_input_tokens=8_000, output_tokens=0
    )
    assert 0 < cost_of(cached) < cost_of(uncached)


def test_claude_with_cache_reads_and_writes_is_priced_by_genai_prices(
    keyed: httpx.Client,
) -> None:
    """The wire's input_tokens include Anthropic's cache reads and writes (the SDK adds them)."""
    uncached, read, written = 100, 3_000, 1_500
    span = priced_span(
        keyed,
        provider="anthropic",
        model="claude-sonnet-4-5",
        timestamp=at(NOW),
        input_tokens=uncached + read + written,
        cached_input_tokens=read,
        cache_write_input_tokens=written,
        output_tokens=700,
    )
    expected = catalog_price(
        "claude-sonnet-4-5",
        "anthropic",
        NOW,
        input_tokens=uncached + read + written,
        cache_read_tokens=read,
        cache_write_tokens=written,
        output_tokens=700,
    )
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")
    assert (span["cached_input_tokens"], span["cache_write_input_tokens"]) == (read, written)


def test_a_long_context_claude_call_is_priced_at_its_tier(keyed: httpx.Client) -> None:
    usage = {"input_tokens": 250_000, "cache_read_tokens": 50_000, "output_tokens": 2_000}
    span = priced_span(
        keyed,
        provider="anthropic",
        model="claude-sonnet-4-5",
        timestamp=at(NOW),
        input_tokens=250_000,
        cached_input_tokens=50_000,
        output_tokens=2_000,
    )
    # Over 200k input tokens every token of the call is charged at the long-context rates.
    assert cost_of(span) == catalog_price("claude-sonnet-4-5", "anthropic", NOW, **usage)


def test_the_price_in_force_at_the_events_timestamp_is_used(keyed: httpx.Client) -> None:
    """claude-sonnet-4-6 dropped its long-context surcharge on 2026-03-13 (genai-prices data)."""
    before = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    after = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
    usage = {"input_tokens": 300_000, "output_tokens": 1_000}
    expected_before = catalog_price("claude-sonnet-4-6", "anthropic", before, **usage)
    expected_after = catalog_price("claude-sonnet-4-6", "anthropic", after, **usage)
    assert expected_before != expected_after

    for timestamp, expected in ((before, expected_before), (after, expected_after)):
        span = priced_span(
            keyed, provider="anthropic", model="claude-sonnet-4-6", timestamp=at(timestamp), **usage
        )
        assert (cost_of(span), span["cost_source"]) == (expected, "catalog")


def test_reasoning_tokens_are_part_of_output_and_not_priced_twice(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="openai",
        model="o4-mini",
        timestamp=at(NOW),
        input_tokens=2_000,
        output_tokens=1_000,
        reasoning_tokens=800,
    )
    expected = catalog_price("o4-mini", "openai", NOW, input_tokens=2_000, output_tokens=1_000)
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")
    assert span["reasoning_tokens"] == 800


def test_an_embedding_is_priced_by_its_input_tokens(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="openai",
        model="text-embedding-3-small",
        operation="embedding",
        timestamp=at(NOW),
        input_tokens=5_000,
        output_tokens=0,
    )
    expected = catalog_price("text-embedding-3-small", "openai", NOW, input_tokens=5_000)
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")


def test_a_known_model_ignores_the_clients_cost(keyed: httpx.Client) -> None:
    """The server's price beats the client's figure, so a client cannot change a known model's
    cost."""
    span = priced_span(
        keyed,
        provider="openai",
        model="gpt-4o-mini",
        timestamp=at(NOW),
        input_tokens=1_000,
        output_tokens=100,
        cost_usd="99.0",
    )
    expected = catalog_price("gpt-4o-mini", "openai", NOW, input_tokens=1_000, output_tokens=100)
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")


def test_the_costs_report_adds_up_the_events_costs(keyed: httpx.Client) -> None:
    a = priced_span(keyed, provider="openai", model="gpt-4o-mini", input_tokens=3_000)
    b = priced_span(keyed, provider="anthropic", model="claude-sonnet-4-5", input_tokens=3_000)
    report = keyed.get("/v1/costs", params={"group_by": "provider"}).json()
    assert Decimal(report["total_cost_usd"]) == cost_of(a) + cost_of(b)
    by_provider = {row["key"]: Decimal(row["cost_usd"]) for row in report["rows"]}
    assert by_provider == {"openai": cost_of(a), "anthropic": cost_of(b)}
    assert [row["key"] for row in report["rows"]] == ["anthropic", "openai"]  # dearest first


# --- no catalogue price ----------------------------------------------------------------------


def test_an_unknown_model_without_a_cost_is_free_and_marked_unknown_model(
    keyed: httpx.Client,
) -> None:
    span = priced_span(
        keyed, provider="acme-ai", model="acme-large-2", input_tokens=1_000, output_tokens=100
    )
    assert cost_of(span) == 0
    assert span["cost_usd"] == "0.000000"
    assert span["cost_source"] == "unknown_model"


def test_the_costs_report_counts_unpriced_events(keyed: httpx.Client) -> None:
    priced_span(keyed, provider="acme-ai", model="acme-large-2")
    priced_span(keyed, provider="acme-ai", model="acme-large-2")
    priced_span(keyed, provider="openai", model="gpt-4o-mini")
    report = keyed.get("/v1/costs", params={"group_by": "model"}).json()
    assert (report["total_events"], report["unpriced_events"]) == (3, 2)
    rows = {row["key"]: row for row in report["rows"]}
    assert (rows["acme-large-2"]["unpriced_events"], rows["acme-large-2"]["events"]) == (2, 2)
    assert rows["acme-large-2"]["cost_usd"] == "0.000000"
    assert rows["gpt-4o-mini"]["unpriced_events"] == 0


def test_an_unknown_model_with_a_client_cost_is_priced_by_the_client(
    keyed: httpx.Client,
) -> None:
    span = priced_span(keyed, provider="acme-ai", model="acme-large-2", cost_usd="0.0123456789")
    assert (cost_of(span), span["cost_source"]) == (Decimal("0.0123456789"), "client")
    assert span["cost_usd"] == "0.0123456789"  # more than 6 decimals when they carry value
    report = keyed.get("/v1/costs").json()
    assert report["unpriced_events"] == 0


def test_a_client_cost_of_zero_is_a_price_not_an_unknown_model(keyed: httpx.Client) -> None:
    span = priced_span(keyed, provider="acme-ai", model="free-tier", cost_usd=0)
    assert (cost_of(span), span["cost_source"]) == (Decimal(0), "client")


def test_a_custom_event_without_model_is_priced_by_its_client_cost(keyed: httpx.Client) -> None:
    span = priced_span(keyed, provider=None, model=None, name="gpu-minutes", cost_usd="1.25")
    assert (span["cost_usd"], span["cost_source"]) == ("1.250000", "client")


# --- per-unit services -----------------------------------------------------------------------


def test_pinecone_read_units_are_priced_from_the_units_table(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="pinecone",
        model=None,
        operation="query",
        input_tokens=0,
        output_tokens=0,
        units={"read_units": 10},
    )
    expected = (UNIT_PRICES[("pinecone", "read_units")] * 10).quantize(STORED_PLACES)
    assert expected > 0
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")


def test_pinecone_write_units_are_priced_from_the_units_table(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="pinecone",
        model=None,
        operation="upsert",
        input_tokens=0,
        output_tokens=0,
        units={"write_units": 250},
    )
    expected = (UNIT_PRICES[("pinecone", "write_units")] * 250).quantize(STORED_PLACES)
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")


def test_units_the_table_does_not_know_leave_the_event_unpriced(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="pinecone",
        model=None,
        input_tokens=0,
        output_tokens=0,
        units={"storage_gb_hours": 3},
    )
    assert (cost_of(span), span["cost_source"]) == (Decimal(0), "unknown_model")


# --- account price overrides -----------------------------------------------------------------


AddPrice = Callable[..., None]


@pytest.fixture
def add_price(server: RunningServer) -> Iterator[AddPrice]:
    """Insert a model_prices row straight into the server's database (there is no API yet)."""
    settings = Settings(database_url=server.full_access_url, llmobserve_data_dir=server.data_dir)
    engine = create_db_engine(settings)

    def add(account_id: str, provider: str, model: str, **prices: Any) -> None:
        with engine.begin() as connection:
            connection.execute(
                insert(ModelPrice).values(
                    id=uuid.uuid4(),
                    account_id=uuid.UUID(account_id),
                    provider=provider,
                    model=model,
                    created_at=datetime.now(timezone.utc),
                    **prices,
                )
            )

    yield add
    engine.dispose()


def test_an_account_price_override_wins_over_the_catalogue(
    user: SignedInUser, keyed: httpx.Client, add_price: AddPrice
) -> None:
    add_price(
        user.account_id,
        "openai",
        "gpt-4o-mini",
        input_mtok=Decimal("2"),
        cached_input_mtok=Decimal("0.5"),
        output_mtok=Decimal("8"),
    )
    span = priced_span(
        keyed,
        provider="openai",
        model="gpt-4o-mini",
        input_tokens=1_000,
        cached_input_tokens=200,
        output_tokens=100,
    )
    # 800 uncached × $2 + 200 cached × $0.5 + 100 output × $8, per million tokens
    assert (cost_of(span), span["cost_source"]) == (Decimal("0.0025"), "override")


def test_an_override_prices_cache_writes_at_the_input_price_unless_it_says_otherwise(
    user: SignedInUser, keyed: httpx.Client, add_price: AddPrice
) -> None:
    add_price(user.account_id, "anthropic", "claude-sonnet-4-5", input_mtok=Decimal("4"))
    span = priced_span(
        keyed,
        provider="anthropic",
        model="claude-sonnet-4-5",
        input_tokens=3_000,
        cached_input_tokens=1_000,
        cache_write_input_tokens=1_000,
        output_tokens=0,
    )
    assert (cost_of(span), span["cost_source"]) == (Decimal("0.012"), "override")


def test_an_override_prices_a_model_the_catalogue_does_not_know(
    user: SignedInUser, keyed: httpx.Client, add_price: AddPrice
) -> None:
    add_price(
        user.account_id,
        "acme-ai",
        "acme-large-2",
        input_mtok=Decimal("1.5"),
        output_mtok=Decimal("3"),
    )
    span = priced_span(
        keyed,
        provider="acme-ai",
        model="acme-large-2",
        input_tokens=10_000,
        output_tokens=1_000,
        cost_usd="5",
    )
    assert (cost_of(span), span["cost_source"]) == (Decimal("0.018"), "override")
    assert keyed.get("/v1/costs").json()["unpriced_events"] == 0


def test_an_override_without_a_provider_matches_the_model_from_any_provider(
    user: SignedInUser, keyed: httpx.Client, add_price: AddPrice
) -> None:
    add_price(user.account_id, "", "gpt-4o-mini", input_mtok=Decimal("1"), output_mtok=Decimal("1"))
    span = priced_span(
        keyed, provider="azure", model="gpt-4o-mini", input_tokens=1_000, output_tokens=1_000
    )
    assert (cost_of(span), span["cost_source"]) == (Decimal("0.002"), "override")


def test_an_override_applies_only_to_its_own_account(
    user: SignedInUser,
    keyed: httpx.Client,
    other_user: SignedInUser,
    base_url: str,
    add_price: AddPrice,
) -> None:
    add_price(user.account_id, "openai", "gpt-4o-mini", input_mtok=Decimal("100"))
    usage = {"input_tokens": 1_000, "output_tokens": 100, "timestamp": at(NOW)}
    with key_client(base_url, other_user.create_key()) as other:
        span = priced_span(other, provider="openai", model="gpt-4o-mini", **usage)
    expected = catalog_price("gpt-4o-mini", "openai", NOW, input_tokens=1_000, output_tokens=100)
    assert (cost_of(span), span["cost_source"]) == (expected, "catalog")
    mine = priced_span(keyed, provider="openai", model="gpt-4o-mini", **usage)
    assert (cost_of(mine), mine["cost_source"]) == (Decimal("0.1"), "override")


def test_an_override_does_not_reprice_events_already_stored(
    user: SignedInUser, keyed: httpx.Client, add_price: AddPrice
) -> None:
    """History stays as it was priced."""
    before = priced_span(keyed, provider="openai", model="gpt-4o-mini", timestamp=at(NOW))
    add_price(user.account_id, "openai", "gpt-4o-mini", input_mtok=Decimal("100"))
    after = priced_span(keyed, provider="openai", model="gpt-4o-mini", timestamp=at(NOW))
    assert before["cost_source"] == "catalog" and after["cost_source"] == "override"
    report = keyed.get("/v1/costs").json()
    assert Decimal(report["total_cost_usd"]) == cost_of(before) + cost_of(after)


def test_a_price_changed_or_deleted_applies_from_the_next_batch(
    user: SignedInUser, keyed: httpx.Client
) -> None:
    """Ingestion caches overrides per account; every change must reach the next batch."""
    usage = {"input_tokens": 1_000_000, "output_tokens": 0, "timestamp": at(NOW)}
    price = {"provider": "acme-ai", "model": "acme-1", "input_mtok": "2", "output_mtok": "2"}
    saved = user.client.post("/v1/prices", json=price)
    assert saved.status_code in (200, 201), saved.text
    assert cost_of(priced_span(keyed, provider="acme-ai", model="acme-1", **usage)) == 2
    changed = user.client.post("/v1/prices", json={**price, "input_mtok": "3"})
    assert changed.status_code in (200, 201), changed.text
    assert cost_of(priced_span(keyed, provider="acme-ai", model="acme-1", **usage)) == 3
    assert user.client.delete(f"/v1/prices/{saved.json()['id']}").status_code == 204
    gone = priced_span(keyed, provider="acme-ai", model="acme-1", **usage)
    assert (cost_of(gone), gone["cost_source"]) == (0, "unknown_model")


# --- every usage kind the providers bill (issue 18) --------------------------------------------


def test_a_batch_call_with_one_hour_writes_and_web_searches_costs_what_anthropic_bills(
    keyed: httpx.Client,
) -> None:
    span = priced_span(
        keyed,
        provider="anthropic",
        model="claude-haiku-4-5",
        timestamp=at(NOW),
        input_tokens=10_000,
        cache_write_input_tokens=6_000,
        cache_write_1h_input_tokens=4_000,
        output_tokens=1_000,
        service_tier="batch",
        units={"web_search_requests": 2},
    )
    # Batch halves haiku 4.5's $1 input, $1.25 5-minute and $2 1-hour writes and $5 output per
    # M; the 2 searches cost $10 per 1,000, undiscounted.
    tokens = 4_000 * Decimal("0.5") + 2_000 * Decimal("0.625") + 4_000 * 1 + 1_000 * Decimal("2.5")
    assert cost_of(span) == tokens / 10**6 + Decimal("0.02")
    assert (span["service_tier"], span["cache_write_1h_input_tokens"]) == ("batch", 4_000)
    assert span["units"] == {"web_search_requests": 2}


def test_audio_tokens_are_stored_and_priced_at_the_audio_prices(keyed: httpx.Client) -> None:
    span = priced_span(
        keyed,
        provider="openai",
        model="gpt-audio",
        timestamp=at(NOW),
        input_tokens=1_000,
        input_audio_tokens=800,
        output_tokens=500,
        output_audio_tokens=500,
    )
    # gpt-audio: text $2.50 / $10, audio $32 / $64 per M
    expected = (200 * Decimal("2.5") + 800 * 32 + 500 * 64) / Decimal(10**6)
    assert cost_of(span) == expected
    assert (span["input_audio_tokens"], span["output_audio_tokens"]) == (800, 500)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"cache_write_input_tokens": 10, "cache_write_1h_input_tokens": 11}, "cache_write_1h"),
        ({"cached_input_tokens": 60, "input_audio_tokens": 50}, "input_audio_tokens"),
        ({"output_tokens": 10, "reasoning_tokens": 6, "output_audio_tokens": 5}, "output_audio"),
    ],
    ids=["1h-over-writes", "audio-over-input", "audio-over-output"],
)
def test_a_part_above_its_whole_is_rejected_with_its_name(
    keyed: httpx.Client, fields: dict[str, int], named: str
) -> None:
    body = {"input_tokens": 100, **fields}
    response = keyed.post("/v1/events", json={"events": [event(**body)]})
    assert response.status_code == 200, response.text
    [rejected] = response.json()["rejected"]
    assert rejected["error"]["code"] == "invalid_event"
    assert named in rejected["error"]["message"]


def test_an_unknown_service_tier_is_rejected(keyed: httpx.Client) -> None:
    response = keyed.post("/v1/events", json={"events": [event(service_tier="turbo")]})
    [rejected] = response.json()["rejected"]
    assert "service_tier" in rejected["error"]["message"]
