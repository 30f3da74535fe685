"""Sections are slash paths (`support/drafting`): a section's cost includes its subsections'.

    tree = section_tree(report.rows)          # the costs page: every section, parents first
    [(node.key, node.depth, node.row.cost_usd) for node in tree]
    # [("support", 0, 0.30), ("support/drafting", 1, 0.20), ("support/retrieval", 1, 0.10)]
    top = top_level_sections(key_costs, limit=5)   # the dashboard's top sections

The rollups keep each event under its own section only, so the sums are made here, from the
per-section rows: pure functions over what a query returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from llmobserve_server.analytics.costs import CostRow
from llmobserve_server.analytics.overview import KeyCost

SEPARATOR = "/"


@dataclass(frozen=True)
class SectionNode:
    key: str | None  # the full path; None for the events without a section
    depth: int  # 0 for a top-level section
    row: CostRow  # the section's own events and all of its subsections'


def _ancestors(path: str) -> list[str]:
    """ "a/b/c" → ["a", "a/b", "a/b/c"] (empty segments from doubled slashes are kept as sent)."""
    parts = path.split(SEPARATOR)
    return [SEPARATOR.join(parts[: index + 1]) for index in range(len(parts))]


def _add(total: CostRow | None, row: CostRow, key: str | None) -> CostRow:
    if total is None:
        return replace(row, key=key)
    sums = {
        item.name: getattr(total, item.name) + getattr(row, item.name)
        for item in fields(CostRow)
        if item.name != "key"
    }
    return CostRow(key=key, **sums)


def section_tree(rows: Iterable[CostRow]) -> list[SectionNode]:
    """Every section of `rows` and every parent path of one, each with its subtree's sums;
    depth-first, siblings by cost (highest first) then name. Events without a section come
    last, as a row of their own."""
    totals: dict[str, CostRow] = {}
    unsectioned: CostRow | None = None
    for row in rows:
        if not row.key:
            unsectioned = _add(unsectioned, row, None)
            continue
        for path in _ancestors(row.key):
            totals[path] = _add(totals.get(path), row, path)

    children: dict[str, list[str]] = {}
    for path in totals:
        parent = path.rpartition(SEPARATOR)[0] if SEPARATOR in path else ""
        children.setdefault(parent, []).append(path)

    nodes: list[SectionNode] = []

    def visit(parent: str, depth: int) -> None:
        for path in sorted(children.get(parent, []), key=lambda p: (-totals[p].cost_usd, p)):
            nodes.append(SectionNode(path, depth, totals[path]))
            visit(path, depth + 1)

    visit("", 0)
    if unsectioned is not None:
        nodes.append(SectionNode(None, 0, unsectioned))
    return nodes


def top_level_sections(rows: Sequence[KeyCost], *, limit: int) -> list[KeyCost]:
    """The `limit` costliest top-level sections, each with its subsections' cost and events
    (`rows`: every section's own, from `overview.top_costs`)."""
    totals: dict[str | None, KeyCost] = {}
    for row in rows:
        top = row.key.split(SEPARATOR, 1)[0] if row.key else None
        seen = totals.get(top)
        totals[top] = (
            replace(row, key=top)
            if seen is None
            else KeyCost(
                key=top,
                cost_usd=seen.cost_usd + row.cost_usd,
                events=seen.events + row.events,
                share=seen.share + row.share,
            )
        )
    ranked = sorted(
        totals.values(), key=lambda item: (-item.cost_usd, item.key is None, item.key or "")
    )
    return ranked[:limit]
