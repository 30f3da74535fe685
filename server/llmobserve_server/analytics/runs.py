"""Runs: the list (from the runs rollup) and one run's span tree (from its events)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.db.models import Run, TraceEvent
from llmobserve_server.errors import ApiError

MAX_SPANS = 10_000


@dataclass(frozen=True)
class RunPage:
    runs: list[Run]
    next_position: tuple[datetime, str] | None


def list_runs(
    db: DbSession,
    *,
    account_id: uuid.UUID,
    limit: int,
    after: tuple[datetime, str] | None = None,
    customer_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> RunPage:
    """Newest first. `after` is the (started_at, run_id) of the last run of the previous page."""
    query = select(Run).where(Run.account_id == account_id)
    if customer_id is not None:
        query = query.where(Run.customer_id == customer_id)
    if start is not None:
        query = query.where(Run.started_at >= start)
    if end is not None:
        query = query.where(Run.started_at < end)
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
    )


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


@dataclass(frozen=True)
class RunDetail:
    run: Run
    spans: list[SpanNode]


def get_run(db: DbSession, *, account_id: uuid.UUID, run_id: str) -> RunDetail:
    """The run and its span tree; 404 when the run is not this account's."""
    run = db.get(Run, (account_id, run_id))
    if run is None:
        raise ApiError(404, "not_found", "Run not found.")
    events = db.scalars(
        select(TraceEvent)
        .where(TraceEvent.account_id == account_id, TraceEvent.run_id == run_id)
        .order_by(TraceEvent.timestamp, TraceEvent.id)
        .limit(MAX_SPANS)
    )
    return RunDetail(run=run, spans=build_span_tree(list(events)))


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
