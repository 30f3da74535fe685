"""`.with_raw_response` and `.with_streaming_response` calls of the openai and anthropic libraries.

Those return a raw response object whose `parse()` gives what the plain call would have returned
(the model, or a stream). We leave the object as it is and watch its `parse()`: the first parse
is recorded like a plain call (a stream is observed, see _streams.py). A raw response that is
garbage-collected without ever being parsed is recorded from its body if that was read (the
usage in its JSON), else without usage.
"""

from __future__ import annotations

import functools
import inspect
import json
import weakref
from collections.abc import Callable
from typing import Any

from llmobserve._log import report_internal_error
from llmobserve.integrations._calls import ProviderCall
from llmobserve.integrations._lifetime import forget, when_collected
from llmobserve.integrations._streams import Outcome


class _RawCall:
    __slots__ = ("call", "end", "from_json", "handled", "reference")

    def __init__(
        self,
        call: ProviderCall,
        end: Callable[[ProviderCall, Any], Any],
        from_json: Callable[[Any], Outcome],
    ) -> None:
        self.call = call
        self.end = end
        self.from_json = from_json
        self.handled = False
        self.reference: weakref.ref[Any] | None = None

    def parsed(self, result: Any) -> None:
        if self.handled:
            return
        self.handled = True
        try:
            if self.reference is not None:
                forget(self.reference)
            self.end(self.call, result)
        except Exception as exc:
            report_internal_error(exc)

    def collected(self, http_response: Any) -> None:
        """The raw response was dropped without a parse: record from its body, if read."""
        if self.handled:
            return
        try:
            body = json.loads(http_response.content)
        except Exception:  # not read (a streamed body), or not JSON: nothing more to learn
            body = None
        try:
            model, usage = self.from_json(body) if isinstance(body, dict) else (None, None)
            self.call.finish(model=model, usage=usage)
        except Exception as exc:
            report_internal_error(exc)


def observe_raw_response(
    response: Any,
    call: ProviderCall,
    end: Callable[[ProviderCall, Any], Any],
    from_json: Callable[[Any], Outcome],
) -> None:
    """Record `call` when `response.parse()` is first called (`end(call, parsed)`), or when the
    response is garbage-collected unparsed (`from_json(body)` gives the model and usage)."""
    watch = _RawCall(call, end, from_json)
    parse = type(response).parse
    http_response = response.http_response
    reference = when_collected(response, lambda: watch.collected(http_response))
    watch.reference = reference
    if inspect.iscoroutinefunction(parse):

        async def parse_async(*args: Any, **kwargs: Any) -> Any:
            result = await parse(reference(), *args, **kwargs)
            watch.parsed(result)
            return result

        response.parse = functools.update_wrapper(parse_async, parse)
    else:

        def parse_sync(*args: Any, **kwargs: Any) -> Any:
            result = parse(reference(), *args, **kwargs)
            watch.parsed(result)
            return result

        response.parse = functools.update_wrapper(parse_sync, parse)
