"""The rows of the costs page's table, whatever the grouping: a label, an optional link, an
indent for subsections, and the sums.

By section the table is the section tree (a section includes its subsections); by model, events
without a model are named by their provider, and `?models=aliases` sums each dated snapshot into
its alias (`gpt-4o-mini-2024-07-18` into `gpt-4o-mini`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session as DbSession

from llmobserve_server.analytics.costs import CostReport, CostRow, GroupBy
from llmobserve_server.analytics.dimensions import Window
from llmobserve_server.analytics.models import model_rows, unmodelled_costs
from llmobserve_server.analytics.sections import section_tree
from llmobserve_server.web.dimension_values import detail_href, key_label

MODEL_VIEWS = ("models", "aliases")
"""`?models=`: each model as sent, or dated snapshots grouped with their alias."""


@dataclass(frozen=True)
class ShownRow:
    label: str
    muted: bool  # the label says a value is unset rather than naming one
    href: str | None
    depth: int  # subsection depth (0 elsewhere)
    row: CostRow
    title: str | None = None  # the models an alias row sums


def shown_rows(
    db: DbSession, window: Window, group: GroupBy, report: CostReport, *, model_view: str
) -> list[ShownRow]:
    if group == "section":
        return [
            ShownRow(
                node.key or key_label("section", None), not node.key, None, node.depth, node.row
            )
            for node in section_tree(report.rows)
        ]
    if group == "model":
        unmodelled = unmodelled_costs(db, **window) if any(not r.key for r in report.rows) else []
        return [
            ShownRow(
                item.label,
                item.unset,
                None,
                0,
                item.row,
                ", ".join(item.models) if len(item.models) > 1 else None,
            )
            for item in model_rows(
                report.rows, unmodelled=unmodelled, aliases=model_view == "aliases"
            )
        ]
    if group == "day":
        return [ShownRow(row.key or "", False, None, 0, row) for row in report.rows]
    return [
        ShownRow(key_label(group, row.key), not row.key, detail_href(group, row.key), 0, row)
        for row in report.rows
    ]
