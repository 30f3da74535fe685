"""Token prices from the bundled genai-prices catalogue, resolved once per (provider, model).

``genai_prices.calc_price()`` matches the model and re-validates its price table on every call
(~85-140 µs); ingest prices ~20,000 events/s. This module splits the work:

* :func:`lookup_model` finds the model (``functools.lru_cache``, bounded; misses are cached too)
  and compiles each of its price tables into a :class:`RateCard`, the few Decimal prices that
  can apply to a :class:`TokenUsage`.
* :meth:`CatalogModel.token_cost` picks the table in force at the event's timestamp with the
  library's own ``ModelInfo.get_prices`` (start dates *and* time-of-day windows such as DeepSeek's
  off-peak discount, which is why nothing is cached per date) and does a few multiplications.

The arithmetic mirrors ``genai_prices.types.ModelPrice.calc_price`` exactly: the same leaf
decomposition (cache reads/writes are carved out of input tokens only when they have their own
price), the same threshold tiers (chosen by total input tokens) and the same
``price * count / per``. The tests compare it with the library for every price table in the
bundled data. A price table this module cannot mirror is priced by the library per call.

Our own dated corrections (:mod:`.corrections`: missing long-context tiers, stale aliases and
prices, Vertex AI's own prices) are added to a model's price tables when it is looked up.

The model lookup reimplements ``DataSnapshot.find_provider_model`` with the library's pure
functions because the snapshot's own memo tables grow without bound with every distinct
model string a client sends. Prices come from ``get_snapshot()``, i.e. the data bundled with the
installed genai-prices: the server never starts its auto-update thread (``UpdatePrices``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from genai_prices import Usage
from genai_prices.data_snapshot import find_provider_by_id, get_snapshot
from genai_prices.types import ModelInfo, ModelPrice, PriceContext, Provider, Tier, TieredPrices
from genai_prices.units import _get_registry

from .corrections import corrected_model, corrected_model_ref
from .tiers import tier_context, tier_factor

__all__ = [
    "CatalogModel",
    "RateCard",
    "TokenUsage",
    "catalog_token_cost",
    "clear_catalog_cache",
    "compile_rate_card",
    "lookup_model",
    "to_genai_usage",
]

LOOKUP_CACHE_SIZE = 4096

_Price = Decimal | TieredPrices
_ZERO = Decimal(0)
_ONE = Decimal(1)
_TOKENS_PER = 1_000_000  # every *_mtok price is per million tokens
_REQUESTS_PER = 1_000  # requests_kcount is per thousand requests

# The genai-prices usage keys a TokenUsage reports, and the price keys that price them.
_REPORTED_USAGE_KEYS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "input_audio_tokens",
    "output_tokens",
    "output_reasoning_tokens",
    "output_audio_tokens",
)
_HANDLED_PRICE_KEYS = frozenset(
    {
        "input_mtok",
        "cache_read_mtok",
        "cache_write_mtok",
        "cache_write_1h_mtok",
        "input_audio_mtok",
        "output_mtok",
        "output_reasoning_mtok",
        "output_audio_mtok",
        "requests_kcount",
    }
)
_WEB_SEARCH_PRICE_KEY = "web_searches_kcount"  # per thousand searches, a tool fee

ONE_HOUR_CACHE_WRITE_FACTOR = Decimal(2)
"""Anthropic bills a 1-hour cache write at 2x the base input price (5-minute writes: 1.25x).
Source: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing (checked
2026-12-07). Applied where the catalogue has no ``cache_write_1h_mtok`` for a model that prices
cache writes (e.g. Claude Sonnet 4 on Bedrock), instead of genai-prices' fallback to the
5-minute price."""


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Token counts of one LLM call."""

    input_tokens: int = 0
    """ALL input tokens, cached ones included."""
    cached_input_tokens: int = 0
    """The cache-read part of ``input_tokens``."""
    cache_write_input_tokens: int = 0
    """The cache-creation part of ``input_tokens`` (Anthropic)."""
    output_tokens: int = 0
    """All output tokens, reasoning included."""
    reasoning_tokens: int = 0
    """Part of ``output_tokens``: priced as output (never twice), unless the catalogue lists a
    separate reasoning price for the model (only Perplexity's sonar-deep-research does)."""
    cache_write_1h_input_tokens: int = 0
    """The part of ``cache_write_input_tokens`` written with a 1-hour TTL (Anthropic)."""
    input_audio_tokens: int = 0
    """The uncached audio part of ``input_tokens``, priced at the model's audio input price."""
    output_audio_tokens: int = 0
    """The audio part of ``output_tokens``, priced at the model's audio output price."""


