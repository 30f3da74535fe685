"""How the pages name and link a dimension's values (a model, a customer id, an agent name).

Values are free text from the SDK: slashes, spaces, `?`, `#` and any unicode. A link quotes the
whole value as one path segment, which the `{name:path}` routes decode back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from llmobserve_server.analytics.dimensions import Dimension

UNSET_LABELS: dict[str, str] = {
    "provider": "No provider (custom events)",
    "model": "No model (custom events)",
    "customer": "No customer",
    "section": "No section",
    "agent": "No agent",
}
_DETAIL_PAGES = {"agent": "/agents/", "customer": "/customers/"}
_RUN_FILTERS = {"agent": "agent", "customer": "customer"}


def key_label(dimension: Dimension, key: str | None) -> str:
    """The value, or what to show when the events did not set it."""
    return key if key else UNSET_LABELS[dimension]


def detail_href(dimension: Dimension, key: str | None) -> str | None:
    """The drill-down page of one agent or customer (None for other dimensions or no value)."""
    prefix = _DETAIL_PAGES.get(dimension)
    if prefix is None or not key:
        return None
    return prefix + quote(key, safe="")


def runs_href(dimension: Dimension, key: str) -> str:
    """The runs page filtered to one agent or customer."""
    return "/runs?" + urlencode({_RUN_FILTERS[dimension]: key})


def costs_href(group_by: str, query: dict[str, str]) -> str:
    """The costs page grouped by `group_by`, in the range that `query` chooses."""
    return "/costs?" + urlencode({"group_by": group_by, **query})


DIMENSION_TITLES: dict[str, str] = {
    "provider": "Provider",
    "model": "Model",
    "customer": "Customer",
    "section": "Section",
    "agent": "Agent",
}

TEMPLATE_HELPERS: dict[str, Any] = {
    "key_label": key_label,
    "detail_href": detail_href,
    "runs_href": runs_href,
    "costs_href": costs_href,
    "dimension_titles": DIMENSION_TITLES,
}
"""What the dashboard templates call; pages pass these to `render`."""
