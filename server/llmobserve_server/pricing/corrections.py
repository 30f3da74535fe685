"""Our own corrections of the genai-prices catalogue, applied before it: each one dated, with
its source, and a test (tests/pricing/test_pricing_corrections.py).

The bundled catalogue is occasionally stale or incomplete. Rather than wait for an upgrade, a
correction here adds price tables to a catalogue model (as the last ``ConditionalPrice``, so it
wins from its start date on; the catalogue's older tables still price older events), redirects
a model alias to the model it now names, or gives a provider its own prices where the catalogue
folds it into another. Each was checked against the installed catalogue (genai-prices 0.2.5):
remove a correction once the catalogue has it right (its test then says so).

Corrections (checked 2026-12-07):

* Claude Sonnet 4 long context, Anthropic and Amazon Bedrock: above 200k input tokens the
  whole request costs $6 input / $22.50 output per M (cache writes $7.50 5-minute and $12
  1-hour, cache reads $0.60). https://docs.anthropic.com/en/docs/build-with-claude/context-windows#1m-token-context-window
  and https://docs.anthropic.com/en/docs/about-claude/pricing#long-context-pricing ; Bedrock
  bills Anthropic's rates, https://aws.amazon.com/bedrock/pricing/ . Bedrock's Sonnet 4 also
  lacked the 1-hour cache write price ($6 per M).
* Mistral ``mistral-large-latest`` names Mistral Large 3 (``mistral-large-2512``, $0.50 / $1.50
  per M) since its release, not Large 2 ($2 / $6). https://docs.mistral.ai/getting-started/models/
  and https://mistral.ai/pricing#api-pricing
* DeepSeek from 2025-09-05 (V3.1): deepseek-chat and deepseek-reasoner both $0.56 input (cache
  miss), $0.07 cache hit, $1.68 output per M, and the night-time discount ended; from
  2025-09-29 (V3.2-Exp): $0.28 / $0.028 / $0.42. https://api-docs.deepseek.com/quick_start/pricing
  and https://api-docs.deepseek.com/news/news250929 . The catalogue kept the V3 prices with its
  off-peak window (16:30-00:30 UTC) every day of the week, forever.
* Vertex AI's Gemini 2.0 Flash costs $0.15 input (audio $1.00), $0.60 output, $0.0375 cached
  input per M, where the Gemini API charges $0.10 / $0.70 / $0.40 / $0.025; the catalogue
  matches any provider name containing "vertex" to the Gemini API's prices.
  https://cloud.google.com/vertex-ai/generative-ai/pricing
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from genai_prices.types import (
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    StartDateConstraint,
    Tier,
    TieredPrices,
)

__all__ = [
    "ALIASES",
    "CORRECTIONS",
    "VERTEX_PROVIDERS",
    "Correction",
    "corrected_model",
    "corrected_model_ref",
]


@dataclass(frozen=True)
class Correction:
    """Price tables added to one catalogue model, each from its start date (None: always)."""

    tables: tuple[tuple[date | None, ModelPrice], ...]
    source: str
    checked: date


def _long_context(base: Decimal, above_200k: Decimal) -> TieredPrices:
    return TieredPrices(base=base, tiers=[Tier(start=200_000, price=above_200k)])


def _d(text: str) -> Decimal:
    return Decimal(text)


_CHECKED = date(2026, 12, 7)

_SONNET_4 = Correction(
    tables=(
        (
            None,
            ModelPrice(
                input_mtok=_long_context(_d("3"), _d("6")),
                cache_read_mtok=_long_context(_d("0.3"), _d("0.6")),
                cache_write_mtok=_long_context(_d("3.75"), _d("7.5")),
                cache_write_1h_mtok=_long_context(_d("6"), _d("12")),
                output_mtok=_long_context(_d("15"), _d("22.5")),
                web_searches_kcount=_d("10"),
            ),
        ),
    ),
    source="https://docs.anthropic.com/en/docs/about-claude/pricing#long-context-pricing",
    checked=_CHECKED,
)


def _deepseek(miss: str, hit: str, output: str) -> ModelPrice:
    return ModelPrice(input_mtok=_d(miss), cache_read_mtok=_d(hit), output_mtok=_d(output))


_DEEPSEEK = Correction(
    tables=(
        (date(2025, 9, 5), _deepseek("0.56", "0.07", "1.68")),
        (date(2025, 9, 29), _deepseek("0.28", "0.028", "0.42")),
    ),
    source="https://api-docs.deepseek.com/quick_start/pricing",
    checked=_CHECKED,
)

CORRECTIONS: Mapping[tuple[str, str], Correction] = MappingProxyType(
    {
        ("anthropic", "claude-sonnet-4-0"): _SONNET_4,
        ("aws", "global.anthropic.claude-sonnet-4-20250514-v1:0"): _SONNET_4,
        ("aws", "regional.anthropic.claude-sonnet-4-20250514-v1:0"): _SONNET_4,
        ("deepseek", "deepseek-chat"): _DEEPSEEK,
        ("deepseek", "deepseek-reasoner"): _DEEPSEEK,
    }
)
"""(catalogue provider id, catalogue model id) -> the tables added to the model."""

VERTEX_PROVIDERS = frozenset({"vertex", "vertex_ai", "google-vertex", "google_vertex", "vertexai"})
"""Event provider names that mean Google Cloud's Vertex AI rather than the Gemini API."""