def to_genai_usage(usage: TokenUsage) -> Usage:
    """The genai-prices ``Usage`` equivalent to ``usage``."""
    return Usage(
        input_tokens=usage.input_tokens,
        cache_read_tokens=usage.cached_input_tokens,
        cache_write_tokens=usage.cache_write_input_tokens,
        cache_write_1h_tokens=usage.cache_write_1h_input_tokens,
        input_audio_tokens=usage.input_audio_tokens,
        output_tokens=usage.output_tokens,
        output_reasoning_tokens=usage.reasoning_tokens,
        output_audio_tokens=usage.output_audio_tokens,
    )


def _unit_cost(price: _Price, count: int, total_input_tokens: int, per: int) -> Decimal:
    """Same arithmetic as ``genai_prices.types.calc_unit_price`` (threshold tiers included)."""
    if isinstance(price, TieredPrices):
        applicable = price.base
        for tier in reversed(price.tiers):
            if total_input_tokens > tier.start:
                applicable = tier.price
                break
        return applicable * Decimal(count) / per
    return price * Decimal(count) / per


@dataclass(frozen=True, slots=True)
class RateCard:
    """The prices of one genai-prices ``ModelPrice`` that can apply to a TokenUsage."""

    input: _Price | None = None
    cache_read: _Price | None = None
    cache_write: _Price | None = None
    output: _Price | None = None
    output_reasoning: _Price | None = None
    cache_write_1h: _Price | None = None
    input_audio: _Price | None = None
    output_audio: _Price | None = None
    per_request: Decimal = _ZERO
    """The fixed fee of one request (``requests_kcount / 1000``), 0 for most models."""
    web_search: Decimal | None = None
    """USD per web search (``web_searches_kcount / 1000``), a tool fee priced with the units."""

    def cost(self, usage: TokenUsage) -> Decimal:
        """USD cost of ``usage``, unrounded.

        Counts that contradict each other (cache reads + writes above input tokens) are clamped
        at zero instead of raising, as genai-prices would; they are rejected upstream anyway.
        1-hour cache writes of a model without a 1-hour price cost
        :data:`ONE_HOUR_CACHE_WRITE_FACTOR` times its input price (genai-prices would charge the
        5-minute price).
        """
        n_in = usage.input_tokens  # also picks the tier of every tiered price
        input_leaf = n_in
        output_leaf = usage.output_tokens
        total = self.per_request
        if self.cache_read is not None:
            input_leaf -= usage.cached_input_tokens
            total += _unit_cost(self.cache_read, usage.cached_input_tokens, n_in, _TOKENS_PER)
        if self.cache_write is not None:
            input_leaf -= usage.cache_write_input_tokens
            one_hour = min(usage.cache_write_1h_input_tokens, usage.cache_write_input_tokens)
            one_hour_price = self.cache_write_1h
            if one_hour_price is None and one_hour and self.input is not None:
                one_hour_price = _scaled(self.input, ONE_HOUR_CACHE_WRITE_FACTOR)
            five_minutes = usage.cache_write_input_tokens
            if one_hour_price is not None:
                five_minutes -= one_hour
                total += _unit_cost(one_hour_price, one_hour, n_in, _TOKENS_PER)
            total += _unit_cost(self.cache_write, five_minutes, n_in, _TOKENS_PER)
        if self.input_audio is not None:
            input_leaf -= usage.input_audio_tokens
            total += _unit_cost(self.input_audio, usage.input_audio_tokens, n_in, _TOKENS_PER)
        if self.output_reasoning is not None:
            reasoning = min(usage.reasoning_tokens, output_leaf)
            output_leaf -= reasoning
            total += _unit_cost(self.output_reasoning, reasoning, n_in, _TOKENS_PER)
        if self.output_audio is not None:
            audio = min(usage.output_audio_tokens, output_leaf)
            output_leaf -= audio
            total += _unit_cost(self.output_audio, audio, n_in, _TOKENS_PER)
        if self.input is not None:
            total += _unit_cost(self.input, max(input_leaf, 0), n_in, _TOKENS_PER)
        if self.output is not None:
            total += _unit_cost(self.output, output_leaf, n_in, _TOKENS_PER)
        return total


def _scaled(price: _Price, factor: Decimal) -> _Price:
    """``price`` times ``factor``, every tier included."""
    if isinstance(price, TieredPrices):
        tiers = [Tier(start=tier.start, price=tier.price * factor) for tier in price.tiers]
        return TieredPrices(base=price.base * factor, tiers=tiers)
    return price * factor


