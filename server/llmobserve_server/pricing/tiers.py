"""Service tiers (standard, batch, flex, priority): which catalogue prices a tier selects, and
our own dated table of discounts and premiums where the catalogue has none.

genai-prices lists some tiers as price variants of a model (``{"processing": "batch"}``,
``{"service_tier": "flex"}``, ``{"service_tier": "priority"}``): those are used first, as the
catalogue's own prices. For a model without such a variant, the token prices of the standard
tier are multiplied by the provider's published factor below. A tier the table does not know
for a provider is priced as standard (the bill may then be lower or higher: the event keeps
its tier, so it can be re-priced when the table learns it).

Sources (checked 2026-12-07):

* OpenAI Batch API: 50 % off inputs and outputs, https://platform.openai.com/docs/guides/batch
  and https://openai.com/api/pricing/ ; Flex processing is billed at Batch prices,
  https://platform.openai.com/docs/guides/flex-processing ; Priority processing of the GPT-5
  family costs twice the standard price, https://openai.com/api-priority-processing/ (models
  with other premiums, e.g. GPT-4.1's 1.75x, have them as catalogue variants).
* Anthropic Message Batches: 50 % off,
  https://docs.anthropic.com/en/docs/build-with-claude/batch-processing#pricing
* Google Gemini API Batch Mode: 50 % off, https://ai.google.dev/gemini-api/docs/batch-mode
* Amazon Bedrock batch inference: 50 % off on-demand for supported models,
  https://aws.amazon.com/bedrock/pricing/
* Mistral batch API: 50 % off, https://docs.mistral.ai/capabilities/batch/
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

__all__ = ["TIER_CONTEXTS", "TIER_FACTORS", "tier_context", "tier_factor"]

TIER_CONTEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "batch": MappingProxyType({"processing": "batch"}),
        "flex": MappingProxyType({"service_tier": "flex"}),
        "priority": MappingProxyType({"service_tier": "priority"}),
    }
)
"""The genai-prices price context (``price_variants[].when``) of each non-standard tier."""

_HALF = Decimal("0.5")

TIER_FACTORS: Mapping[tuple[str, str], Decimal] = MappingProxyType(
    {
        ("openai", "batch"): _HALF,
        ("openai", "flex"): _HALF,
        ("openai", "priority"): Decimal(2),
        ("azure", "batch"): _HALF,
        ("anthropic", "batch"): _HALF,
        ("google", "batch"): _HALF,
        ("aws", "batch"): _HALF,
        ("mistral", "batch"): _HALF,
    }
)
"""(catalogue provider id, tier) -> factor on the standard token prices, when the catalogue
has no variant of the model for the tier."""


def tier_context(service_tier: str | None) -> Mapping[str, str] | None:
    """The catalogue's price context for ``service_tier``; None for standard (or none)."""
    return TIER_CONTEXTS.get(service_tier) if service_tier else None


def tier_factor(provider_id: str, service_tier: str) -> Decimal | None:
    """Our factor for ``service_tier`` at ``provider_id``, or None (priced as standard)."""
    return TIER_FACTORS.get((provider_id.lower(), service_tier))
