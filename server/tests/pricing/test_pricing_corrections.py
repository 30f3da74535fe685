"""Our dated corrections of the catalogue (pricing/corrections.py): each one is still needed
(the installed genai-prices gets it wrong, shown through its own calc_price) and our price is the
provider's published one. When a genai-prices upgrade fixes an entry, the first assertion of its
test fails: delete the correction then."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from genai_prices import calc_price

from llmobserve_server.pricing import TokenUsage, price_event, quantize_cost
from llmobserve_server.pricing.catalog import to_genai_usage
from llmobserve_server.pricing.corrections import CORRECTIONS

M = 1_000_000
WEEKDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # a Tuesday
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
SATURDAY_NIGHT = datetime(2026, 12, 5, 20, 0, tzinfo=timezone.utc)


def ours(provider: str, model: str, usage: TokenUsage, ts: datetime = WEEKDAY_NOON) -> Decimal:
    return price_event(provider=provider, model=model, timestamp=ts, usage=usage).cost_usd


def catalogue(provider: str, model: str, usage: TokenUsage, ts: datetime = WEEKDAY_NOON) -> Decimal:
    result = calc_price(
        to_genai_usage(usage), model, provider_id=provider, genai_request_timestamp=ts
    )
    return quantize_cost(result.total_price)


LONG = TokenUsage(input_tokens=300_000, output_tokens=10_000)
LONG_EXPECTED = quantize_cost((300_000 * Decimal(6) + 10_000 * Decimal("22.5")) / M)


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("anthropic", "claude-sonnet-4-20250514"),
        ("anthropic", "claude-sonnet-4-0"),
        ("aws", "global.anthropic.claude-sonnet-4-20250514-v1:0"),
        ("aws", "us.anthropic.claude-sonnet-4-20250514-v1:0"),
    ],
)
def test_claude_sonnet_4_above_200k_input_is_billed_at_the_long_context_rates(
    provider: str, model: str
) -> None:
    assert catalogue(provider, model, LONG) != LONG_EXPECTED  # the catalogue lacks the tier
    assert ours(provider, model, LONG) == LONG_EXPECTED


def test_claude_sonnet_4_at_200k_input_keeps_the_base_rates() -> None:
    usage = TokenUsage(input_tokens=200_000, output_tokens=10_000)
    expected = quantize_cost((200_000 * Decimal(3) + 10_000 * Decimal(15)) / M)
    assert ours("anthropic", "claude-sonnet-4-0", usage) == expected


def test_claude_sonnet_4_on_bedrock_prices_one_hour_cache_writes() -> None:
    usage = TokenUsage(
        input_tokens=100_000, cache_write_input_tokens=100_000, cache_write_1h_input_tokens=100_000
    )
    model = "global.anthropic.claude-sonnet-4-20250514-v1:0"
    assert ours("aws", model, usage) == quantize_cost(100_000 * Decimal(6) / M)


def test_mistral_large_latest_is_mistral_large_3() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    assert catalogue("mistral", "mistral-large-latest", usage) == Decimal(8)  # Large 2's $2 / $6
    assert ours("mistral", "mistral-large-latest", usage) == Decimal(2)  # $0.50 + $1.50
    assert ours("mistral", "mistral-large-2407", usage) == Decimal(8)  # the pinned model stays


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
def test_deepseek_costs_its_september_2025_prices(model: str) -> None:
    usage = TokenUsage(input_tokens=M, cached_input_tokens=400_000, output_tokens=M)
    # V3.2-Exp, from 2025-09-29: $0.28 miss, $0.028 hit, $0.42 output per M
    expected = quantize_cost(
        (600_000 * Decimal("0.28") + 400_000 * Decimal("0.028")) / M + Decimal("0.42")
    )
    assert catalogue("deepseek", model, usage) != expected
    assert ours("deepseek", model, usage) == expected


def test_deepseek_between_the_v3_1_and_v3_2_releases_costs_the_v3_1_prices() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    ts = datetime(2025, 9, 15, 12, 0, tzinfo=timezone.utc)
    assert ours("deepseek", "deepseek-chat", usage, ts) == Decimal("2.24")  # $0.56 + $1.68


def test_deepseek_before_september_2025_keeps_the_catalogues_prices() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    ts = datetime(2025, 6, 3, 12, 0, tzinfo=timezone.utc)
    assert ours("deepseek", "deepseek-chat", usage, ts) == catalogue(
        "deepseek", "deepseek-chat", usage, ts
    )


def test_deepseek_has_no_time_of_day_price_since_september_2025_any_day() -> None:
    """The catalogue applies DeepSeek's old 16:30-00:30 UTC discount every day of the week (its
    time-of-day constraint knows no weekdays); DeepSeek ended the discount on 2025-09-05."""
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    assert catalogue("deepseek", "deepseek-chat", usage, SATURDAY_NOON) != catalogue(
        "deepseek", "deepseek-chat", usage, SATURDAY_NIGHT
    )
    prices = {
        ours("deepseek", "deepseek-chat", usage, ts)
        for ts in (WEEKDAY_NOON, SATURDAY_NOON, SATURDAY_NIGHT)
    }
    assert prices == {Decimal("0.7")}


@pytest.mark.parametrize("provider", ["vertex_ai", "google-vertex"])
def test_vertex_ai_gemini_2_0_flash_costs_vertex_prices(provider: str) -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    assert catalogue(provider, "gemini-2.0-flash", usage) == Decimal("0.5")  # the Gemini API's
    assert ours(provider, "gemini-2.0-flash", usage) == Decimal("0.75")  # $0.15 + $0.60


def test_the_gemini_api_keeps_its_own_prices() -> None:
    usage = TokenUsage(input_tokens=M, output_tokens=M)
    assert ours("google", "gemini-2.0-flash", usage) == Decimal("0.5")


def test_every_correction_names_its_source_and_date() -> None:
    for correction in CORRECTIONS.values():
        assert correction.source.startswith("https://")
        assert correction.checked.year >= 2025
