"""Which provider an OpenAI-compatible client calls, and whether its streams may be asked for
their usage: both from the host of the client's base URL.

The `openai` client calls whatever server its `base_url` names: DeepSeek, Groq, OpenRouter, a
self-hosted vLLM... Each is recorded as its own provider, under the id the price catalogue
(genai-prices) gives it, so that it is priced at its own prices; a host the table does not know
is recorded as `host[:port]` (an account price can be set for it), and `init(providers=...)`
names it (see llmobserve._providers).

Streamed chat completions report usage only when asked with `stream_options.include_usage`,
which some servers refuse (a 400 for an unknown field). We ask only where the server is known to
accept it (`asks` below; loopback addresses too, where vLLM, Ollama, LM Studio and llama.cpp
servers live, and accept it); elsewhere the stream goes through untouched, and its usage is taken
if the server sends it anyway (most of those send it in their last chunk unasked).

Resolving a host costs a few µs, so the answer is kept per base URL object (the client's
`base_url` is an immutable `httpx.URL`, replaced, never changed, when the application sets a
new one) and per configuration.
"""

from __future__ import annotations

import ipaddress
from typing import Any, NamedTuple

from llmobserve._providers import ProviderRules, find_rule

AZURE = "azure"
_BY_API_VERSION = None  # Azure: stream_options is accepted from API version 2024-09-01 on
_AZURE_STREAM_OPTIONS_SINCE = "2024-09-01"


class Row(NamedTuple):
    provider: str  # genai-prices' provider id
    asks: bool | None  # whether streamed calls ask for usage (None: by Azure API version)


# host -> provider id (genai-prices') and stream policy. True only where the server is known to
# accept `stream_options.include_usage`; the others send usage in their last chunk unasked.
HOSTS: dict[str, Row] = {
    "api.openai.com": Row("openai", True),
    "api.deepseek.com": Row("deepseek", True),
    "api.groq.com": Row("groq", True),
    "api.x.ai": Row("x-ai", True),
    "openrouter.ai": Row("openrouter", False),
    "api.together.xyz": Row("together", False),
    "api.together.ai": Row("together", False),
    "api.fireworks.ai": Row("fireworks", False),
    "api.mistral.ai": Row("mistral", False),
    "generativelanguage.googleapis.com": Row("google", False),  # /v1beta/openai/
    "api.perplexity.ai": Row("perplexity", False),
    "api.cerebras.ai": Row("cerebras", False),
}
# host suffix -> the same, for providers with a host per customer resource
SUFFIXES: tuple[tuple[str, Row], ...] = (
    (".openai.azure.com", Row(AZURE, _BY_API_VERSION)),
    (".cognitiveservices.azure.com", Row(AZURE, _BY_API_VERSION)),
    (".services.ai.azure.com", Row(AZURE, _BY_API_VERSION)),
)
_OPENAI = Row("openai", True)  # a client without an httpx base URL (not seen in practice)
_CACHE_SIZE = 256


class Endpoint(NamedTuple):
    provider: str
    asks_for_stream_usage: bool


_cache: dict[int, tuple[object, ProviderRules, Row]] = {}


def endpoint_of(client: Any, rules: ProviderRules) -> Endpoint:
    """The provider a client of the `openai` library calls, and whether to ask its streams for
    their usage."""
    url = getattr(client, "base_url", None)
    cached = _cache.get(id(url))
    if cached is not None and cached[0] is url and cached[1] is rules:
        row = cached[2]
    else:
        row = _row(url, rules)
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[id(url)] = (url, rules, row)  # holding `url` keeps its id from being reused
    asks = row.asks if row.asks is not None else azure_accepts_stream_options(client)
    return Endpoint(row.provider, asks)


def _row(url: object, rules: ProviderRules) -> Row:
    host = getattr(url, "host", None)
    if not isinstance(host, str) or not host:
        return _OPENAI
    host = host.lower()
    port = getattr(url, "port", None)
    port = port if isinstance(port, int) else None
    known = known_row(host, port)
    rule = find_rule(rules, host, port)
    if rule is None:
        return known
    return Row(
        rule.name or known.provider,
        known.asks if rule.stream_usage is None else rule.stream_usage,
    )


def known_row(host: str, port: int | None) -> Row:
    """What the table says of a host (lower-case): its provider and stream policy. An unknown
    host is its own provider, `host[:port]`; a loopback one accepts stream_options."""
    row = HOSTS.get(host)
    if row is not None:
        return row
    for suffix, suffixed in SUFFIXES:
        if host.endswith(suffix):
            return suffixed
    name = host if port is None else f"{host}:{port}"
    return Row(name, is_loopback(host))


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def azure_accepts_stream_options(client: Any) -> bool:
    """Whether the Azure API version the client calls accepts stream_options: from 2024-09-01
    (and its previews) on, and the v1 API (no dated version)."""
    version = getattr(client, "_api_version", None)
    if version is None:
        query = getattr(client, "_custom_query", None)
        version = query.get("api-version") if isinstance(query, dict) else None
    if not isinstance(version, str) or not version[:4].isdigit():
        return True  # the v1 API ("v1", "preview", "latest" or none): accepted
    return version[:10] >= _AZURE_STREAM_OPTIONS_SINCE
