"""The runs page's query string: filters and cursor, read and checked for people.

`/runs?customer=acme&agent=triage&section=support/retrieval&status=error&from=2026-11-01&to=2026-11-25`
Every parameter is optional; a wrong one becomes a message next to its field, never a 500.
The same names build the "Load more" link, so filters survive pagination and can be linked to
from other pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from llmobserve_server.analytics.runs import (
    RUN_STATUSES,
    RunFilters,
    RunPosition,
    decode_run_cursor,
    encode_run_cursor,
)
from llmobserve_server.domain_errors import DomainError
from llmobserve_server.errors import ApiError
from llmobserve_server.http.time_range import parse_instant

FILTER_NAMES = ("customer", "agent", "section", "status", "from", "to")
MAX_TEXT = 200


@dataclass(frozen=True)
class RunQuery:
    values: dict[str, str]  # the filters as typed (refilled into the form)
    filters: RunFilters
    after: RunPosition | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        return any(self.values.values())

    def url(self, *, cursor: RunPosition | None = None) -> str:
        """/runs with these filters, and the page after `cursor` when given."""
        params = {name: value for name, value in self.values.items() if value}
        if cursor is not None:
            params["cursor"] = encode_run_cursor(cursor)
        return "/runs" + (f"?{urlencode(params)}" if params else "")


def read_run_query(params: Mapping[str, str]) -> RunQuery:
    values = {name: params.get(name, "").strip() for name in FILTER_NAMES}
    errors: dict[str, str] = {}
    for name in ("customer", "agent", "section"):
        if len(values[name]) > MAX_TEXT:
            errors[name] = f"Use at most {MAX_TEXT} characters."
    status = values["status"]
    if status and status not in RUN_STATUSES:
        errors["status"] = "Choose “Succeeded” or “Failed”."
    start = _date(values["from"], "from", errors, is_end=False)
    end = _date(values["to"], "to", errors, is_end=True)
    if start and end and start >= end:
        errors["to"] = "“To” must be on or after “From”."
    after = None
    cursor = params.get("cursor", "")
    if cursor:
        try:
            after = decode_run_cursor(cursor)
        except DomainError:
            errors["cursor"] = (
                "That page link is not valid any more. Start again from the first page."
            )
    filters = RunFilters(
        customer_id=values["customer"] or None,
        agent=values["agent"] or None,
        section=values["section"] or None,
        status="ok" if status == "ok" else "error" if status == "error" else None,
        start=start,
        end=end,
    )
    return RunQuery(values=values, filters=filters, after=after, errors=errors)


def _date(value: str, name: str, errors: dict[str, str], *, is_end: bool) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ApiError(422, "invalid_request", "")
        return parse_instant(value, name=name, is_end=is_end)
    except ApiError:
        errors[name] = "Enter a date as YYYY-MM-DD, e.g. 2026-11-25."
        return None
