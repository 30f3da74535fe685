"""Costs by model as people read them: dated snapshots grouped with their alias on request, and
events without a model (`track()` calls, per-unit services) named by their provider.

    alias_of("gpt-4o-mini-2024-07-18")   "gpt-4o-mini"
    alias_of("claude-sonnet-4-20250514")  "claude-sonnet-4"
    rows = model_rows(report.rows, unmodelled=unmodelled_costs(db, **window), aliases=True)
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.costs import COUNTS, CostRow
from llmobserve_server.analytics.rollups import rollup_for

_SNAPSHOT = re.compile(r"^(?P<alias>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8})$")
"""A dated snapshot: OpenAI's `-YYYY-MM-DD` and Anthropic's `-YYYYMMDD` suffixes."""
NO_PROVIDER_LABEL = "Custom events (no provider or model)"


@dataclass(frozen=True)
class ModelRow:
    label: str  # a model, an alias, or "acme-ocr (no model)"
    models: tuple[str, ...]  # the models summed in this row (one unless grouped by alias)
    unset: bool  # no model: the row names the provider instead
    row: CostRow


def alias_of(model: str) -> str:
    """The model without its snapshot date, or the model itself when it has none."""
    match = _SNAPSHOT.match(model)
    return match.group("alias") if match else model


def unmodelled_costs(
    db: DbSession, *, account_id: uuid.UUID, start: datetime, end: datetime
) -> list[CostRow]:
    """The events without a model, one row per provider ('' for none), from the rollup."""
    rollup = rollup_for(account_id=account_id, start=start, end=end, by=("provider", "model"))
    provider, model = rollup.column("provider"), rollup.column("model")
    cost = rollup.sum("cost_usd").label("cost_usd")
    rows = db.execute(
        select(provider.label("key"), cost, *[rollup.sum(name).label(name) for name in COUNTS])
        .where(*rollup.filters, model == "")
        .group_by(provider)
        .order_by(cost.desc(), provider)
    ).all()
    return [
        CostRow(key=row.key, cost_usd=row.cost_usd, **{n: int(getattr(row, n)) for n in COUNTS})
        for row in rows
    ]


def _sum(rows: Sequence[CostRow], key: str | None) -> CostRow:
    sums = {
        item.name: sum(getattr(row, item.name) for row in rows)
        for item in fields(CostRow)
        if item.name != "key"
    }
    return CostRow(key=key, **sums)


def model_rows(
    rows: Iterable[CostRow], *, unmodelled: Sequence[CostRow], aliases: bool
) -> list[ModelRow]:
    """The costs-by-model rows to show: the events without a model split by provider, and with
    `aliases` every dated snapshot summed into its alias's row; by cost, highest first."""
    groups: dict[str, list[CostRow]] = {}
    for row in rows:
        if not row.key:
            continue  # shown from `unmodelled`, by provider
        groups.setdefault(alias_of(row.key) if aliases else row.key, []).append(row)
    shown = [
        ModelRow(
            label, tuple(sorted(row.key or "" for row in members)), False, _sum(members, label)
        )
        for label, members in groups.items()
    ]
    shown += [
        ModelRow(f"{row.key} (no model)" if row.key else NO_PROVIDER_LABEL, (), True, row)
        for row in unmodelled
    ]
    return sorted(shown, key=lambda item: (-item.row.cost_usd, item.label))
