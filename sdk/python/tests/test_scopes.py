"""run / section / agent / customer: what the collector then shows in its span tree."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from support.accounts import Account

import llmobserve
from llmobserve import Usage, record_call
from llmobserve._context import current_frame


def spans_by_name(tree: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for span in tree:
        found[span["name"]] = span
        found.update(spans_by_name(span["children"]))
    return found


def call(name: str = "llm", **fields: Any) -> None:
    """What an integration records after a provider call (a model the catalogue prices)."""
    record_call(
        provider="openai",
        model="gpt-4o-mini",
        operation="chat",
        started_at=datetime.now(timezone.utc),
        duration_ms=12.5,
        usage=Usage(input_tokens=1000, output_tokens=100),
        name=name,
        **fields,
    )


@pytest.fixture(autouse=True)
def sdk(start_sdk: Callable[..., None]) -> None:
    start_sdk()


def test_nested_scopes_build_the_span_tree(account: Account) -> None:
    with llmobserve.run("answer-ticket") as frame:
        with llmobserve.customer("acme"):
            with llmobserve.section("support"):
                with llmobserve.agent("researcher"):
                    with llmobserve.section("retrieval"):
                        call("embed")
                call("reply")
    assert llmobserve.flush(timeout=5)

    run = account.run(frame.run_id)
    assert run["name"] == "answer-ticket"
    (root,) = run["spans"]
    assert (root["name"], root["operation"], root["parent_span_id"]) == (
        "answer-ticket",
        "run",
        None,
    )
    (support,) = root["children"]
    assert (support["name"], support["section"], support["operation"]) == (
        "support",
        "support",
        "section",
    )
    assert {child["name"] for child in support["children"]} == {"researcher", "reply"}
    spans = spans_by_name(run["spans"])
    researcher, retrieval, embed = spans["researcher"], spans["retrieval"], spans["embed"]
    assert researcher["agent"] == "researcher" and researcher["operation"] == "agent"
    assert retrieval["parent_span_id"] == researcher["span_id"]
    assert embed["parent_span_id"] == retrieval["span_id"]
    assert (embed["section"], embed["agent"], embed["customer_id"]) == (
        "support/retrieval",
        "researcher",
        "acme",
    )
    assert spans["reply"]["section"] == "support" and spans["reply"]["agent"] is None
    # the spans cost nothing themselves; the calls are priced from the catalogue
    assert root["cost_usd"] == "0.000000" and root["cost_source"] == "client"
    assert embed["cost_source"] == "catalog" and embed["cost_usd"] != "0.000000"
    assert root["total_cost_usd"] == run["total_cost_usd"]


def test_the_section_path_joins_nested_sections_with_slashes(account: Account) -> None:
    with llmobserve.run("r") as frame:
        with llmobserve.section("support"), llmobserve.section("retrieval/rerank"):
            call()
    assert llmobserve.flush(timeout=5)

    assert spans_by_name(account.run(frame.run_id)["spans"])["llm"]["section"] == (
        "support/retrieval/rerank"
    )
    sections = {row["key"] for row in account.costs("section")["rows"]}
    assert "support/retrieval/rerank" in sections


def test_customer_attributes_every_event_inside_it(account: Account) -> None:
    with llmobserve.customer("acme"):
        call()
        with llmobserve.customer("globex"):
            call()
        call()
    assert llmobserve.flush(timeout=5)

    rows = {row["key"]: row["events"] for row in account.costs("customer")["rows"]}
    assert rows == {"acme": 2, "globex": 1}


def test_a_sync_decorated_function_opens_a_run_per_call(account: Account) -> None:
    run_ids: list[str | None] = []

    @llmobserve.run()
    def handle(ticket: int) -> int:
        run_ids.append(_current_run_id())
        call()
        return ticket * 2

    assert handle(1) == 2 and handle(2) == 4
    assert handle.__name__ == "handle"
    assert llmobserve.flush(timeout=5)

    assert len(set(run_ids)) == 2
    for run_id in run_ids:
        assert run_id is not None
        run = account.run(run_id)
        assert run["name"].endswith("handle")
        assert [child["name"] for child in run["spans"][0]["children"]] == ["llm"]


def test_an_async_decorated_function_stays_a_coroutine_function(account: Account) -> None:
    @llmobserve.section("async-step")
    async def step() -> str:
        await asyncio.sleep(0)
        call()
        return "done"

    @llmobserve.run("async-run")
    async def main() -> str | None:
        assert await step() == "done"
        return _current_run_id()

    assert inspect.iscoroutinefunction(main) and inspect.iscoroutinefunction(step)
    run_id = asyncio.run(main())
    assert llmobserve.flush(timeout=5)

    assert run_id is not None
    spans = spans_by_name(account.run(run_id)["spans"])
    assert spans["llm"]["parent_span_id"] == spans["async-step"]["span_id"]
    assert spans["async-step"]["parent_span_id"] == spans["async-run"]["span_id"]


def test_async_with_works_like_with(account: Account) -> None:
    async def main() -> str:
        async with llmobserve.run("async-with") as frame, llmobserve.section("inner"):
            call()
        assert _current_run_id() is None
        assert frame.run_id is not None
        return frame.run_id

    run_id = asyncio.run(main())
    assert llmobserve.flush(timeout=5)
    assert spans_by_name(account.run(run_id)["spans"])["llm"]["section"] == "inner"


def test_a_decorated_generator_is_in_scope_while_it_runs_and_not_in_its_caller(
    account: Account,
) -> None:
    @llmobserve.section("stream")
    def chunks() -> Iterator[str | None]:
        for _ in range(2):
            call()
            yield _current_section()

    with llmobserve.run("gen") as frame:
        seen = []
        for section_inside in chunks():
            seen.append((section_inside, _current_section()))
    assert llmobserve.flush(timeout=5)

    assert inspect.isgeneratorfunction(chunks)
    assert seen == [("stream", None), ("stream", None)]
    spans = spans_by_name(account.run(frame.run_id)["spans"])
    stream = spans["stream"]
    assert [child["name"] for child in stream["children"]] == ["llm", "llm"]
    assert stream["parent_span_id"] == spans["gen"]["span_id"]


def test_a_decorated_async_generator_is_in_scope_while_it_runs(account: Account) -> None:
    @llmobserve.agent("streamer")
    async def tokens() -> AsyncIterator[str | None]:
        for _ in range(3):
            await asyncio.sleep(0)
            call()
            yield _current_agent()

    async def main() -> tuple[str, list[tuple[str | None, str | None]]]:
        async with llmobserve.run("agen") as frame:
            seen = [(agent, _current_agent()) async for agent in tokens()]
        assert frame.run_id is not None
        return frame.run_id, seen

    assert inspect.isasyncgenfunction(tokens)
    run_id, seen = asyncio.run(main())
    assert llmobserve.flush(timeout=5)

    assert seen == [("streamer", None)] * 3
    spans = spans_by_name(account.run(run_id)["spans"])
    assert len(spans["streamer"]["children"]) == 3


def test_an_exception_marks_the_span_as_error_and_propagates(account: Account) -> None:
    @llmobserve.section("failing")
    def fail() -> None:
        call()
        raise ValueError("no answer")

    with pytest.raises(ValueError, match="no answer"):
        with llmobserve.run("errors") as frame:
            fail()
    assert llmobserve.flush(timeout=5)

    run = account.run(frame.run_id)
    spans = spans_by_name(run["spans"])
    assert spans["failing"]["status"] == "error"
    assert spans["failing"]["error"] == "ValueError: no answer"
    assert spans["errors"]["status"] == "error"
    assert spans["llm"]["status"] == "ok"
    assert run["errors"] >= 2


def test_a_call_outside_every_run_is_a_run_of_its_own(account: Account) -> None:
    call("alone-1")
    call("alone-2")
    assert llmobserve.flush(timeout=5)

    runs = {run["name"]: run for run in account.runs()}
    assert runs["alone-1"]["run_id"] != runs["alone-2"]["run_id"]
    assert runs["alone-1"]["events"] == 1


def test_a_section_outside_every_run_starts_a_run_of_its_own(account: Account) -> None:
    with llmobserve.section("batch-job") as frame:
        call()
    assert llmobserve.flush(timeout=5)

    assert frame.run_id is not None
    run = account.run(frame.run_id)
    assert run["name"] == "batch-job"
    assert [child["name"] for child in run["spans"][0]["children"]] == ["llm"]


def test_a_run_inside_a_run_starts_a_new_run_keeping_the_customer(account: Account) -> None:
    with llmobserve.customer("acme"), llmobserve.run("outer") as outer:
        with llmobserve.run("inner") as inner:
            call()
    assert llmobserve.flush(timeout=5)

    assert inner.run_id != outer.run_id
    (root,) = account.run(inner.run_id)["spans"]
    assert root["parent_span_id"] is None
    assert root["children"][0]["customer_id"] == "acme"


def test_scopes_cost_nothing_and_send_nothing_when_the_sdk_is_off(account: Account) -> None:
    llmobserve.shutdown()

    @llmobserve.run("off")
    def work() -> int:
        with llmobserve.section("s"), llmobserve.customer("c"):
            call()
            return 1

    assert work() == 1
    assert account.total_events() == 0


def test_one_decorated_function_runs_concurrently_in_many_tasks(account: Account) -> None:
    @llmobserve.run("concurrent")
    async def work(customer: str) -> str | None:
        with llmobserve.customer(customer):
            await asyncio.sleep(0.01)
            call()
        return _current_run_id()

    async def main() -> list[str | None]:
        return await asyncio.gather(*(work(f"c{i}") for i in range(20)))

    run_ids = asyncio.run(main())
    assert llmobserve.flush(timeout=5)

    assert len(set(run_ids)) == 20
    rows = {row["key"]: row["events"] for row in account.costs("customer")["rows"]}
    assert rows == {f"c{i}": 1 for i in range(20)}  # the runs' span markers are not events


def _current_run_id() -> str | None:
    return current_frame().run_id


def _current_section() -> str | None:
    return current_frame().section


def _current_agent() -> str | None:
    return current_frame().agent
