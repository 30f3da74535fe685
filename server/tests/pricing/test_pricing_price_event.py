"""price_event's decision order: override, catalogue, unit table, client cost, unknown."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from genai_prices import Usage, calc_price

from llmobserve_server.pricing import (
    PricedEvent,
    PriceOverride,
    TokenUsage,
    price_event,
    quantize_cost,
)

TS = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)
USAGE = TokenUsage(input_tokens=10_000, cached_input_tokens=4_000, output_tokens=1_000)


def _gpt_4o_mini_catalog_cost() -> Decimal:
    usage = Usage(input_tokens=10_000, cache_read_tokens=4_000, output_tokens=1_000)
    result = calc_price(usage, "gpt-4o-mini", provider_id="openai", genai_request_timestamp=TS)
    return quantize_cost(result.total_price)


def test_known_model_is_priced_from_the_catalogue() -> None:
    priced = price_event(provider="openai", model="gpt-4o-mini", timestamp=TS, usage=USAGE)
    assert priced == PricedEvent(_gpt_4o_mini_catalog_cost(), "catalog")


def test_costs_have_ten_decimal_places() -> None:
    priced = price_event(provider="openai", model="gpt-4o-mini", timestamp=TS, usage=USAGE)
    assert priced.cost_usd.as_tuple().exponent == -10


def test_costs_are_rounded_half_even() -> None:
    assert quantize_cost(Decimal("0.00000000015")) == Decimal("0.0000000002")
    assert quantize_cost(Decimal("0.00000000025")) == Decimal("0.0000000002")
    override = PriceOverride(input_mtok=Decimal("0.00025"))
    priced = price_event(
        provider="x", model="y", timestamp=TS, usage=TokenUsage(input_tokens=1), override=override
    )
    assert priced.cost_usd == Decimal("0.0000000002")


def test_override_wins_over_the_catalogue() -> None:
    override = PriceOverride(
        input_mtok=Decimal("1"), cached_input_mtok=Decimal("0.5"), output_mtok=Decimal("2")
    )
    priced = price_event(
        provider="openai", model="gpt-4o-mini", timestamp=TS, usage=USAGE, override=override
    )
    # 6,000 uncached * $1 + 4,000 cached * $0.50 + 1,000 output * $2, per million
    assert priced == PricedEvent(Decimal("0.0100000000"), "override")


def test_override_without_cache_prices_charges_cached_tokens_at_the_input_price() -> None:
    override = PriceOverride(input_mtok=Decimal("1"), output_mtok=Decimal("2"))
    usage = TokenUsage(
        input_tokens=10_000,
        cached_input_tokens=4_000,
        cache_write_input_tokens=1_000,
        output_tokens=1_000,
    )
    priced = price_event(
        provider="anthropic",
        model="claude-3-5-sonnet",
        timestamp=TS,
        usage=usage,
        override=override,
    )
    assert priced == PricedEvent(Decimal("0.0120000000"), "override")


def test_override_cache_write_price_is_used() -> None:
    override = PriceOverride(
        input_mtok=Decimal("3"),
        cached_input_mtok=Decimal("0.3"),
        cache_write_mtok=Decimal("3.75"),
        output_mtok=Decimal("15"),
    )
    usage = TokenUsage(
        input_tokens=10_000,
        cached_input_tokens=4_000,
        cache_write_input_tokens=2_000,
        output_tokens=1_000,
    )
    priced = price_event(
        provider="anthropic", model="m", timestamp=TS, usage=usage, override=override
    )
    # (4,000 * 3 + 4,000 * 0.3 + 2,000 * 3.75 + 1,000 * 15) / 1e6
    assert priced == PricedEvent(Decimal("0.0357000000"), "override")


def test_override_prices_a_model_the_catalogue_does_not_know() -> None:
    override = PriceOverride(input_mtok=Decimal("0.1"), output_mtok=Decimal("0.1"))
    priced = price_event(
        provider="self-hosted", model="my-llama", timestamp=TS, usage=USAGE, override=override
    )
    assert priced == PricedEvent(Decimal("0.0011000000"), "override")


def test_units_only_override_leaves_tokens_to_the_catalogue() -> None:
    override = PriceOverride(units={"web_searches": Decimal("0.01")})
    priced = price_event(
        provider="openai", model="gpt-4o-mini", timestamp=TS, usage=USAGE, override=override
    )
    assert priced == PricedEvent(_gpt_4o_mini_catalog_cost(), "catalog")


def test_client_cost_is_used_for_an_unknown_model() -> None:
    priced = price_event(
        provider="acme",
        model="in-house-model",
        timestamp=TS,
        usage=USAGE,
        client_cost_usd=Decimal("0.0123"),
    )
    assert priced == PricedEvent(Decimal("0.0123000000"), "client")


def test_client_cost_is_ignored_for_a_known_model() -> None:
    priced = price_event(
        provider="openai",
        model="gpt-4o-mini",
        timestamp=TS,
        usage=USAGE,
        client_cost_usd=Decimal("99"),
    )
    assert priced == PricedEvent(_gpt_4o_mini_catalog_cost(), "catalog")


def test_unknown_model_without_client_cost_costs_zero() -> None:
    priced = price_event(provider="acme", model="in-house-model", timestamp=TS, usage=USAGE)
    assert priced == PricedEvent(Decimal(0), "unknown_model")
    assert priced.cost_usd.as_tuple().exponent == -10


def test_missing_model_is_unknown() -> None:
    priced = price_event(provider="openai", model=None, timestamp=TS, usage=USAGE)
    assert priced.cost_source == "unknown_model"


def test_pinecone_units_are_priced_from_the_table() -> None:
    priced = price_event(
        provider="pinecone",
        model=None,
        timestamp=TS,
        usage=TokenUsage(),
        units={"read_units": 5, "write_units": 2},
        client_cost_usd=Decimal("1"),
    )
    assert priced == PricedEvent(Decimal("0.0000880000"), "catalog")


def test_override_units_win_over_the_table() -> None:
    override = PriceOverride(units={"read_units": Decimal("0.000024")})
    priced = price_event(
        provider="pinecone",
        model="my-index",
        timestamp=TS,
        usage=TokenUsage(),
        units={"read_units": 5, "write_units": 2},
        override=override,
    )
    # 5 * $24/M (override) + 2 * $4/M (table)
    assert priced == PricedEvent(Decimal("0.0001280000"), "override")


def test_token_and_unit_costs_are_summed() -> None:
    priced = price_event(
        provider="openai",
        model="gpt-4o-mini",
        timestamp=TS,
        usage=USAGE,
        units={"web_searches": 1},
        override=PriceOverride(units={"web_searches": Decimal("0.01")}),
    )
    assert priced == PricedEvent(_gpt_4o_mini_catalog_cost() + Decimal("0.01"), "override")


def test_unpriced_units_fall_through_to_client_cost() -> None:
    priced = price_event(
        provider="pinecone",
        model=None,
        timestamp=TS,
        usage=TokenUsage(),
        units={"storage_gb": 3},
        client_cost_usd=Decimal("0.5"),
    )
    assert priced == PricedEvent(Decimal("0.5000000000"), "client")


def test_model_given_without_provider_is_found() -> None:
    priced = price_event(provider=None, model="gpt-4o-mini", timestamp=TS, usage=USAGE)
    assert priced == PricedEvent(_gpt_4o_mini_catalog_cost(), "catalog")
