"""Proof of accuracy: what each (provider, model, usage) costs, worked out by hand from the
provider's published price page, against what llmobserve charges. Every case must match to the
last of the 10 decimal places stored.

Each expected cost is written as the page's prices (USD per million tokens, or per 1,000
requests) times the counts, so that a reader can check it against the page. Pages read on
2026-12-07:

* OPENAI: https://openai.com/api/pricing/ and https://platform.openai.com/docs/pricing
  (Batch: https://platform.openai.com/docs/guides/batch; Flex: .../guides/flex-processing;
  Priority: https://openai.com/api-priority-processing/; web search: "Built-in tools")
* ANTHROPIC: https://docs.anthropic.com/en/docs/about-claude/pricing (cache writes: 5 minutes
  1.25x and 1 hour 2x the input price, cache reads 0.1x; batch 50 %; long context above 200k
  input tokens for Sonnet 4 / 4.5; web search $10 per 1,000)
* GOOGLE: https://ai.google.dev/gemini-api/docs/pricing (Gemini 2.5 Pro above 200k prompt
  tokens; audio input prices; Batch Mode 50 %; Grounding with Google Search $35 per 1,000)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from llmobserve_server.pricing import TokenUsage, price_event, quantize_cost

TS = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # a Tuesday, 12:00 UTC
M = Decimal(1_000_000)
K = Decimal(1_000)


def d(text: str) -> Decimal:
    return Decimal(text)


@dataclass(frozen=True)
class Case:
    id: str
    provider: str
    model: str
    usage: TokenUsage
    expected: Decimal
    tier: str | None = None
    units: dict[str, float | int] = field(default_factory=dict)


def u(**counts: int) -> TokenUsage:
    return TokenUsage(**counts)


CASES = [
    # -- OpenAI (OPENAI) ---------------------------------------------------------------------
    Case(
        "gpt-4o-mini plain",
        "openai",
        "gpt-4o-mini",
        u(input_tokens=12_000, output_tokens=800),
        (12_000 * d("0.15") + 800 * d("0.60")) / M,
    ),
    Case(
        "gpt-4o-mini cached read",
        "openai",
        "gpt-4o-mini",
        u(input_tokens=10_000, cached_input_tokens=8_192, output_tokens=500),
        (1_808 * d("0.15") + 8_192 * d("0.075") + 500 * d("0.60")) / M,
    ),
    Case(
        "gpt-4.1 plain",
        "openai",
        "gpt-4.1",
        u(input_tokens=50_000, output_tokens=2_000),
        (50_000 * d("2") + 2_000 * d("8")) / M,
    ),
    Case(
        "gpt-4.1 cached read",
        "openai",
        "gpt-4.1",
        u(input_tokens=50_000, cached_input_tokens=40_000, output_tokens=2_000),
        (10_000 * d("2") + 40_000 * d("0.50") + 2_000 * d("8")) / M,
    ),
    Case(
        "gpt-4.1-mini plain",
        "openai",
        "gpt-4.1-mini",
        u(input_tokens=30_000, output_tokens=3_000),
        (30_000 * d("0.40") + 3_000 * d("1.60")) / M,
    ),
    Case(
        "gpt-5 reasoning tokens are output",
        "openai",
        "gpt-5",
        u(input_tokens=4_000, output_tokens=6_000, reasoning_tokens=5_000),
        (4_000 * d("1.25") + 6_000 * d("10")) / M,
    ),
    Case(
        "gpt-5 cached read",
        "openai",
        "gpt-5",
        u(input_tokens=100_000, cached_input_tokens=90_000, output_tokens=1_000),
        (10_000 * d("1.25") + 90_000 * d("0.125") + 1_000 * d("10")) / M,
    ),
    Case(
        "gpt-5 batch",
        "openai",
        "gpt-5",
        u(input_tokens=1_000_000, output_tokens=100_000),
        (1_000_000 * d("0.625") + 100_000 * d("5")) / M,
        tier="batch",
    ),
    Case(
        "gpt-5 flex",
        "openai",
        "gpt-5",
        u(input_tokens=200_000, output_tokens=20_000),
        (200_000 * d("0.625") + 20_000 * d("5")) / M,
        tier="flex",
    ),
    Case(
        "gpt-5 flex cached read",
        "openai",
        "gpt-5",
        u(input_tokens=200_000, cached_input_tokens=100_000, output_tokens=20_000),
        (100_000 * d("0.625") + 100_000 * d("0.0625") + 20_000 * d("5")) / M,
        tier="flex",
    ),
    Case(
        "gpt-5 priority",
        "openai",
        "gpt-5",
        u(input_tokens=10_000, output_tokens=1_000),
        (10_000 * d("2.50") + 1_000 * d("20")) / M,
        tier="priority",
    ),
    Case(
        "gpt-5 standard tier",
        "openai",
        "gpt-5",
        u(input_tokens=10_000, output_tokens=1_000),
        (10_000 * d("1.25") + 1_000 * d("10")) / M,
        tier="standard",
    ),
    Case(
        "gpt-5-mini plain",
        "openai",
        "gpt-5-mini",
        u(input_tokens=80_000, output_tokens=4_000),
        (80_000 * d("0.25") + 4_000 * d("2")) / M,
    ),
    Case(
        "gpt-5-mini batch",
        "openai",
        "gpt-5-mini",
        u(input_tokens=80_000, output_tokens=4_000),
        (80_000 * d("0.125") + 4_000 * d("1")) / M,
        tier="batch",
    ),
    Case(
        "o3 reasoning",
        "openai",
        "o3",
        u(input_tokens=2_000, output_tokens=9_000, reasoning_tokens=8_000),
        (2_000 * d("2") + 9_000 * d("8")) / M,
    ),
    Case(
        "o4-mini reasoning",
        "openai",
        "o4-mini",
        u(input_tokens=3_000, output_tokens=5_000, reasoning_tokens=4_500),
        (3_000 * d("1.10") + 5_000 * d("4.40")) / M,
    ),
    Case(
        "gpt-5 web search",
        "openai",
        "gpt-5",
        u(input_tokens=1_000, output_tokens=100),
        (1_000 * d("1.25") + 100 * d("10")) / M + 3 * d("10") / K,
        units={"web_search_requests": 3},
    ),
    Case(
        "gpt-4.1 web search",
        "openai",
        "gpt-4.1",
        u(),
        5 * d("10") / K,
        units={"web_search_requests": 5},
    ),
    Case(
        "gpt-audio audio in and out",
        "openai",
        "gpt-audio",
        u(
            input_tokens=5_000,
            input_audio_tokens=3_000,
            output_tokens=2_000,
            output_audio_tokens=1_500,
        ),
        (2_000 * d("2.50") + 3_000 * d("32") + 500 * d("10") + 1_500 * d("64")) / M,
    ),
    Case(
        "gpt-audio text only",
        "openai",
        "gpt-audio",
        u(input_tokens=5_000, output_tokens=2_000),
        (5_000 * d("2.50") + 2_000 * d("10")) / M,
    ),
    Case(
        "gpt-realtime audio with cached text",
        "openai",
        "gpt-realtime",
        u(
            input_tokens=10_000,
            cached_input_tokens=4_000,
            input_audio_tokens=5_000,
            output_tokens=3_000,
            output_audio_tokens=2_500,
        ),
        (1_000 * d("4") + 4_000 * d("0.40") + 5_000 * d("32") + 500 * d("16") + 2_500 * d("64"))
        / M,
    ),
    Case(
        "text-embedding-3-small",
        "openai",
        "text-embedding-3-small",
        u(input_tokens=1_000_000),
        1_000_000 * d("0.02") / M,
    ),
    Case(
        "text-embedding-3-large",
        "openai",
        "text-embedding-3-large",
        u(input_tokens=250_000),
        250_000 * d("0.13") / M,
    ),
    Case(
        "text-embedding-ada-002",
        "openai",
        "text-embedding-ada-002",
        u(input_tokens=40_000),
        40_000 * d("0.10") / M,
    ),
    # -- Anthropic (ANTHROPIC) ---------------------------------------------------------------
    Case(
        "sonnet 4 plain",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(input_tokens=20_000, output_tokens=1_000),
        (20_000 * d("3") + 1_000 * d("15")) / M,
    ),
    Case(
        "sonnet 4 cached read",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(input_tokens=60_000, cached_input_tokens=50_000, output_tokens=1_000),
        (10_000 * d("3") + 50_000 * d("0.30") + 1_000 * d("15")) / M,
    ),
    Case(
        "sonnet 4 5-minute write",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(input_tokens=60_000, cache_write_input_tokens=50_000, output_tokens=1_000),
        (10_000 * d("3") + 50_000 * d("3.75") + 1_000 * d("15")) / M,
    ),
    Case(
        "sonnet 4 1-hour write",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(
            input_tokens=60_000,
            cache_write_input_tokens=50_000,
            cache_write_1h_input_tokens=50_000,
            output_tokens=1_000,
        ),
        (10_000 * d("3") + 50_000 * d("6") + 1_000 * d("15")) / M,
    ),
    Case(
        "sonnet 4 mixed writes and reads",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(
            input_tokens=100_000,
            cached_input_tokens=40_000,
            cache_write_input_tokens=30_000,
            cache_write_1h_input_tokens=10_000,
            output_tokens=2_000,
        ),
        (
            30_000 * d("3")
            + 40_000 * d("0.30")
            + 20_000 * d("3.75")
            + 10_000 * d("6")
            + 2_000 * d("15")
        )
        / M,
    ),
    Case(
        "sonnet 4 batch",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(input_tokens=100_000, output_tokens=10_000),
        (100_000 * d("1.50") + 10_000 * d("7.50")) / M,
        tier="batch",
    ),
    Case(
        "sonnet 4.5 long context",
        "anthropic",
        "claude-sonnet-4-5",
        u(input_tokens=300_000, output_tokens=4_000),
        (300_000 * d("6") + 4_000 * d("22.50")) / M,
    ),
    Case(
        "sonnet 4.5 long context with cache",
        "anthropic",
        "claude-sonnet-4-5",
        u(
            input_tokens=250_000,
            cached_input_tokens=100_000,
            cache_write_input_tokens=50_000,
            output_tokens=1_000,
        ),
        (100_000 * d("6") + 100_000 * d("0.60") + 50_000 * d("7.50") + 1_000 * d("22.50")) / M,
    ),
    Case(
        "sonnet 4.5 at exactly 200k is not long context",
        "anthropic",
        "claude-sonnet-4-5",
        u(input_tokens=200_000, output_tokens=1_000),
        (200_000 * d("3") + 1_000 * d("15")) / M,
    ),
    Case(
        "sonnet 4.5 thinking tokens are output",
        "anthropic",
        "claude-sonnet-4-5",
        u(input_tokens=5_000, output_tokens=8_000, reasoning_tokens=7_000),
        (5_000 * d("3") + 8_000 * d("15")) / M,
    ),
    Case(
        "opus 4.1 1-hour write",
        "anthropic",
        "claude-opus-4-1",
        u(
            input_tokens=20_000,
            cache_write_input_tokens=20_000,
            cache_write_1h_input_tokens=20_000,
            output_tokens=500,
        ),
        (20_000 * d("30") + 500 * d("75")) / M,
    ),
    Case(
        "opus 4.1 cached read",
        "anthropic",
        "claude-opus-4-1",
        u(input_tokens=20_000, cached_input_tokens=18_000, output_tokens=500),
        (2_000 * d("15") + 18_000 * d("1.50") + 500 * d("75")) / M,
    ),
    Case(
        "haiku 4.5 5-minute write",
        "anthropic",
        "claude-haiku-4-5",
        u(input_tokens=10_000, cache_write_input_tokens=8_000, output_tokens=300),
        (2_000 * d("1") + 8_000 * d("1.25") + 300 * d("5")) / M,
    ),
    Case(
        "haiku 4.5 batch",
        "anthropic",
        "claude-haiku-4-5",
        u(input_tokens=10_000, output_tokens=300),
        (10_000 * d("0.50") + 300 * d("2.50")) / M,
        tier="batch",
    ),
    Case(
        "haiku 3.5 1-hour write",
        "anthropic",
        "claude-3-5-haiku-latest",
        u(input_tokens=10_000, cache_write_input_tokens=10_000, cache_write_1h_input_tokens=10_000),
        10_000 * d("1.60") / M,
    ),
    Case(
        "sonnet 4 web search",
        "anthropic",
        "claude-sonnet-4-20250514",
        u(input_tokens=2_000, output_tokens=200),
        (2_000 * d("3") + 200 * d("15")) / M + 4 * d("10") / K,
        units={"web_search_requests": 4},
    ),
    Case(
        "haiku 4.5 web search in a batch is not discounted",
        "anthropic",
        "claude-haiku-4-5",
        u(input_tokens=2_000, output_tokens=200),
        (2_000 * d("0.50") + 200 * d("2.50")) / M + 2 * d("10") / K,
        tier="batch",
        units={"web_search_requests": 2},
    ),
    # -- Google Gemini API (GOOGLE) ----------------------------------------------------------
    Case(
        "gemini 2.5 pro",
        "google",
        "gemini-2.5-pro",
        u(input_tokens=100_000, output_tokens=5_000),
        (100_000 * d("1.25") + 5_000 * d("10")) / M,
    ),
    Case(
        "gemini 2.5 pro long context",
        "google",
        "gemini-2.5-pro",
        u(input_tokens=300_000, output_tokens=5_000),
        (300_000 * d("2.50") + 5_000 * d("15")) / M,
    ),
    Case(
        "gemini 2.5 pro cached read",
        "google",
        "gemini-2.5-pro",
        u(input_tokens=100_000, cached_input_tokens=60_000, output_tokens=5_000),
        (40_000 * d("1.25") + 60_000 * d("0.125") + 5_000 * d("10")) / M,
    ),
    Case(
        "gemini 2.5 flash thinking is output",
        "google",
        "gemini-2.5-flash",
        u(input_tokens=10_000, output_tokens=3_000, reasoning_tokens=2_000),
        (10_000 * d("0.30") + 3_000 * d("2.50")) / M,
    ),
    Case(
        "gemini 2.5 flash audio input",
        "google",
        "gemini-2.5-flash",
        u(input_tokens=10_000, input_audio_tokens=6_000, output_tokens=1_000),
        (4_000 * d("0.30") + 6_000 * d("1.00") + 1_000 * d("2.50")) / M,
    ),
    Case(
        "gemini 2.0 flash audio input",
        "google",
        "gemini-2.0-flash",
        u(input_tokens=10_000, input_audio_tokens=10_000, output_tokens=1_000),
        (10_000 * d("0.70") + 1_000 * d("0.40")) / M,
    ),
    Case(
        "gemini 2.5 flash batch",
        "google",
        "gemini-2.5-flash",
        u(input_tokens=100_000, output_tokens=10_000),
        (100_000 * d("0.15") + 10_000 * d("1.25")) / M,
        tier="batch",
    ),
    Case(
        "gemini 2.5 flash grounding",
        "google",
        "gemini-2.5-flash",
        u(input_tokens=1_000, output_tokens=100),
        (1_000 * d("0.30") + 100 * d("2.50")) / M + 2 * d("35") / K,
        units={"grounding_requests": 2},
    ),
]


def test_the_table_covers_every_usage_kind() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
    kinds = {
        "cached reads": any(c.usage.cached_input_tokens for c in CASES),
        "5-minute writes": any(
            c.usage.cache_write_input_tokens > c.usage.cache_write_1h_input_tokens for c in CASES
        ),
        "1-hour writes": any(c.usage.cache_write_1h_input_tokens for c in CASES),
        "reasoning": any(c.usage.reasoning_tokens for c in CASES),
        "long context": any(c.usage.input_tokens > 200_000 for c in CASES),
        "batch": any(c.tier == "batch" for c in CASES),
        "flex": any(c.tier == "flex" for c in CASES),
        "audio": any(c.usage.input_audio_tokens and c.usage.output_audio_tokens for c in CASES),
        "web search": any("web_search_requests" in c.units for c in CASES),
        "embeddings": any("embedding" in c.model for c in CASES),
    }
    assert all(kinds.values()), kinds


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_cost_matches_the_providers_price_page(case: Case) -> None:
    priced = price_event(
        provider=case.provider,
        model=case.model,
        timestamp=TS,
        usage=case.usage,
        units=case.units or None,
        service_tier=case.tier,
    )
    assert priced.cost_source == "catalog"
    assert priced.cost_usd == quantize_cost(case.expected)
