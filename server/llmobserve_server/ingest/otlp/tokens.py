"""Token counts from the attributes of every instrumentation we know, in our meanings:
`input_tokens` counts ALL input tokens (cache reads and writes included) and `output_tokens` all
output tokens (reasoning included).

The names, newest first (the first one present wins):
- OpenTelemetry GenAI conventions: `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`,
  `gen_ai.usage.cache_read.input_tokens`, `gen_ai.usage.cache_creation.input_tokens`,
  `gen_ai.usage.reasoning.output_tokens`;
- older conventions and OpenLLMetry: `gen_ai.usage.prompt_tokens`, `gen_ai.usage.completion_tokens`,
  `gen_ai.usage.cache_read_input_tokens`, `gen_ai.usage.cache_creation_input_tokens`, `llm.usage.*`;
- OpenInference: `llm.token_count.prompt`, `llm.token_count.completion`,
  `llm.token_count.prompt_details.cache_read` / `cache_write`,
  `llm.token_count.completion_details.reasoning`.

Whether an instrumentation's input count includes the cached parts differs (the conventions say
it should; Anthropic's API reports input without them, and some instrumentations pass that on).
When the parts exceed the whole, the whole cannot have included them, so they are added: no token
is priced twice or missed either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_INPUT = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.usage.prompt_tokens",
    "llm.token_count.prompt",
)
_OUTPUT = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.usage.completion_tokens",
    "llm.token_count.completion",
)
_CACHE_READ = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
)
_CACHE_WRITE = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_write.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
)
_REASONING = (
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.usage.reasoning_tokens",
    "llm.usage.reasoning_tokens",
    "llm.token_count.completion_details.reasoning",
)
TOKEN_ATTRIBUTES = _INPUT + _OUTPUT + _CACHE_READ + _CACHE_WRITE + _REASONING


@dataclass(frozen=True)
class TokenFields:
    """The event's token fields; a value that is not a whole number is passed on as it came, so
    that the event's validation refuses it with a message naming the field."""

    input_tokens: Any = 0
    cached_input_tokens: Any = 0
    cache_write_input_tokens: Any = 0
    output_tokens: Any = 0
    reasoning_tokens: Any = 0

    def as_event_fields(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "cache_write_input_tokens": self.cache_write_input_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }


def token_fields(attributes: Mapping[str, Any]) -> TokenFields:
    whole_input = _first(attributes, _INPUT)
    cache_read = _first(attributes, _CACHE_READ)
    cache_write = _first(attributes, _CACHE_WRITE)
    output = _first(attributes, _OUTPUT)
    reasoning = _first(attributes, _REASONING)
    if (
        type(whole_input) is int
        and type(cache_read) is int
        and type(cache_write) is int
        and cache_read + cache_write > whole_input
    ):
        whole_input += cache_read + cache_write  # the count excluded the cached parts
    if type(output) is int and type(reasoning) is int and reasoning > output:
        output += reasoning
    return TokenFields(whole_input, cache_read, cache_write, output, reasoning)


def _first(attributes: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in attributes:
            return _whole_number(attributes[name])
    return 0


def _whole_number(value: Any) -> Any:
    """JavaScript SDKs send integral counts as doubles (`12.0`) when unsure; those are ints."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value
