"""Pure functions behind the costs tables: sections roll up into their parents, dated model
snapshots group with their alias, and events without a model are named by their provider."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmobserve_server.analytics.costs import CostRow
from llmobserve_server.analytics.models import NO_PROVIDER_LABEL, alias_of, model_rows
from llmobserve_server.analytics.overview import KeyCost
from llmobserve_server.analytics.sections import section_tree, top_level_sections


def row(key: str | None, cost: str, events: int = 1) -> CostRow:
    return CostRow(key, Decimal(cost), events, 0, 10 * events, 0, 0, events, 0)


def test_a_section_row_includes_its_subsections() -> None:
    tree = section_tree(
        [row("support/drafting", "0.20"), row("support/retrieval", "0.10"), row("support", "0.05")]
    )
    assert [(node.key, node.depth, node.row.cost_usd, node.row.events) for node in tree] == [
        ("support", 0, Decimal("0.35"), 3),
        ("support/drafting", 1, Decimal("0.20"), 1),
        ("support/retrieval", 1, Decimal("0.10"), 1),
    ]


def test_a_parent_without_events_of_its_own_still_heads_its_subsections() -> None:
    tree = section_tree([row("a/b/c", "1"), row("x", "2"), row(None, "0.5")])
    assert [(node.key, node.depth) for node in tree] == [
        ("x", 0),
        ("a", 0),
        ("a/b", 1),
        ("a/b/c", 2),
        (None, 0),
    ]
    assert tree[1].row.cost_usd == Decimal("1")


def test_the_dashboards_top_sections_are_top_level_sections_with_their_subsections() -> None:
    rows = [
        KeyCost("support/drafting", Decimal("2"), 2, Decimal("0.4")),
        KeyCost("billing", Decimal("2.5"), 1, Decimal("0.5")),
        KeyCost("support/retrieval", Decimal("0.5"), 1, Decimal("0.1")),
    ]
    assert top_level_sections(rows, limit=5) == [
        KeyCost("billing", Decimal("2.5"), 1, Decimal("0.5")),
        KeyCost("support", Decimal("2.5"), 3, Decimal("0.5")),
    ]
    assert [item.key for item in top_level_sections(rows, limit=1)] == ["billing"]


@pytest.mark.parametrize(
    ("model", "alias"),
    [
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("o3-mini", "o3-mini"),
    ],
)
def test_a_dated_snapshot_has_its_alias(model: str, alias: str) -> None:
    assert alias_of(model) == alias


def test_snapshots_group_with_their_alias_only_when_asked() -> None:
    rows = [row("gpt-4o-mini-2024-07-18", "0.3"), row("gpt-4o-mini", "0.2"), row("o3", "0.4")]
    grouped = model_rows(rows, unmodelled=[], aliases=True)
    assert [(item.label, item.row.cost_usd, item.models) for item in grouped] == [
        ("gpt-4o-mini", Decimal("0.5"), ("gpt-4o-mini", "gpt-4o-mini-2024-07-18")),
        ("o3", Decimal("0.4"), ("o3",)),
    ]
    apart = model_rows(rows, unmodelled=[], aliases=False)
    assert [item.label for item in apart] == ["o3", "gpt-4o-mini-2024-07-18", "gpt-4o-mini"]


def test_events_without_a_model_are_named_by_their_provider() -> None:
    rows = [row("gpt-4o", "1"), row(None, "0.7", 3)]
    unmodelled = [row("acme-ocr", "0.5", 2), row("", "0.2")]
    labels = [
        (item.label, item.unset) for item in model_rows(rows, unmodelled=unmodelled, aliases=False)
    ]
    assert labels == [("gpt-4o", False), ("acme-ocr (no model)", True), (NO_PROVIDER_LABEL, True)]