def scale_rate_card(card: RateCard, factor: Decimal) -> RateCard:
    """``card`` with every token price and the per-request fee times ``factor`` (a tier's
    discount or premium); tool fees such as web searches unchanged."""

    def scaled(price: _Price | None) -> _Price | None:
        return None if price is None else _scaled(price, factor)

    return RateCard(
        input=scaled(card.input),
        cache_read=scaled(card.cache_read),
        cache_write=scaled(card.cache_write),
        output=scaled(card.output),
        output_reasoning=scaled(card.output_reasoning),
        cache_write_1h=scaled(card.cache_write_1h),
        input_audio=scaled(card.input_audio),
        output_audio=scaled(card.output_audio),
        per_request=card.per_request * factor,
        web_search=card.web_search,
    )


def _is_price(value: object) -> bool:
    if isinstance(value, TieredPrices):
        return True
    return isinstance(value, Decimal) and value.is_finite() and value >= 0


def compile_rate_card(model_price: ModelPrice) -> RateCard | None:
    """Compile ``model_price`` to a RateCard, or None when it can't be mirrored exactly.

    Prices for units a TokenUsage never reports (audio, images, web searches, ...) count zero
    and are skipped; so are price keys genai-prices doesn't know (it ignores them too). A price
    on a unit *above* one we report (none exists in the registry today) or a malformed value
    makes this return None, and the event is then priced by the library itself.
    """
    registry = _get_registry()
    reported = [registry.units[key].dimensions.items() for key in _REPORTED_USAGE_KEYS]
    handled: dict[str, _Price] = {}
    for key, value in vars(model_price).items():
        if key.startswith("_") or value is None:
            continue
        if key in _HANDLED_PRICE_KEYS or key == _WEB_SEARCH_PRICE_KEY:
            if not _is_price(value):
                return None
            handled[key] = value
            continue
        try:
            unit = registry.unit_for_price_key(key)
        except KeyError:
            continue
        if any(unit.dimensions.items() <= dims for dims in reported):
            return None
    per_request = handled.get("requests_kcount")
    web_search = handled.get(_WEB_SEARCH_PRICE_KEY)
    if isinstance(per_request, TieredPrices) or isinstance(web_search, TieredPrices):
        return None
    return RateCard(
        input=handled.get("input_mtok"),
        cache_read=handled.get("cache_read_mtok"),
        cache_write=handled.get("cache_write_mtok"),
        output=handled.get("output_mtok"),
        output_reasoning=handled.get("output_reasoning_mtok"),
        cache_write_1h=handled.get("cache_write_1h_mtok"),
        input_audio=handled.get("input_audio_mtok"),
        output_audio=handled.get("output_audio_mtok"),
        per_request=_ZERO if per_request is None else per_request * Decimal(1) / _REQUESTS_PER,
        web_search=None if web_search is None else web_search * Decimal(1) / _REQUESTS_PER,
    )


@dataclass(frozen=True, slots=True, eq=False)
class CatalogModel:
    """A catalogue model with its price tables compiled."""

    provider_id: str
    model_id: str
    info: ModelInfo
    cards: tuple[tuple[ModelPrice, RateCard | None], ...]

    def prices_in_force(
        self, timestamp: datetime, service_tier: str | None = None
    ) -> tuple[ModelPrice, RateCard | None, Decimal]:
        """The price table in force at ``timestamp`` for ``service_tier``, its compiled card
        (None: price it with the library) and a factor on its token prices.

        A tier the model has catalogue variants for uses them (factor 1); otherwise our table
        (:mod:`.tiers`) gives the factor, 1 when it has none.
        """
        in_force = self.info.get_prices(timestamp)
        card = next((card for table, card in self.cards if table is in_force), None)
        context = tier_context(service_tier)
        if context is None or service_tier is None:
            return in_force, card, _ONE
        if self._has_variant(timestamp, context):
            variant = self.info.get_prices(timestamp, context)
            return variant, compile_rate_card(variant), _ONE
        factor = tier_factor(self.provider_id, service_tier)
        return in_force, card, _ONE if factor is None else factor

    def _has_variant(self, timestamp: datetime, context: PriceContext) -> bool:
        for variant in self.info.price_variants or ():
            if variant.constraint is not None and not variant.constraint.active(timestamp):
                continue
            if all(context.get(key) == value for key, value in variant.when.items()):
                return True
        return False

    def token_cost(
        self, usage: TokenUsage, timestamp: datetime, service_tier: str | None = None
    ) -> Decimal | None:
        """USD cost of ``usage`` at the price in force at ``timestamp`` (naive = UTC) for
        ``service_tier``, unrounded.

        None only if the library itself refuses to price the usage on the slow path.
        """
        model_price, card, factor = self.prices_in_force(timestamp, service_tier)
        if card is not None:
            return card.cost(usage) * factor if factor != _ONE else card.cost(usage)
        try:
            total: Decimal = model_price.calc_price(to_genai_usage(usage))["total_price"]
        except (ValueError, ArithmeticError):
            return None
        return total * factor

    def web_search_price(
        self, timestamp: datetime, service_tier: str | None = None
    ) -> Decimal | None:
        """USD per web search for this model (a tool fee), or None if the catalogue has none."""
        _, card, _ = self.prices_in_force(timestamp, service_tier)
        return None if card is None else card.web_search


