"""Runs: the list (from the runs rollup) and one run's span tree (from its events)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.cursor import (
    cursor_instant,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from llmobserve_server.db.models import Run, TraceEvent
from llmobserve_server.domain_errors import NotFound

MAX_SPANS = 10_000
MAX_RUN_ID = 128  # the wire format's limit on run_id


RunStatus = Literal["ok", "error"]
RUN_STATUSES: tuple[RunStatus, ...] = ("ok", "error")


@dataclass(frozen=True)
class RunFilters:
    """Which runs to list. Every field narrows the list; None means "any".

    `agent` and `section` match runs with at least one event of that agent or section (exact
    match); `status` "error" means runs with at least one failed event, "ok" runs with none;
    `start` (inclusive) and `end` (exclusive) bound when the run started.
    """

    customer_id: str | None = None
    agent: str | None = None
    section: str | None = None
    status: RunStatus | None = None
    start: datetime | None = None
    end: datetime | None = None


RunPosition = tuple[datetime, str]  # (started_at, run_id) of the last run of a page


@dataclass(frozen=True)
class RunPage:
    runs: list[Run]
    next_position: RunPosition | None
    agents: dict[str, list[str]] = field(default_factory=dict)
    """The agents seen in each run of the page (run_id -> sorted names)."""


def list_runs(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    limit: int,
    after: RunPosition | None = None,
    filters: RunFilters | None = None,
) -> RunPage:
    """Newest first. `after` is the (started_at, run_id) of the last run of the previous page.

    Each filter has an index (`db/models/events.py`), so a page costs the same whether the
    account has a thousand events or millions.
    """
    query = select(Run).where(Run.account_id == account_id)
    query = _filtered(query, account_id, filters or RunFilters())
    if after is not None:
        started_at, run_id = after
        query = query.where(
            or_(
                Run.started_at < started_at,
                and_(Run.started_at == started_at, Run.run_id < run_id),
            )
        )
    runs = list(
        db.scalars(query.order_by(Run.started_at.desc(), Run.run_id.desc()).limit(limit + 1))
    )
    page = runs[:limit]
    has_more = len(runs) > limit
    return RunPage(
        runs=page,
        next_position=(page[-1].started_at, page[-1].run_id) if has_more else None,
        agents=_agents_of(db, account_id, [run.run_id for run in page]),
    )


def _filtered(query: Select[Run], account_id: uuid.UUID, f: RunFilters) -> Select[Run]:
    if f.customer_id is not None:
        query = query.where(Run.customer_id == f.customer_id)
    if f.status == "error":
        query = query.where(Run.errors > 0)
    elif f.status == "ok":
        query = query.where(Run.errors == 0)
    if f.start is not None:
        query = query.where(Run.started_at >= f.start)
    if f.end is not None:
        query = query.where(Run.started_at < f.end)
    for column, value in ((TraceEvent.agent, f.agent), (TraceEvent.section, f.section)):
        if value is not None:
            query = query.where(
                exists().where(
                    TraceEvent.account_id == account_id,
                    column == value,
                    TraceEvent.run_id == Run.run_id,
                )
            )
    return query


def _agents_of(db: DbSession, account_id: uuid.UUID, run_ids: list[str]) -> dict[str, list[str]]:
    if not run_ids:
        return {}
    pairs = db.execute(
        select(TraceEvent.run_id, TraceEvent.agent)
        .where(
            TraceEvent.account_id == account_id,
            TraceEvent.run_id.in_(run_ids),
            TraceEvent.agent.is_not(None),
        )
        .distinct()
    )
    agents: dict[str, list[str]] = {}
    for run_id, agent in pairs:
        if agent is not None:
            agents.setdefault(run_id, []).append(agent)
    return {run_id: sorted(names) for run_id, names in agents.items()}


def encode_run_cursor(position: RunPosition) -> str:
    return encode_cursor([position[0].isoformat(), position[1]])


def decode_run_cursor(cursor: str) -> RunPosition:
    """The position inside a cursor from `encode_run_cursor`; `invalid_cursor` otherwise."""
    position = decode_cursor(cursor)
    if len(position) != 2 or not isinstance(position[1], str) or len(position[1]) > MAX_RUN_ID:
        raise invalid_cursor()
    return cursor_instant(position[0]), position[1]


@dataclass
class SpanNode:
    event: TraceEvent
    children: list[SpanNode] = field(default_factory=list)

    @property
    def total_cost_usd(self) -> Decimal:
        """This span's own cost plus its descendants'."""
        return self.event.cost_usd + sum(
            (child.total_cost_usd for child in self.children), Decimal(0)
        )

    @property
    def usage_missing(self) -> bool:
        """The call ended without the provider reporting its usage (the SDK's
        `metadata.usage_missing`, e.g. a stream from a server that sends none): its $0 is not
        the call's cost, it is unknown."""
        metadata = self.event.metadata_
        return isinstance(metadata, dict) and metadata.get("usage_missing") is True


@dataclass(frozen=True)
class RunDetail:
    run: Run
    spans: list[SpanNode]
    agents: list[str] = field(default_factory=list)


def get_run(db: DbSession, *, account_id: uuid.UUID, run_id: str) -> RunDetail:
    """The run and its span tree; 404 when the run is not this account's."""
    run = db.get(Run, (account_id, run_id))
    if run is None:
        raise NotFound("not_found", "Run not found.")
    events = db.scalars(
        select(TraceEvent)
        .where(TraceEvent.account_id == account_id, TraceEvent.run_id == run_id)
        .order_by(TraceEvent.timestamp, TraceEvent.id)
        .limit(MAX_SPANS)
    )
    listed = list(events)
    agents = sorted({event.agent for event in listed if event.agent})
    return RunDetail(run=run, spans=build_span_tree(listed), agents=agents)


def build_span_tree(events: list[TraceEvent]) -> list[SpanNode]:
    """Events linked by parent_span_id. A span whose parent sent no event of its own (or that
    would close a cycle) is shown at the top level rather than lost."""
    all_nodes = [SpanNode(event) for event in events]
    nodes: dict[str, SpanNode] = {}
    for node in all_nodes:  # a repeated span id is kept as its own node, linked to the first
        nodes.setdefault(node.event.span_id, node)
    roots: list[SpanNode] = []
    for node in all_nodes:
        parent_id = node.event.parent_span_id
        parent = nodes.get(parent_id) if parent_id else None
        if parent is None or parent is node or _is_descendant(parent, node, nodes):
            roots.append(node)
        else:
            parent.children.append(node)
    return roots


def _is_descendant(candidate: SpanNode, ancestor: SpanNode, nodes: dict[str, SpanNode]) -> bool:
    """Whether `candidate` already sits under `ancestor` by parent links (a cycle guard)."""
    seen: set[str] = set()
    parent_id = candidate.event.parent_span_id
    while parent_id and parent_id not in seen:
        if parent_id == ancestor.event.span_id:
            return True
        seen.add(parent_id)
        parent = nodes.get(parent_id)
        parent_id = parent.event.parent_span_id if parent else None
    return False
