"""A run's span tree (analytics.runs.build_span_tree): parents by parent_span_id, nothing lost."""

from __future__ import annotations

import uuid
from decimal import Decimal

from llmobserve_server.analytics.runs import SpanNode, build_span_tree
from llmobserve_server.db.models import TraceEvent


def span(span_id: str, parent: str | None = None, cost: str = "0") -> TraceEvent:
    return TraceEvent(
        id=uuid.uuid4(), span_id=span_id, parent_span_id=parent, cost_usd=Decimal(cost)
    )


Shape = list[tuple[str, "Shape"]]


def shape(nodes: list[SpanNode]) -> Shape:
    return [(node.event.span_id, shape(node.children)) for node in nodes]


def test_children_hang_under_their_parents_in_event_order() -> None:
    events = [span("root"), span("a", "root"), span("a1", "a"), span("b", "root")]
    assert shape(build_span_tree(events)) == [("root", [("a", [("a1", [])]), ("b", [])])]


def test_a_child_listed_before_its_parent_still_finds_it() -> None:
    events = [span("child", "root"), span("root")]
    assert shape(build_span_tree(events)) == [("root", [("child", [])])]


def test_a_span_whose_parent_never_arrived_is_shown_at_the_top_level() -> None:
    events = [span("root"), span("orphan", "missing")]
    assert shape(build_span_tree(events)) == [("root", []), ("orphan", [])]


def test_a_span_that_is_its_own_parent_is_a_root() -> None:
    assert shape(build_span_tree([span("loop", "loop")])) == [("loop", [])]


def test_spans_whose_parents_form_a_cycle_are_shown_at_the_top_level() -> None:
    events = [span("a", "b"), span("b", "a")]
    assert shape(build_span_tree(events)) == [("a", []), ("b", [])]


def test_a_repeated_span_id_keeps_both_events() -> None:
    events = [span("root"), span("dup", "root"), span("dup", "root")]
    assert shape(build_span_tree(events)) == [("root", [("dup", []), ("dup", [])])]


def test_every_event_appears_exactly_once() -> None:
    events = [span(f"s{i}", f"s{i // 2}" if i else None) for i in range(50)]
    events += [span("x", "y"), span("y", "x"), span("z", "z")]
    seen: list[str] = []

    def walk(nodes: list[SpanNode]) -> None:
        for node in nodes:
            seen.append(node.event.span_id)
            walk(node.children)

    walk(build_span_tree(events))
    assert sorted(seen) == sorted(e.span_id for e in events)


def test_a_nodes_total_cost_includes_its_descendants() -> None:
    events = [span("root", cost="1"), span("a", "root", "0.25"), span("a1", "a", "0.125")]
    (root,) = build_span_tree(events)
    assert root.total_cost_usd == Decimal("1.375")
    assert root.children[0].total_cost_usd == Decimal("0.375")
