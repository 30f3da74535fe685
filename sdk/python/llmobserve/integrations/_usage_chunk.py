"""Taking the usage-only chunk that llmobserve asked for out of an OpenAI stream BEFORE the openai
library parses it.

The library turns each server-sent event into a pydantic model, which costs ~80-130 µs of the
caller's CPU per chunk (openai 3.x); for a chunk the user never sees, that is wasted. The stream's
`_iter_events` (the raw events, in order) is shadowed on the instance: an event whose JSON has a
`usage` object and no choices is read with `json.loads` (~10 µs), handed to `take`, and dropped;
every other event goes on to the library untouched. Where `_iter_events` is not there, nothing
changes and the chunk is held back after parsing instead (see openai.ChunksWatch).

Every event of the stream passes through here, so what runs per event is kept to a minimum: ONE
substring test (C speed; no regular expression, no function call) picks the candidates, and only
those are parsed. It looks for `"prompt_tokens"`, the key every usage object of chat completions
and completions has, whatever the JSON's spacing (the API's compact `"usage":{"prompt_tokens":`,
or `"usage": {"prompt_tokens": `); a JSON string cannot hold it (its quotes would be escaped),
so the content chunks, which carry `"usage":null` once usage is asked for, never match. A
candidate is then checked for what it must be (a `usage` object, no choices), so a chunk with
usage and choices goes on to the user; a usage chunk that does not match is not lost, only held
back after parsing, as where `_iter_events` is missing.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from llmobserve._log import report_internal_error

_USAGE_KEY = '"prompt_tokens"'  # in the usage object only (see the module's docstring)


def take_usage_chunk(stream: Any, take: Callable[[dict[str, Any]], None]) -> bool:
    """Make `stream` (openai Stream / AsyncStream, not iterated yet) hand its usage-only chunk to
    `take` instead of parsing it. False when the stream does not have the expected shape."""
    events = getattr(type(stream), "_iter_events", None)
    if events is None or "_iter_events" in vars(stream):
        return False
    reference = weakref.ref(stream)  # no reference cycle through the instance attribute
    if hasattr(stream._iterator, "__anext__"):

        async def iter_events_async() -> AsyncIterator[Any]:
            async for event in events(reference()):
                data = getattr(event, "data", None)
                if isinstance(data, str) and _USAGE_KEY in data and _taken(data, take):
                    continue
                yield event

        stream._iter_events = iter_events_async
    else:

        def iter_events() -> Iterator[Any]:
            for event in events(reference()):
                data = getattr(event, "data", None)
                if isinstance(data, str) and _USAGE_KEY in data and _taken(data, take):
                    continue
                yield event

        stream._iter_events = iter_events
    return True


def _taken(data: str, take: Callable[[dict[str, Any]], None]) -> bool:
    """Whether the event's `data`, which has a usage object somewhere, is the usage-only chunk
    (then passed to `take`). A chunk with usage AND choices is not: the user sees that one."""
    try:
        chunk = json.loads(data)
    except ValueError:  # not ours to judge: the library reports a malformed event
        return False
    if (
        not isinstance(chunk, dict)
        or chunk.get("choices")
        or not isinstance(chunk.get("usage"), dict)
    ):
        return False
    try:
        take(chunk)
    except Exception as exc:
        report_internal_error(exc)
    return True
