"""Reading a provider's answer: fields of a parsed model or of its raw JSON, token counts, and the
wire format's `Usage` (whose parts never exceed their wholes)."""

from __future__ import annotations

from typing import Any

from llmobserve._call import Usage


def field(source: object, name: str) -> Any:
    """`source.name` or `source[name]` (a parsed model or its raw JSON), None when missing."""
    if source is None:
        return None
    if isinstance(source, dict):
        return source.get(name)
    return getattr(source, name, None)


def count(value: object) -> int:
    """A token count: ints as they are, anything else (None, missing) 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def normalized_usage(
    *,
    input_tokens: int,
    cached_input_tokens: int = 0,
    cache_write_input_tokens: int = 0,
    output_tokens: int = 0,
    reasoning_tokens: int = 0,
    cache_write_1h_input_tokens: int = 0,
    input_audio_tokens: int = 0,
    output_audio_tokens: int = 0,
    service_tier: str | None = None,
    web_search_requests: int = 0,
) -> Usage:
    """A `Usage` whose parts never exceed their wholes (the collector refuses those): cached,
    cache-write and audio input within the input, 1-hour writes within the writes, reasoning and
    audio output within the output."""
    cached = min(cached_input_tokens, input_tokens)
    written = min(cache_write_input_tokens, input_tokens - cached)
    reasoning = min(reasoning_tokens, output_tokens)
    return Usage(
        input_tokens=input_tokens,
        cached_input_tokens=cached,
        cache_write_input_tokens=written,
        output_tokens=output_tokens,
        reasoning_tokens=reasoning,
        cache_write_1h_input_tokens=min(cache_write_1h_input_tokens, written),
        input_audio_tokens=min(input_audio_tokens, input_tokens - cached - written),
        output_audio_tokens=min(output_audio_tokens, output_tokens - reasoning),
        service_tier=service_tier,
        web_search_requests=web_search_requests,
    )


def text_of(value: object) -> str | None:
    """A model name or other string field: the string, or None."""
    return value if isinstance(value, str) and value else None


_OPENAI_TIERS = {"default": "standard", "auto": "standard", "scale": "standard"}


def openai_service_tier(value: object) -> str | None:
    """OpenAI's `service_tier` of an answer in the wire format's words: `default` (and `scale`,
    billed at standard prices) is `standard`; `flex` and `priority` stay; anything else None."""
    if not isinstance(value, str):
        return None
    return _OPENAI_TIERS.get(value, value if value in ("flex", "priority", "batch") else None)


def count_items(items: object, kind: str) -> int:
    """How many entries of a list (a Responses `output`) have `type` == `kind`."""
    if not isinstance(items, list):
        return 0
    return sum(1 for item in items if field(item, "type") == kind)
