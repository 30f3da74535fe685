"""llmobserve 0.3.0's README examples, run unchanged against this SDK, the real `openai` client
(pointed at the fake OpenAI API by `OPENAI_BASE_URL`) and the real collector.

llmobserve-0.3.0-README.md is 0.3.0's README as published on PyPI (MIT licence, the llmobserve
0.3 authors). Its Python blocks are executed as written, except for three kinds of values a
user fills in: the collector URL and the key (this test's collector and account), and the
argument placeholder `create(...)` (the Quick Start's own arguments). What a block uses without
defining it (its `client`, `Request`, the user's `search_web`) is given to it. The LangChain
block is not run: LangChain is not installed here (its calls are openai calls, recorded the same).
Each 0.3 call warns once with `LLMObserveDeprecationWarning`, and nothing else is warned.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fakes.openai_upstream import FakeOpenAI
from support.accounts import Account, eventually
from support.servers import serve_asgi, serve_wsgi

import llmobserve
from llmobserve import _client

README = Path(__file__).with_name("llmobserve-0.3.0-README.md")
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
TITLES = [
    "quick start",
    "langchain",
    "manual labelling",
    "customer",
    "decorator",
    "fastapi",
    "flask",
    "flush interval",
]
TOKENS = 21  # the fake OpenAI API's input tokens per call
QUICK_START_ARGUMENTS = 'model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello!"}]'


def test_the_readme_has_the_examples_this_file_runs() -> None:
    assert len(BLOCKS) == len(TITLES)
    assert "AgentExecutor" in BLOCKS[TITLES.index("langchain")]


@pytest.fixture
def run_block(
    account: Account,
    collector_url: str,
    openai_upstream: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., dict[str, Any]]]:
    """`run_block(title, **given)`: execute the README block, return its namespace (its
    OpenAI clients are closed after the test)."""
    namespaces: list[dict[str, Any]] = []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", openai_upstream.base_url)

    def run(title: str, **given: Any) -> dict[str, Any]:
        code = BLOCKS[TITLES.index(title)]
        code = code.replace('"https://api.llmobserve.com"', repr(collector_url))
        code = code.replace('"llmo_sk_your_key_here"', repr(account.key))
        code = code.replace("create(...)", f"create({QUICK_START_ARGUMENTS})")
        # the blocks after the Quick Start build on its `observe(...)`
        namespace: dict[str, Any] = {"__name__": "readme_example", "observe": llmobserve.observe}
        namespace.update(given)
        namespaces.append(namespace)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if "observe(" not in code:
                llmobserve.observe(collector_url=collector_url, api_key=account.key)
            exec(compile(code, f"{README.name}:{title}", "exec"), namespace)
        others = [
            str(w.message)
            for w in caught
            if w.category is not llmobserve.LLMObserveDeprecationWarning
        ]
        assert not others, others
        assert caught, "0.3's calls warn"
        assert llmobserve.is_enabled()
        return namespace

    yield run
    for namespace in namespaces:
        client = namespace.get("client")
        if isinstance(client, openai.OpenAI):
            client.close()


class AsyncClientPerCall:
    """The `client` of the async examples: a real `openai.AsyncOpenAI` per call, closed in the
    event loop that used it (the examples' servers and `asyncio.run` each have their own)."""

    def __init__(self) -> None:
        self.chat = self.completions = self

    async def create(self, **arguments: Any) -> Any:
        async with openai.AsyncOpenAI() as client:
            return await client.chat.completions.create(**arguments)


@pytest.fixture(autouse=True)
def fresh_context() -> Iterator[None]:
    from llmobserve._context import set_frame

    set_frame(None)
    yield
    set_frame(None)


def recorded_by(account: Account, group_by: str) -> dict[str, int]:
    """Input tokens by `group_by` (the calls' tokens, not the spans' events that frame them)."""
    assert llmobserve.flush(timeout=30)
    rows = account.costs(group_by)["rows"]
    return {row["key"]: row["input_tokens"] for row in rows if row["key"]}


def test_quick_start(run_block: Callable[..., dict[str, Any]], account: Account) -> None:
    namespace = run_block("quick start")
    assert namespace["response"].choices
    assert recorded_by(account, "model") == {"gpt-4o-mini-2024-07-18": TOKENS}


def test_manual_labelling_records_the_agent_and_its_tools(
    run_block: Callable[..., dict[str, Any]], account: Account
) -> None:
    given: dict[str, Any] = {}
    client = openai.OpenAI()
    given["client"] = client

    def search_web(query: str) -> str:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": query}]
        )
        return "results"

    def summarize(results: str) -> str:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": results}]
        )
        return "summary"

    given.update(search_web=search_web, summarize=summarize, query="llm costs")
    run_block("manual labelling", **given)
    assert recorded_by(account, "agent") == {"research_assistant": 2 * TOKENS}
    (run,) = account.runs()
    names = {span["name"] for span in account.run(run["run_id"])["spans"][0]["children"]}
    assert names == {"web_search", "summarize"}


def test_customer_attribution(run_block: Callable[..., dict[str, Any]], account: Account) -> None:
    run_block("customer", OpenAI=openai.OpenAI)
    assert recorded_by(account, "customer") == {"customer_xyz": TOKENS}


def test_decorator_style(run_block: Callable[..., dict[str, Any]], account: Account) -> None:
    namespace = run_block("decorator", client=AsyncClientPerCall())
    asyncio.run(namespace["handle_support_request"]("Where is my order?"))
    assert recorded_by(account, "agent") == {"customer_support": TOKENS}


def test_fastapi(run_block: Callable[..., dict[str, Any]], account: Account) -> None:
    from fastapi import Request

    namespace = run_block("fastapi", client=AsyncClientPerCall(), Request=Request)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llmobserve.LLMObserveDeprecationWarning)
        for base_url in serve_asgi(namespace["app"]):
            for customer in ("acme", "globex"):
                answer = httpx.post(
                    f"{base_url}/chat", headers={"X-Customer-ID": customer}, timeout=30
                )
                assert answer.status_code == 200, answer.text
    assert recorded_by(account, "customer") == {"acme": TOKENS, "globex": TOKENS}

    def two_request_runs() -> None:  # a request's span ends after its response is sent
        assert llmobserve.flush(timeout=30)
        assert len([run for run in account.runs() if run["name"] == "POST /chat"]) == 2

    eventually(two_request_runs, timeout=60)


def test_flask(run_block: Callable[..., dict[str, Any]], account: Account) -> None:
    namespace = run_block("flask", client=openai.OpenAI())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llmobserve.LLMObserveDeprecationWarning)
        for base_url in serve_wsgi(namespace["app"]):
            for _ in range(2):
                # the example returns the ChatCompletion itself, which Flask cannot send (500):
                # 0.3's example as written; the call is recorded all the same
                httpx.get(f"{base_url}/chat", timeout=30)
    assert recorded_by(account, "model") == {"gpt-4o-mini-2024-07-18": 2 * TOKENS}
    assert len({run["run_id"] for run in account.runs()}) == 2  # a run per request


def test_custom_flush_interval(run_block: Callable[..., dict[str, Any]]) -> None:
    run_block("flush interval")
    worker = _client.active_worker()
    assert worker is not None and worker.options.flush_interval == 1.0
