"""The cached catalogue path must give exactly what genai_prices.calc_price gives."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import ModelPrice

from llmobserve_server.pricing import (
    PricedEvent,
    TokenUsage,
    lookup_model,
    price_event,
    quantize_cost,
)
from llmobserve_server.pricing.catalog import (
    LOOKUP_CACHE_SIZE,
    CatalogModel,
    _lookup,
    compile_rate_card,
)

TS = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)


def _priced(provider: str | None, model: str, usage: TokenUsage, ts: datetime = TS) -> PricedEvent:
    return price_event(provider=provider, model=model, timestamp=ts, usage=usage)


def _library(usage: Usage, model: str, provider: str | None, ts: datetime = TS) -> Decimal:
    result = calc_price(usage, model, provider_id=provider, genai_request_timestamp=ts)
    return quantize_cost(result.total_price)


def test_gpt_4o_mini_with_cached_tokens_matches_genai_prices() -> None:
    usage = TokenUsage(input_tokens=12_345, cached_input_tokens=4_096, output_tokens=789)
    expected = _library(
        Usage(input_tokens=12_345, cache_read_tokens=4_096, output_tokens=789),
        "gpt-4o-mini",
        "openai",
    )
    assert _priced("openai", "gpt-4o-mini", usage) == PricedEvent(expected, "catalog")


@pytest.mark.parametrize("model", ["claude-3-5-sonnet", "claude-sonnet-4-20250514"])
def test_claude_cache_reads_and_writes_match_genai_prices(model: str) -> None:
    usage = TokenUsage(
        input_tokens=50_000,
        cached_input_tokens=30_000,
        cache_write_input_tokens=15_000,
        output_tokens=2_000,
    )
    expected = _library(
        Usage(
            input_tokens=50_000,
            cache_read_tokens=30_000,
            cache_write_tokens=15_000,
            output_tokens=2_000,
        ),
        model,
        "anthropic",
    )
    priced = _priced("anthropic", model, usage)
    assert priced == PricedEvent(expected, "catalog")
    # cache reads/writes have their own prices: not the same as all 50k at the input price
    plain = _priced("anthropic", model, TokenUsage(input_tokens=50_000, output_tokens=2_000))
    assert priced.cost_usd != plain.cost_usd


def test_embedding_model_matches_genai_prices() -> None:
    expected = _library(Usage(input_tokens=81_920), "text-embedding-3-small", "openai")
    priced = _priced("openai", "text-embedding-3-small", TokenUsage(input_tokens=81_920))
    assert priced == PricedEvent(expected, "catalog")
    assert priced.cost_usd > 0


def test_price_in_force_at_the_event_timestamp_is_used() -> None:
    # OpenAI cut o3 from $10/$40 to $2/$8 per MTok on 2025-06-10; the bundled data has both.
    usage = TokenUsage(input_tokens=100_000, output_tokens=10_000)
    before = datetime(2025, 6, 9, 23, 0, tzinfo=timezone.utc)
    after = datetime(2025, 6, 10, 1, 0, tzinfo=timezone.utc)
    library_usage = Usage(input_tokens=100_000, output_tokens=10_000)
    priced_before = _priced("openai", "o3", usage, before)
    priced_after = _priced("openai", "o3", usage, after)
    assert priced_before.cost_usd == _library(library_usage, "o3", "openai", before)
    assert priced_after.cost_usd == _library(library_usage, "o3", "openai", after)
    assert priced_before.cost_usd == 5 * priced_after.cost_usd


def test_time_of_day_price_window_is_honoured() -> None:
    # DeepSeek's off-peak discount depends on the time of day, so prices aren't cached per date.
    usage = TokenUsage(input_tokens=100_000, cached_input_tokens=20_000, output_tokens=5_000)
    library_usage = Usage(input_tokens=100_000, cache_read_tokens=20_000, output_tokens=5_000)
    peak = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)
    off_peak = datetime(2025, 7, 1, 20, 0, tzinfo=timezone.utc)
    priced_peak = _priced("deepseek", "deepseek-chat", usage, peak)
    priced_off_peak = _priced("deepseek", "deepseek-chat", usage, off_peak)
    assert priced_peak.cost_usd == _library(library_usage, "deepseek-chat", "deepseek", peak)
    assert priced_off_peak.cost_usd == _library(
        library_usage, "deepseek-chat", "deepseek", off_peak
    )
    assert priced_off_peak.cost_usd < priced_peak.cost_usd


def test_naive_timestamp_is_taken_as_utc() -> None:
    usage = TokenUsage(input_tokens=1_000, output_tokens=1_000)
    naive = datetime(2025, 6, 9, 23, 30)
    assert _priced("openai", "o3", usage, naive) == _priced(
        "openai", "o3", usage, naive.replace(tzinfo=timezone.utc)
    )


def test_tiered_price_above_threshold_matches_genai_prices() -> None:
    # gemini-3-pro-preview charges more per token once the prompt passes 200k tokens
    ts = datetime(2026, 2, 1, tzinfo=timezone.utc)
    for n_input in (100_000, 300_000):
        usage = TokenUsage(input_tokens=n_input, cached_input_tokens=50_000, output_tokens=4_000)
        library_usage = Usage(input_tokens=n_input, cache_read_tokens=50_000, output_tokens=4_000)
        expected = _library(library_usage, "gemini-3-pro-preview", "google", ts)
        assert _priced("google", "gemini-3-pro-preview", usage, ts).cost_usd == expected


def test_reasoning_tokens_are_priced_once_as_output() -> None:
    with_reasoning = TokenUsage(input_tokens=1_000, output_tokens=5_000, reasoning_tokens=4_000)
    without = TokenUsage(input_tokens=1_000, output_tokens=5_000)
    assert _priced("openai", "o3", with_reasoning) == _priced("openai", "o3", without)


def test_separate_reasoning_price_is_used_when_the_catalogue_has_one() -> None:
    # Perplexity bills sonar-deep-research reasoning tokens at their own rate.
    usage = TokenUsage(input_tokens=1_000, output_tokens=5_000, reasoning_tokens=4_000)
    expected = _library(
        Usage(input_tokens=1_000, output_tokens=5_000, output_reasoning_tokens=4_000),
        "sonar-deep-research",
        "perplexity",
    )
    assert _priced("perplexity", "sonar-deep-research", usage).cost_usd == expected


def test_per_request_fee_is_included() -> None:
    expected = _library(Usage(input_tokens=10, output_tokens=10), "sonar", "perplexity")
    priced = _priced("perplexity", "sonar", TokenUsage(input_tokens=10, output_tokens=10))
    assert priced.cost_usd == expected
    assert priced.cost_usd > Decimal("0.01")  # $12 per thousand requests


def _price_tables() -> list[tuple[str, str, ModelPrice]]:
    tables: list[tuple[str, str, ModelPrice]] = []
    for provider in get_snapshot().providers:
        for model in provider.models:
            if isinstance(model.prices, ModelPrice):
                tables.append((provider.id, model.id, model.prices))
            else:
                tables.extend((provider.id, model.id, c.prices) for c in model.prices)
    return tables


_SWEEP_USAGES = [
    TokenUsage(
        input_tokens=1_000, cached_input_tokens=300, cache_write_input_tokens=100,
        output_tokens=700, reasoning_tokens=200,
    ),
    TokenUsage(
        input_tokens=1_234_567, cached_input_tokens=234_567, cache_write_input_tokens=12_345,
        output_tokens=345_678, reasoning_tokens=45_678,
    ),
]  # fmt: skip


def test_every_bundled_price_table_compiles_and_matches_genai_prices() -> None:
    tables = _price_tables()
    assert len(tables) > 2_000
    for provider_id, model_id, table in tables:
        card = compile_rate_card(table)
        assert card is not None, (provider_id, model_id)
        for usage in _SWEEP_USAGES:
            expected = table.calc_price(
                Usage(
                    input_tokens=usage.input_tokens,
                    cache_read_tokens=usage.cached_input_tokens,
                    cache_write_tokens=usage.cache_write_input_tokens,
                    output_tokens=usage.output_tokens,
                    output_reasoning_tokens=usage.reasoning_tokens,
                )
            )["total_price"]
            assert card.cost(usage) == expected, (provider_id, model_id, usage)


def test_uncompilable_price_table_is_priced_by_the_library() -> None:
    found = lookup_model("openai", "gpt-4o-mini")
    assert found is not None
    slow = CatalogModel(
        found.provider_id,
        found.model_id,
        found.info,
        tuple((table, None) for table, _ in found.cards),
    )
    usage = TokenUsage(input_tokens=5_000, cached_input_tokens=1_000, output_tokens=300)
    assert slow.token_cost(usage, TS) == found.token_cost(usage, TS)


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("openai", "gpt-4o-mini"),
        ("openai", "GPT-4o-mini-2024-07-18"),
        (None, "gpt-4o-mini"),
        (None, "claude-3-5-sonnet-latest"),
        ("anthropic", "claude-sonnet-4-20250514"),
        ("azure", "gpt-4o"),
        ("google", "claude-opus-4-6"),
        ("Anthropic", "claude-3-5-haiku"),
        ("litellm", "openai/gpt-4o"),
        ("litellm", "gpt-4o"),
        ("bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
        ("x-ai", "grok-3"),
        ("mistral", "mistral-large-2411"),
    ],
)
def test_lookup_resolves_models_like_genai_prices(provider: str | None, model: str) -> None:
    """The same model (our corrections may add price tables to it: tests/pricing/
    test_pricing_corrections.py; an alias they redirect is not resolved like the library)."""
    library_provider, library_model = get_snapshot().find_provider_model(
        model, None, provider, None
    )
    found = lookup_model(provider, model)
    assert found is not None
    assert (found.provider_id, found.model_id) == (library_provider.id, library_model.id)
    assert found.info.match == library_model.match


def test_model_without_provider_is_found() -> None:
    found = lookup_model(None, "gpt-4o-mini")
    assert found is not None
    assert (found.provider_id, found.model_id) == ("openai", "gpt-4o-mini")


def test_unknown_provider_falls_back_to_the_model_name() -> None:
    found = lookup_model("my-gateway", "gpt-4o-mini")
    assert found is not None
    assert found.provider_id == "openai"


def test_known_provider_that_lacks_the_model_finds_nothing() -> None:
    assert lookup_model("openai", "claude-3-5-sonnet") is None


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        (None, None),
        (None, ""),
        ("", "   "),
        ("openai", "no-such-model-xyz"),
        ("no-such-provider", "no-such-model"),
        (None, "no-such-model"),
        ("litellm", "/"),
        ("litellm", "nope/gpt-4o"),
        ("openai", "gpt-4o-20250231"),
        ("💸", "模型\x00" * 100),
        ("openai", "(" * 50),
    ],
)
def test_odd_provider_and_model_strings_never_raise(
    provider: str | None, model: str | None
) -> None:
    assert lookup_model(provider, model) is None
    priced = price_event(provider=provider, model=model, timestamp=TS, usage=TokenUsage(5, 0, 0, 5))
    assert priced.cost_source == "unknown_model"


def test_lookup_cache_is_bounded_and_caches_misses() -> None:
    assert _lookup.cache_info().maxsize == LOOKUP_CACHE_SIZE
    lookup_model("no-such-provider", "never-seen-model")
    hits = _lookup.cache_info().hits
    lookup_model("no-such-provider", "never-seen-model")
    assert _lookup.cache_info().hits == hits + 1