_VERTEX = MappingProxyType(
    {
        "gemini-2.0-flash": Correction(
            tables=(
                (
                    None,
                    ModelPrice(
                        input_mtok=_d("0.15"),
                        cache_read_mtok=_d("0.0375"),
                        input_audio_mtok=_d("1"),
                        output_mtok=_d("0.6"),
                        web_searches_kcount=_d("35"),
                    ),
                ),
            ),
            source="https://cloud.google.com/vertex-ai/generative-ai/pricing",
            checked=_CHECKED,
        ),
    }
)
"""Catalogue model id (of the `google` provider) -> Vertex AI's own prices."""

ALIASES: Mapping[tuple[str, str], str] = MappingProxyType(
    {("mistral", "mistral-large-latest"): "mistral-large-2512"}
)
"""(provider, model as sent, lower-case) -> the model the alias names today."""


def corrected_model_ref(provider: str | None, model: str) -> str:
    """The model an alias names (``mistral-large-latest`` -> ``mistral-large-2512``), or
    ``model`` itself. Applies with the alias's provider or none."""
    key = model.strip().lower()
    for (alias_provider, alias), target in ALIASES.items():
        if key == alias and (not provider or provider.strip().lower() == alias_provider):
            return target
    return model


def _correction(
    requested_provider: str | None, provider_id: str, model_id: str
) -> Correction | None:
    if provider_id == "google" and (requested_provider or "").strip().lower() in VERTEX_PROVIDERS:
        return _VERTEX.get(model_id)
    return CORRECTIONS.get((provider_id, model_id))


def corrected_model(requested_provider: str | None, provider_id: str, info: ModelInfo) -> ModelInfo:
    """``info`` with our corrections' price tables added after the catalogue's, or ``info``."""
    correction = _correction(requested_provider, provider_id, info.id)
    if correction is None:
        return info
    tables = (
        [ConditionalPrice(prices=info.prices)]
        if isinstance(info.prices, ModelPrice)
        else list(info.prices)
    )
    for start, prices in correction.tables:
        constraint = None if start is None else StartDateConstraint(start_date=start)
        tables.append(ConditionalPrice(constraint=constraint, prices=prices))
    return ModelInfo(
        id=info.id,
        match=info.match,
        name=info.name,
        description=info.description,
        context_window=info.context_window,
        price_comments=info.price_comments,
        deprecated=info.deprecated,
        prices=tables,
        price_variants=info.price_variants,
    )
