"""/settings/audit: the account's audit log, for owners only (members get the 403 page, as on
billing's owner actions). Filter by action and dates; pages by keyset ("Older entries").

`/settings/audit?action=sign_in_failed&from=2026-11-01&to=2026-11-25&after=<cursor>`: every
parameter is optional, and a wrong one becomes a message next to its field, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from llmobserve_server.audit import ACTIONS, AuditFilter, AuditPage, list_events
from llmobserve_server.domain_errors import DomainError
from llmobserve_server.errors import ApiError
from llmobserve_server.http.deps import DbDep
from llmobserve_server.web.templating import render
from llmobserve_server.web.viewer import ViewerDep

router = APIRouter(prefix="/settings/audit", include_in_schema=False)

PAGE = "/settings/audit"
ACTOR_NAMES = {"stripe": "Stripe (billing)", "cli": "Command line (set-tier)"}


@dataclass(frozen=True)
class AuditQuery:
    values: dict[str, str]  # as typed, refilled into the form
    filters: AuditFilter
    after: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        return any(self.values.values())

    def url(self, *, after: str | None = None) -> str:
        params = {name: value for name, value in self.values.items() if value}
        if after:
            params["after"] = after
        return PAGE + (f"?{urlencode(params)}" if params else "")


def read_audit_query(params: Mapping[str, str]) -> AuditQuery:
    values = {name: params.get(name, "").strip()[:40] for name in ("action", "from", "to")}
    errors: dict[str, str] = {}
    action = values["action"]
    if action and action not in ACTIONS:
        errors["action"] = "Choose an action from the list."
    start = _date(values["from"], "from", errors)
    end = _date(values["to"], "to", errors)
    if start and end and start > end:
        errors["to"] = "“To” must be on or after “From”."
    filters = AuditFilter(action=action or None, start=start, end=end)
    return AuditQuery(values, filters, params.get("after", "")[:500] or None, errors)


def _date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD, e.g. 2026-11-25."
        return None


@router.get("")
def audit_page(request: Request, viewer: ViewerDep, db: DbDep) -> HTMLResponse:
    if not viewer.is_owner:
        raise ApiError(
            403, "owner_required", "Only owners of this account can see its audit log. Ask one."
        )
    query = read_audit_query(request.query_params)
    page = AuditPage(events=[], next_cursor=None)
    errors = dict(query.errors)
    if not errors:
        try:
            page = list_events(
                db, account_id=viewer.account.id, filters=query.filters, after=query.after
            )
        except DomainError:  # a cursor we did not hand out
            errors["after"] = "That page link is not valid any more. Start from the newest entries."
    return render(
        request,
        "settings/audit.html",
        viewer=viewer,
        query=query,
        values=query.values,
        errors=errors,
        page=page,
        actions=ACTIONS,
        actor_names=ACTOR_NAMES,
        next_url=query.url(after=page.next_cursor) if page.next_cursor else None,
    )
