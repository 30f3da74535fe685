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
) -> Usage:
    """A `Usage` whose parts never exceed their wholes (the collector refuses those)."""
    cached = min(cached_input_tokens, input_tokens)
    return Usage(
        input_tokens=input_tokens,
        cached_input_tokens=cached,
        cache_write_input_tokens=min(cache_write_input_tokens, input_tokens - cached),
        output_tokens=output_tokens,
        reasoning_tokens=min(reasoning_tokens, output_tokens),
    )


def text_of(value: object) -> str | None:
    """A model name or other string field: the string, or None."""
    return value if isinstance(value, str) and value else None
