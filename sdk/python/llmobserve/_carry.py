"""Carrying the context (run, span, customer, section, agent) to another process or service.

`export_context()` gives a small dict of strings (JSON-safe) to send along with a job;
`import_context(data)` continues that run where it is received. `inject_headers()` and
`extract_headers()` do the same over HTTP: the W3C `traceparent` header (our run id is a W3C
trace id, our span id a W3C parent id) plus `x-llmobserve-*` headers for the rest.

`import_context` sets the context of the running code (a task, a thread, a request) until the
scope it runs in ends; a frame it sets replaces the previous one it set, so a worker thread that
imports a context per job does not pile frames up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import quote, unquote

from llmobserve._context import Frame, _current, current_frame
from llmobserve._events import clip
from llmobserve._log import capture_internal_errors, warn_once

FIELDS = ("run_id", "span_id", "customer_id", "section", "agent")
HEADER_PREFIX = "x-llmobserve-"
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
_HEX = re.compile(r"[0-9a-f]+")
_SET_BY_CALL = object()  # the opener of a frame set by a call (not by a scope)


def set_context(**changes: str | None) -> None:
    """Set fields of the current frame until the enclosing scope ends."""
    current = _current.get()
    base = current or Frame()
    outer = current.outer if current is not None and current.opener is _SET_BY_CALL else current
    fields = {name: getattr(base, name) for name in FIELDS}
    fields.update(changes)
    _current.set(Frame(**fields, outer=outer, opener=_SET_BY_CALL))


def export_context() -> dict[str, str]:
    """The current run, span, customer, section and agent, as a dict of strings.

    Send it with a job or a message, and call `import_context` where it is handled: what is
    recorded there joins this run, under this span. Outside every scope it is `{}`.

    Returns:
        A JSON-safe dict (`run_id`, `span_id`, `customer_id`, `section`, `agent`; unset ones left
        out).

    Example:
        ```python
        with llmobserve.run("ingest"):
            queue.put({"document": doc_id, "llmobserve": llmobserve.export_context()})
        ```
    """
    with capture_internal_errors():
        frame = current_frame()
        return {name: value for name in FIELDS if (value := getattr(frame, name))}
    return {}


def import_context(data: object) -> None:
    """Continue, in this process or service, the context that `export_context()` gave.

    Until the scope it runs in ends (or, at the top of a job, for the rest of it), what is
    recorded joins the exported run, under the exported span, with its customer, section and
    agent. Takes llmobserve 0.3's exported dicts too. Anything else is ignored with a warning.

    Args:
        data: What `export_context()` (or `extract_headers()`) returned.

    Example:
        ```python
        def handle(message):
            llmobserve.import_context(message["llmobserve"])
            summarize(message["document"])  # recorded in the run that sent the message
        ```
    """
    try:
        changes = context_from(data)
    except Exception:  # a mapping that fails when read: the caller's value, not our error
        changes = None
    with capture_internal_errors():
        if changes is None:
            warn_once(
                "import_context",
                "llmobserve.import_context(): a %s is not what export_context() returns; ignored.",
                type(data).__name__,
            )
        elif changes:
            set_context(**changes)


def context_from(data: object) -> dict[str, str | None] | None:
    """The frame fields in an exported dict (ours or 0.3's); None when `data` is not one."""
    if not isinstance(data, Mapping):
        return None
    if not data:
        return {}
    span_id = data.get("span_id")
    stack = data.get("section_stack")  # llmobserve 0.3: the open sections, innermost last
    if span_id is None and isinstance(stack, list) and stack and isinstance(stack[-1], Mapping):
        span_id = stack[-1].get("span_id")
    values = {name: data.get(name) for name in FIELDS}
    values["span_id"] = span_id
    if not isinstance(values["run_id"], str) or not values["run_id"]:
        return None
    return {
        name: clip(name, value) if isinstance(value, str) else None
        for name, value in values.items()
    }


def inject_headers(headers: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """HTTP headers that carry the current context to another service.

    `traceparent` (W3C Trace Context) and `x-llmobserve-run-id`, `-span-id`, `-customer-id`,
    `-section`, `-agent` (percent-encoded). The receiving service calls `extract_headers` (or
    uses llmobserve's ASGI/WSGI middleware). Outside every run, no headers.

    Args:
        headers: A mapping to add them to (e.g. a `requests` session's headers); default: none.

    Returns:
        The headers added, as a new dict.

    Example:
        ```python
        httpx.post(url, json=body, headers=llmobserve.inject_headers())
        ```
    """
    added: dict[str, str] = {}
    with capture_internal_errors():
        context = export_context()
        if not context.get("run_id"):
            return added
        run_id, span_id = context["run_id"], context.get("span_id", "")
        if _is_w3c_id(run_id, 32) and _is_w3c_id(span_id, 16):
            added["traceparent"] = f"00-{run_id}-{span_id}-01"
        for name, value in context.items():
            added[HEADER_PREFIX + name.replace("_", "-")] = quote(value, safe="")
        if headers is not None:
            try:
                headers.update(added)
            except Exception:
                warn_once(
                    "inject_headers",
                    "llmobserve.inject_headers(): could not add headers to %s; returned only.",
                    type(headers).__name__,
                )
    return added


def extract_headers(headers: object) -> dict[str, str]:
    """The context that `inject_headers` put in a request's headers, for `import_context`.

    Reads `x-llmobserve-*` headers, else a W3C `traceparent` (its trace id becomes the run id, its
    parent id the parent span). Header names are matched case-insensitively.

    Args:
        headers: The request's headers: a mapping, or (name, value) pairs (str or bytes, as in
            ASGI's `scope["headers"]`).

    Returns:
        A dict for `import_context`; `{}` when the request carries no context.

    Example:
        ```python
        @app.post("/summarize")
        def summarize(request):
            llmobserve.import_context(llmobserve.extract_headers(request.headers))
        ```
    """
    try:
        found = _lowercased(headers)
    except Exception:  # headers that fail when read: the caller's value, not our error
        found = {}
    with capture_internal_errors():
        context: dict[str, str] = {}
        for name in FIELDS:
            value = found.get(HEADER_PREFIX + name.replace("_", "-"))
            if value:
                text = clip(name, unquote(value))
                if text:
                    context[name] = text
        if "run_id" not in context:
            match = _TRACEPARENT.fullmatch(found.get("traceparent", "").strip())
            if match and match.group(1) != "0" * 32:
                context["run_id"], context["span_id"] = match.group(1), match.group(2)
        return context if "run_id" in context else {}
    return {}


def _lowercased(headers: object) -> dict[str, str]:
    pairs: Iterable[Any]
    items = getattr(headers, "items", None)
    if callable(items):
        pairs = items()
    elif isinstance(headers, (list, tuple)):
        pairs = headers
    else:
        return {}
    found: dict[str, str] = {}
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            continue
        name, value = (_text(part) for part in pair)
        if name is not None and value is not None and len(value) <= 8192:
            found.setdefault(name.lower(), value)
    return found


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def _is_w3c_id(value: str, length: int) -> bool:
    return len(value) == length and bool(_HEX.fullmatch(value)) and value != "0" * length
