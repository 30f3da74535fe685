"""llmobserve 0.3's calls on this SDK: each works as its replacement does, after ONE
`LLMObserveDeprecationWarning` naming that replacement (docs/sdk/upgrading-from-0.3.md)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.accounts import Account

import llmobserve
from llmobserve import LLMObserveDeprecationWarning

Spans = list[dict[str, Any]]
HOSTILE: list[Any] = [
    None,
    0,
    -1,
    math.nan,
    math.inf,
    [],
    ["a"],
    {},
    {"run_id": 3},
    b"\xff",
    "x" * 10_000_000,
    object(),
    True,
]


@pytest.fixture(autouse=True)
def fresh_context() -> Iterator[None]:
    """0.3's calls set the context of the running code: the test's, which pytest keeps."""
    from llmobserve._context import set_frame

    set_frame(None)
    yield
    set_frame(None)


def walk(spans: Spans) -> Iterator[dict[str, Any]]:
    for span in spans:
        yield span
        yield from walk(span["children"])


def one_warning(call: Callable[[], Any], names: str) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    messages = [str(w.message) for w in caught if w.category is LLMObserveDeprecationWarning]
    assert len(messages) == 1, messages
    assert names in messages[0], messages[0]
    return result


def test_the_deprecation_warning_is_shown_by_default() -> None:
    assert issubclass(LLMObserveDeprecationWarning, FutureWarning)


def test_observe_starts_the_sdk_like_init_and_names_init(
    account: Account, collector_url: str
) -> None:
    one_warning(
        lambda: llmobserve.observe(
            collector_url=collector_url, api_key=account.key, flush_interval_ms=50
        ),
        "llmobserve.init(",
    )
    assert llmobserve.is_enabled()


def test_observe_ignores_the_proxy_era_options_in_its_one_warning(
    account: Account, collector_url: str
) -> None:
    old = {"tenant" + "_id": "default_tenant", "auto_start_proxy": True, "use_instrumentors": 1}
    one_warning(
        lambda: llmobserve.observe(
            collector_url=collector_url, api_key=account.key, proxy_url="http://x:9000", **old
        ),
        "proxy_url, auto_start_proxy, " + "tenant" + "_id, use_instrumentors ignored",
    )
    assert llmobserve.is_enabled()


def test_set_customer_id_attributes_what_follows_and_names_customer(
    account: Account, start_sdk: Callable[..., None]
) -> None:
    start_sdk()
    with llmobserve.run("request") as frame:
        one_warning(lambda: llmobserve.set_customer_id("acme"), "llmobserve.customer(")
        llmobserve.track("call", provider="openai", model="gpt-4o-mini", input_tokens=10)
    assert llmobserve.export_context() == {}  # the run's end ends it
    assert llmobserve.flush(timeout=10) and frame.run_id
    rows = {row["key"]: row for row in account.costs("customer")["rows"]}
    assert rows["acme"]["events"] == 1  # the call; the run's own span has no customer


def test_set_run_id_and_get_run_id_name_run() -> None:
    one_warning(lambda: llmobserve.set_run_id("r-123"), "llmobserve.run(")
    assert one_warning(llmobserve.get_run_id, "llmobserve.run(") == "r-123"


def test_get_run_id_outside_every_run_starts_one() -> None:
    run_id = one_warning(llmobserve.get_run_id, "frame.run_id")
    assert len(run_id) == 32 and llmobserve.export_context()["run_id"] == run_id


def test_setting_the_customer_again_does_not_pile_frames_up() -> None:
    from llmobserve._context import _current

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LLMObserveDeprecationWarning)
        for n in range(1000):
            llmobserve.set_customer_id(f"c{n}")
    depth, frame = 0, _current.get()
    while frame is not None:
        depth, frame = depth + 1, frame.outer
    assert depth == 1


def test_tool_is_a_span_of_the_run_with_its_duration_and_error(
    account: Account, start_sdk: Callable[..., None]
) -> None:
    start_sdk()

    @llmobserve.tool("web_search")
    def search() -> None:
        raise TimeoutError("search timed out")

    with llmobserve.run("agent-run") as frame:
        with pytest.raises(TimeoutError):
            search()
    assert llmobserve.flush(timeout=10)
    spans = list(walk(account.run(str(frame.run_id))["spans"]))
    (tool,) = [s for s in spans if s["name"] == "web_search"]
    assert tool["status"] == "error" and tool["parent_span_id"] == frame.span_id
    assert tool["duration_ms"] is not None


@pytest.mark.parametrize(
    ("label", "names", "field"),
    [
        ("agent:research", 'llmobserve.agent("research")', "agent"),
        ("tool:web_search", 'llmobserve.tool("web_search")', None),
        ("step:analyze", 'llmobserve.section("analyze")', "section"),
    ],
)
def test_a_0_3_section_label_opens_the_scope_it_names(
    label: str, names: str, field: str | None
) -> None:
    scope = one_warning(lambda: llmobserve.section(label), names)
    with llmobserve.run("r"), scope as frame:
        name = label.split(":")[1]
        if field:
            assert getattr(frame, field) == name
        assert frame.span_id is not None


def test_a_plain_section_does_not_warn() -> None:
    with llmobserve.section("support") as frame:
        assert frame.section == "support"


@pytest.mark.parametrize(
    ("kwargs", "names", "field"),
    [
        ({"agent": "planner"}, '@llmobserve.agent("planner")', "agent"),
        ({"tool": "calc"}, '@llmobserve.tool("calc")', None),
        ({"step": "rank"}, '@llmobserve.section("rank")', "section"),
    ],
)
def test_trace_decorates_with_the_scope_it_names(
    kwargs: dict[str, str], names: str, field: str | None
) -> None:
    decorator = one_warning(lambda: llmobserve.trace(**kwargs), names)

    @decorator
    async def handler() -> llmobserve.Frame:
        from llmobserve._context import current_frame

        return current_frame()

    import asyncio

    frame = asyncio.run(handler())
    if field:
        assert getattr(frame, field) == next(iter(kwargs.values()))


def test_export_and_import_carry_run_span_customer_and_section() -> None:
    with llmobserve.run("r"), llmobserve.customer("acme"), llmobserve.section("support") as f:
        exported = llmobserve.export_context()
    assert exported == {
        "run_id": f.run_id,
        "span_id": f.span_id,
        "customer_id": "acme",
        "section": "support",
    }
    llmobserve.import_context(exported)
    with llmobserve.agent("worker") as inner:
        assert (inner.run_id, inner.customer_id, inner.section) == (f.run_id, "acme", "support")


def test_import_context_takes_0_3_exported_dicts() -> None:
    old = {
        "trace_id": "t",
        "run_id": "6f1c-run",
        "customer_id": "c1",
        "section_stack": [{"label": "agent:a", "span_id": "s-1", "parent_span_id": None}],
    }
    llmobserve.import_context(old)
    assert llmobserve.export_context() == {
        "run_id": "6f1c-run",
        "span_id": "s-1",
        "customer_id": "c1",
    }


def test_headers_carry_the_context_as_traceparent_and_our_own() -> None:
    with llmobserve.run("r"), llmobserve.customer("Zoë & co") as frame:
        headers = llmobserve.inject_headers()
    assert headers["traceparent"] == f"00-{frame.run_id}-{frame.span_id}-01"
    headers.pop("x-llmobserve-run-id")
    headers["X-LLMObserve-Customer-ID"] = headers.pop("x-llmobserve-customer-id")
    assert llmobserve.extract_headers(headers) == {
        "run_id": frame.run_id,
        "span_id": frame.span_id,
        "customer_id": "Zoë & co",
    }


def test_a_w3c_traceparent_alone_continues_its_trace() -> None:
    header = [(b"traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    assert llmobserve.extract_headers(header) == {
        "run_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "span_id": "00f067aa0ba902b7",
    }


def test_budget_exceeded_error_keeps_0_3s_signature() -> None:
    from llmobserve import BudgetExceededError

    error = BudgetExceededError("over", [{"cap_type": "global"}])
    assert isinstance(error, llmobserve.LLMObserveError) and error.exceeded_caps


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        llmobserve.not_a_0_3_call  # noqa: B018


NEW_CALLS: list[Callable[[Any], Any]] = [
    llmobserve.tool,
    llmobserve.import_context,
    llmobserve.inject_headers,
    llmobserve.extract_headers,
    llmobserve.BudgetExceededError,
    llmobserve.LLMObserveDeprecationWarning,
]


@pytest.mark.parametrize("call", NEW_CALLS, ids=lambda c: c.__name__)
def test_the_new_calls_never_raise_on_hostile_input(
    call: Callable[[Any], Any], start_sdk: Callable[..., None]
) -> None:
    start_sdk()
    for value in HOSTILE:
        call(value)
    with llmobserve.run("r"):
        for value in HOSTILE:
            call(value)
    llmobserve.export_context()


OLD_CALLS = [
    "observe",
    "set_customer_id",
    "set_run_id",
    "trace",
    "restore_context",
    "import_distributed_context",
    "observe_task",
    "observe_rq_job",
    "wrap_tool",
]


@pytest.mark.parametrize("name", OLD_CALLS)
def test_the_old_calls_never_raise_on_hostile_input(name: str) -> None:
    call = getattr(llmobserve, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LLMObserveDeprecationWarning)
        for value in HOSTILE:
            call(value)


def _task(x: int) -> dict[str, str]:
    return llmobserve.export_context()


async def _app(scope: Any, receive: Any, send: Any) -> None:
    pass


EVERY_OLD_CALL: dict[str, tuple[tuple[Any, ...], str]] = {
    "observe": ((), "llmobserve.init("),
    "set_customer_id": (("c",), "llmobserve.customer("),
    "get_customer_id": ((), "llmobserve.export_context()"),
    "set_run_id": (("r",), "llmobserve.run("),
    "get_run_id": ((), "llmobserve.run("),
    "trace": ((), "@llmobserve.agent(name)"),
    "wrap_tool": ((_task, "t"), "llmobserve.tool(name)(func)"),
    "export_distributed_context": ((), "llmobserve.export_context()"),
    "import_distributed_context": (({"run_id": "r"},), "llmobserve.import_context(ctx)"),
    "get_current_context": ((), "llmobserve.export_context()"),
    "restore_context": (({"run_id": "r"},), "llmobserve.import_context(ctx)"),
    "with_context": ((_task, 1), "llmobserve.context_propagating(func)"),
    "observe_task": ((_task,), "continue the enqueuer's run"),
    "observe_rq_job": ((_task,), "continue the enqueuer's run"),
    "patch_celery_task": ((None,), "continue the enqueuer's run"),
    "ObservabilityMiddleware": ((_app,), "integrations.web.ASGIMiddleware"),
    "flask_before_request": ((), "integrations.web.WSGIMiddleware"),
    "django_middleware": ((_task,), "integrations.web.WSGIMiddleware"),
    "is_initialized": ((), "llmobserve.is_enabled()"),
    "is_instrumented": (("openai",), "llmobserve.is_enabled()"),
    "auto_instrument": ((), "llmobserve.init() instruments"),
    "wrap_openai_client": ((object(),), "llmobserve.init() instruments it"),
    "wrap_anthropic_client": ((object(),), "llmobserve.init() instruments it"),
    "set_log_level": (("WARNING",), 'logging.getLogger("llmobserve")'),
}


def test_every_old_name_is_covered_here() -> None:
    from llmobserve.compat import OLD_NAMES

    assert set(EVERY_OLD_CALL) == OLD_NAMES


@pytest.mark.parametrize("name", sorted(EVERY_OLD_CALL))
def test_each_old_call_warns_once_naming_its_replacement(name: str) -> None:
    arguments, replacement = EVERY_OLD_CALL[name]
    one_warning(lambda: getattr(llmobserve, name)(*arguments), replacement)


def test_observe_task_continues_a_0_3_context_passed_as_an_argument() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LLMObserveDeprecationWarning)
        task = llmobserve.observe_task(_task)
        carried = {"run_id": "run-0-3", "customer_id": "c1", "section_stack": []}
        assert task(1, _llmobserve_ctx=carried) == {"run_id": "run-0-3", "customer_id": "c1"}


def test_0_3s_modules_still_import() -> None:
    from llmobserve.celery_support import observe_task
    from llmobserve.middleware import ObservabilityMiddleware, django_middleware

    assert callable(observe_task) and callable(django_middleware)
    assert issubclass(ObservabilityMiddleware, llmobserve.integrations.web.ASGIMiddleware)


def test_set_customer_id_in_concurrent_threads_attributes_every_event_to_its_thread(
    account: Account, start_sdk: Callable[..., None]
) -> None:
    import threading

    start_sdk()

    def worker(n: int) -> None:
        for _request in range(25):
            llmobserve.set_customer_id(f"customer-{n}")
            llmobserve.track("call", provider="openai", model="gpt-4o-mini", input_tokens=n + 1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LLMObserveDeprecationWarning)
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert llmobserve.flush(timeout=30)
    rows = {row["key"]: row for row in account.costs("customer")["rows"]}
    assert {key: (row["events"], row["input_tokens"]) for key, row in rows.items()} == {
        f"customer-{n}": (25, 25 * (n + 1)) for n in range(8)
    }
