"""The providers the SDK names from an OpenAI-compatible client's host (its table in
llmobserve.integrations._endpoints) are priced at their own catalogue prices; a host the table
does not know is priced by the account's price only, never as a namesake's model."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from llmobserve.integrations._endpoints import HOSTS, SUFFIXES
from llmobserve_server.pricing import (
    PricedEvent,
    PriceOverride,
    TokenUsage,
    price_event,
    quantize_cost,
)

TS = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)
USAGE = TokenUsage(input_tokens=10_000, output_tokens=1_000)

# provider id -> a model as that provider's API reports it
REPORTED_MODELS = {
    "openai": "gpt-4o-mini-2024-07-18",
    "azure": "gpt-4o-2024-08-06",
    "deepseek": "deepseek-chat",
    "groq": "llama-3.3-70b-versatile",
    "x-ai": "grok-3",
    "openrouter": "openai/gpt-4o-mini",
    "together": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "fireworks": "accounts/fireworks/models/llama-v3p1-8b-instruct",
    "mistral": "mistral-small-latest",
    "google": "gemini-2.0-flash",
    "perplexity": "sonar",
    "cerebras": "llama3.1-8b",
}
TABLE_PROVIDERS = sorted(
    {row.provider for row in HOSTS.values()} | {r.provider for _, r in SUFFIXES}
)


def test_every_provider_of_the_sdk_table_has_a_model_tested_here() -> None:
    assert sorted(REPORTED_MODELS) == TABLE_PROVIDERS


@pytest.mark.parametrize("provider", TABLE_PROVIDERS)
def test_a_table_provider_is_priced_at_its_own_catalogue_price(provider: str) -> None:
    model = REPORTED_MODELS[provider]
    expected = calc_price(
        Usage(input_tokens=10_000, output_tokens=1_000),
        model,
        provider_id=provider,
        genai_request_timestamp=TS,
    )
    assert expected.provider.id == provider

    priced = price_event(provider=provider, model=model, timestamp=TS, usage=USAGE)

    assert priced == PricedEvent(quantize_cost(expected.total_price), "catalog")
    assert priced.cost_usd > 0


def test_a_model_of_openai_served_by_deepseek_is_not_priced_at_openai_prices() -> None:
    assert price_event(provider="deepseek", model="gpt-4o-mini", timestamp=TS, usage=USAGE) == (
        PricedEvent(quantize_cost(Decimal(0)), "unknown_model")
    )


@pytest.mark.parametrize("host", ["llm.internal", "localhost:8000", "10.0.0.7:8000", "localhost"])
def test_an_unknown_host_is_not_priced_as_a_namesake_model(host: str) -> None:
    priced = price_event(provider=host, model="gpt-4o-mini", timestamp=TS, usage=USAGE)
    assert priced.cost_source == "unknown_model"


def test_an_unknown_host_is_priced_by_the_account_price() -> None:
    override = PriceOverride(input_mtok=Decimal("1"), output_mtok=Decimal("2"))
    priced = price_event(
        provider="llm.internal:8000",
        model="gpt-oss-20b",
        timestamp=TS,
        usage=USAGE,
        override=override,
    )
    assert priced == PricedEvent(Decimal("0.0120000000"), "override")


def test_the_openrouter_cost_the_client_sends_prices_a_model_the_catalogue_lacks() -> None:
    priced = price_event(
        provider="openrouter",
        model="acme/new-model-2026",
        timestamp=TS,
        usage=USAGE,
        client_cost_usd=Decimal("0.000123"),
    )
    assert priced == PricedEvent(Decimal("0.0001230000"), "client")
