"""The context follows asyncio tasks by itself, and threads with context_propagating()."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from support.accounts import Account

import llmobserve
from llmobserve._context import current_frame


@pytest.fixture(autouse=True)
def sdk(start_sdk: Callable[..., None]) -> None:
    start_sdk()


def by(account: Account, group_by: str) -> dict[str | None, tuple[int, str]]:
    return {row["key"]: (row["events"], row["cost_usd"]) for row in account.costs(group_by)["rows"]}


def test_threads_each_keep_their_own_customer_with_context_propagating(account: Account) -> None:
    start = threading.Barrier(8)

    def work(index: int) -> str | None:
        start.wait(timeout=10)  # all threads run at once
        llmobserve.track("thread-work", cost_usd=Decimal(index))
        return current_frame().run_id

    with llmobserve.run("fan-out") as frame, ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        for index in range(8):
            with llmobserve.customer(f"customer-{index}"):
                futures.append(pool.submit(llmobserve.context_propagating(work), index))
        run_ids = {future.result() for future in futures}
    assert llmobserve.flush(timeout=5)

    assert run_ids == {frame.run_id}
    customers = by(account, "customer")
    for index in range(8):
        assert customers[f"customer-{index}"] == (1, f"{index}.000000")
    run = account.run(frame.run_id)
    assert len(run["spans"][0]["children"]) == 8


def test_one_wrapped_function_may_run_in_many_threads_at_once(account: Account) -> None:
    with llmobserve.customer("shared"):
        wrapped = llmobserve.context_propagating(
            lambda: llmobserve.track("t", cost_usd="0.001") or current_frame().customer_id
        )
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: wrapped(), range(40)))
    assert llmobserve.flush(timeout=5)

    assert results == ["shared"] * 40
    assert by(account, "customer") == {"shared": (40, "0.040000")}


def test_a_thread_without_the_helper_does_not_see_the_context(account: Account) -> None:
    with llmobserve.customer("not-inherited"), ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: current_frame().customer_id).result() is None


def test_many_asyncio_tasks_keep_their_own_customer_and_section(account: Account) -> None:
    async def handle(index: int) -> None:
        customer, section = f"c{index % 10}", f"feature-{index % 5}"
        with llmobserve.customer(customer), llmobserve.section(section):
            for step in range(3):
                await asyncio.sleep(random.random() / 100)  # interleave the tasks
                assert current_frame().customer_id == customer
                llmobserve.track(f"step-{step}", cost_usd="0.01")

    async def main() -> None:
        with llmobserve.run("asyncio"):
            await asyncio.gather(*(handle(index) for index in range(100)))

    asyncio.run(main())
    assert llmobserve.flush(timeout=10)

    customers = by(account, "customer")
    # 10 tasks per customer, each with 3 costed steps (its section span is not an event)
    assert {key: value for key, value in customers.items() if key} == {
        f"c{i}": (30, "0.300000") for i in range(10)
    }
    sections = by(account, "section")
    for i in range(5):
        # 20 tasks per section, each 3 costed steps (the section span is not an event)
        assert sections[f"feature-{i}"] == (60, "0.600000")
