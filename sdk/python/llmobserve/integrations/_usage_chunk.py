"""Taking the usage-only chunk that llmobserve asked for out of an OpenAI stream BEFORE the openai
library parses it.

The library turns each server-sent event into a pydantic model, which costs ~80-130 µs of the
caller's CPU per chunk (openai 3.x); for a chunk the user never sees, that is wasted. The stream's
`_iter_events` (the raw events, in order) is shadowed on the instance: an event whose JSON has a
`usage` object and no choices is read with `json.loads` (~10 µs), handed to `take`, and dropped;
every other event goes on to the library untouched. Where `_iter_events` is not there, nothing
changes and the chunk is held back after parsing instead (see openai.ChunksWatch).
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from llmobserve._log import report_internal_error

_USAGE_OBJECT = re.compile(r'"usage"\s*:\s*\{')


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
                if not _taken(event, take):
                    yield event

        stream._iter_events = iter_events_async
    else:

        def iter_events() -> Iterator[Any]:
            for event in events(reference()):
                if not _taken(event, take):
                    yield event

        stream._iter_events = iter_events
    return True


def _taken(event: Any, take: Callable[[dict[str, Any]], None]) -> bool:
    """Whether `event` is the usage-only chunk (then passed to `take`)."""
    data = getattr(event, "data", None)
    if not isinstance(data, str) or _USAGE_OBJECT.search(data) is None:
        return False
    try:
        chunk = json.loads(data)
    except ValueError:  # not ours to judge: the library reports a malformed event
        return False
    if not isinstance(chunk, dict) or chunk.get("choices"):
        return False  # usage on a chunk with content: the user sees that one
    try:
        take(chunk)
    except Exception as exc:
        report_internal_error(exc)
    return True
