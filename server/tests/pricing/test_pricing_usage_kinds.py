"""Every usage kind the big providers bill is priced once, at its own price: 1-hour cache
writes, audio tokens, service tiers (the catalogue's variants, else our dated factors) and web
search fees (the catalogue's per-model price, else our per-unit table)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from genai_prices import Usage, calc_price

from llmobserve_server.pricing import PriceOverride, TokenUsage, price_event, quantize_cost
from llmobserve_server.pricing.catalog import ONE_HOUR_CACHE_WRITE_FACTOR, to_genai_usage
from llmobserve_server.pricing.tiers import TIER_FACTORS

TS = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
M = 1_000_000


def _cost(
    provider: str,
    model: str,
    usage: TokenUsage,
    *,
    tier: str | None = None,
    units: dict[str, float | int] | None = None,
    override: PriceOverride | None = None,
) -> Decimal:
    priced = price_event(
        provider=provider,
        model=model,
        timestamp=TS,
        usage=usage,
        units=units,
        service_tier=tier,
        override=override,
    )
    return priced.cost_usd


def _library(
    provider: str, model: str, usage: TokenUsage, context: dict[str, str] | None = None
) -> Decimal:
    result = calc_price(
        to_genai_usage(usage),
        model,
        provider_id=provider,
        genai_request_timestamp=TS,
        price_context=context,
    )
    return quantize_cost(result.total_price)


def test_one_hour_cache_writes_cost_the_catalogues_one_hour_price() -> None:
    usage = TokenUsage(
        input_tokens=100_000, cache_write_input_tokens=100_000, cache_write_1h_input_tokens=40_000
    )
    # claude-sonnet-4-0: $3.75 per M 5-minute writes, $6 per M 1-hour writes
    expected = (Decimal("3.75") * 60_000 + Decimal(6) * 40_000) / M
    assert _cost("anthropic", "claude-sonnet-4-0", usage) == quantize_cost(expected)
    assert _cost("anthropic", "claude-sonnet-4-0", usage) == _library(
        "anthropic", "claude-sonnet-4-0", usage
    )


def test_one_hour_cache_writes_without_a_catalogue_price_cost_twice_the_input_price() -> None:
    # Kimi K3 on Bedrock prices 5-minute writes but has no 1-hour price: 2x its $3 input.
    usage = TokenUsage(input_tokens=M, cache_write_input_tokens=M, cache_write_1h_input_tokens=M)
    cost = _cost("aws", "global.moonshotai.kimi-k3", usage)
    assert cost == quantize_cost(Decimal(3) * ONE_HOUR_CACHE_WRITE_FACTOR)


def test_audio_tokens_cost_the_models_audio_prices() -> None:
    usage = TokenUsage(
        input_tokens=10_000,
        input_audio_tokens=4_000,
        output_tokens=5_000,
        output_audio_tokens=3_000,
    )
    cost = _cost("openai", "gpt-audio", usage)
    assert cost == _library("openai", "gpt-audio", usage)
    text_only = _cost("openai", "gpt-audio", TokenUsage(input_tokens=10_000, output_tokens=5_000))
    assert cost > text_only


def test_batch_uses_the_catalogues_batch_variant_where_it_has_one() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    batch = _cost("anthropic", "claude-haiku-4-5", usage, tier="batch")
    assert batch == _library("anthropic", "claude-haiku-4-5", usage, {"processing": "batch"})
    assert batch == quantize_cost(Decimal(3))  # $0.50 + $2.50 per M, half of $1 + $5


def test_batch_without_a_catalogue_variant_takes_our_published_discount() -> None:
    usage = TokenUsage(input_tokens=100_000, output_tokens=M)
    standard = _cost("anthropic", "claude-sonnet-4-0", usage)
    batch = _cost("anthropic", "claude-sonnet-4-0", usage, tier="batch")
    assert batch == quantize_cost(standard * TIER_FACTORS[("anthropic", "batch")])
    assert batch == quantize_cost(Decimal("7.65"))  # ($0.30 + $15) / 2


def test_flex_and_priority_use_the_catalogues_variants() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    for tier in ("flex", "priority"):
        expected = _library("openai", "gpt-5", usage, {"service_tier": tier})
        assert _cost("openai", "gpt-5", usage, tier=tier) == expected
    assert _cost("openai", "gpt-5", usage, tier="flex") < _cost("openai", "gpt-5", usage)
    assert _cost("openai", "gpt-5", usage, tier="priority") > _cost("openai", "gpt-5", usage)


def test_standard_tier_and_no_tier_cost_the_same() -> None:
    usage = TokenUsage(input_tokens=123_456, output_tokens=7_890)
    assert _cost("openai", "gpt-5", usage, tier="standard") == _cost("openai", "gpt-5", usage)


def test_a_tier_unknown_for_the_provider_is_priced_as_standard() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    assert _cost("deepseek", "deepseek-chat", usage, tier="priority") == _cost(
        "deepseek", "deepseek-chat", usage
    )


def test_an_override_is_not_scaled_by_the_tier() -> None:
    override = PriceOverride(input_mtok=Decimal(1), output_mtok=Decimal(2))
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    assert _cost("openai", "gpt-5", usage, tier="batch", override=override) == quantize_cost(
        Decimal(3)
    )


def test_web_searches_cost_the_catalogues_per_model_fee() -> None:
    cost = _cost("anthropic", "claude-sonnet-4-0", TokenUsage(), units={"web_search_requests": 3})
    assert cost == quantize_cost(Decimal("0.03"))  # $10 per 1,000 searches


def test_web_searches_of_a_model_without_a_catalogue_fee_cost_the_table_price() -> None:
    # claude-3-haiku has no web search price in the catalogue: the Anthropic table price.
    cost = _cost("anthropic", "claude-3-haiku", TokenUsage(), units={"web_search_requests": 2})
    assert cost == quantize_cost(Decimal("0.02"))


def test_gemini_grounding_requests_cost_the_table_price() -> None:
    cost = _cost("google", "no-such-gemini", TokenUsage(), units={"grounding_requests": 1})
    assert cost == quantize_cost(Decimal("0.035"))


def test_web_search_fees_are_not_discounted_by_the_batch_tier() -> None:
    searches = {"web_search_requests": 10}
    assert _cost(
        "anthropic", "claude-sonnet-4-0", TokenUsage(), units=searches, tier="batch"
    ) == quantize_cost(Decimal("0.1"))


def test_long_context_tiers_still_apply_with_the_new_usage_kinds() -> None:
    usage = TokenUsage(
        input_tokens=250_000,
        cache_write_input_tokens=50_000,
        cache_write_1h_input_tokens=50_000,
        output_tokens=1_000,
    )
    assert _cost("anthropic", "claude-sonnet-4-5", usage) == _library(
        "anthropic", "claude-sonnet-4-5", usage
    )
    assert Usage  # the library's own usage type is what to_genai_usage builds