def _compile_model(
    provider: Provider, info: ModelInfo, requested_provider: str | None = None
) -> CatalogModel:
    info = corrected_model(requested_provider, provider.id, info)
    tables = (
        [info.prices]
        if isinstance(info.prices, ModelPrice)
        else [conditional.prices for conditional in info.prices]
    )
    return CatalogModel(
        provider_id=provider.id,
        model_id=info.id,
        info=info,
        cards=tuple((table, compile_rate_card(table)) for table in tables),
    )


def _resolve(
    providers: list[Provider], provider_id: str | None, model_ref: str
) -> tuple[Provider, ModelInfo] | None:
    """``DataSnapshot.find_provider_model`` without its unbounded memo tables.

    Returns None where the library raises LookupError.
    """
    model_ref = model_ref.lower()
    if provider_id and provider_id.lower() == "litellm" and "/" in model_ref:
        actual_provider_id, actual_model_ref = model_ref.split("/", 1)
        if actual_provider_id and find_provider_by_id(providers, actual_provider_id):
            provider_id, model_ref = actual_provider_id, actual_model_ref
    provider = find_provider_by_id(providers, provider_id) if provider_id is not None else None
    if provider is None:
        if provider_id is not None and provider_id.lower() != "litellm":
            return None
        # Like the library: the first provider whose model pattern matches, and no other.
        matching = (p for p in providers if p.model_match and p.model_match.is_match(model_ref))
        provider = next(matching, None)
        if provider is None:
            return None
    info = provider.find_model(model_ref, all_providers=providers)
    return None if info is None else (provider, info)


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _lookup(provider: str | None, model: str) -> CatalogModel | None:
    model_ref = model.strip()
    if not model_ref:
        return None
    provider_id = provider.strip() if provider else None
    model_ref = corrected_model_ref(provider_id, model_ref)
    providers = get_snapshot().providers
    if provider_id:
        found = _resolve(providers, provider_id, model_ref)
        if found is not None:
            return _compile_model(*found, provider_id)
        if find_provider_by_id(providers, provider_id) is not None:
            return None  # the catalogue knows this provider, and it doesn't sell this model
        if is_host(provider_id):
            return None  # a server of its own (self-hosted...): not priced as a namesake's model
    found = _resolve(providers, None, model_ref)
    return None if found is None else _compile_model(*found)


def is_host(provider: str) -> bool:
    """Whether a provider id is a server's host (``llm.internal``, ``localhost:8000``), as the
    SDK records an OpenAI-compatible server it does not know. The catalogue's ids never are."""
    return "." in provider or ":" in provider or provider.lower() == "localhost"


def lookup_model(provider: str | None, model: str | None) -> CatalogModel | None:
    """The catalogue's model for ``provider`` + ``model``, or None.

    An unknown (or missing) provider falls back to the model name alone, which genai-prices
    matches against each provider's model patterns, except a provider that is a host (see
    :func:`is_host`): a self-hosted ``gpt-oss-20b`` is not billed at a cloud's price, it waits
    for the account's own. Never raises for odd strings.
    """
    if not model:
        return None
    return _lookup(provider or None, model)


def catalog_token_cost(
    provider: str | None,
    model: str | None,
    timestamp: datetime,
    usage: TokenUsage,
    service_tier: str | None = None,
) -> Decimal | None:
    """USD cost of ``usage`` from the catalogue (unrounded), or None if the model is unknown."""
    entry = lookup_model(provider, model)
    return None if entry is None else entry.token_cost(usage, timestamp, service_tier)


def clear_catalog_cache() -> None:
    """Forget every cached lookup (e.g. after installing a different genai-prices snapshot)."""
    _lookup.cache_clear()
