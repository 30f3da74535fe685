"""Whatever the application hands it, the SDK never raises: every export of `llmobserve.__all__`
(and of the `__all__` of its public subpackages) is called with hostile values for each of its
parameters (found from its signature, so that a function exported later is covered without a
change here), and what it returns is used the way the SDK's objects are used (a context manager,
sync and async; a decorator of every kind of function; a wrapped function). A value it cannot use
is dropped with a warning; the SDK's own errors would fail the test through the conftest's debug
hook; and `stats()` still adds up.

A new export either passes, or fails here with its name and the value that broke it. An export
that is not called (a constant, an exception class) is skipped by what it is, not by its name.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest
from fakes.scripted_collector import ScriptedCollector, json_answer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llmobserve

TEN_MB = "x" * 10_000_000
OUTCOMES = ("sent", "duplicates", "rejected", "failed", "dropped", "queued")
# The one export that raises on purpose (its documented errors), because it is called on purpose.
RAISES_ON_PURPOSE: dict[str, tuple[type[BaseException], ...]] = {
    "llmobserve.ping": (llmobserve.LLMObserveError,)
}


class Hostile(Exception):
    pass


class Nasty:
    """An object whose every conversion raises."""

    def __str__(self) -> str:
        raise Hostile("__str__")

    def __repr__(self) -> str:
        raise Hostile("__repr__")

    def __format__(self, spec: str) -> str:
        raise Hostile("__format__")

    def __bool__(self) -> bool:
        raise Hostile("__bool__")

    def __len__(self) -> int:
        raise Hostile("__len__")

    def __iter__(self) -> Iterator[Any]:
        raise Hostile("__iter__")

    def __float__(self) -> float:
        raise Hostile("__float__")

    def __index__(self) -> int:
        raise Hostile("__index__")


class NastyMapping(Mapping[str, Any]):
    """A mapping that fails when read."""

    def __getitem__(self, key: str) -> Any:
        raise Hostile("__getitem__")

    def __iter__(self) -> Iterator[str]:
        yield "key"

    def __len__(self) -> int:
        return 1


def circular() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    return loop


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN, inf, -inf, -0.0 included
    st.decimals(),
    st.text(max_size=30),
    st.binary(max_size=30),
    st.sampled_from(
        [
            [1],
            (1, 2),
            {1, 2},
            {},
            {"a": float("nan")},
            {1: 2, None: "x", b"k": [1]},
            {"x": Nasty()},
            "",
            "a/b//c/",
            "\x00\n\t",
            TEN_MB,
            b"\xff\xfe",
            datetime(1, 1, 1),
            datetime(9999, 12, 31, 23, 59, 59),
            -1,
            -1.5,
            float("nan"),
            float("inf"),
            10**30,
            "ok",
            "error",
            "http://127.0.0.1:1",
            object(),
            Exception("x"),
            int,
            lambda *args, **kwargs: None,
            llmobserve.Usage(input_tokens=[1], output_tokens=float("nan")),  # type: ignore[arg-type]
            llmobserve.Usage(input_tokens=-5, cached_input_tokens=10**30),
        ]
    ),
    st.builds(Nasty),
    st.builds(NastyMapping),
    st.builds(circular),
    st.dictionaries(st.text(max_size=5), st.one_of(st.floats(), st.integers(), st.none())),
)


def public_modules() -> list[ModuleType]:
    """`llmobserve` and its public subpackages (`llmobserve.integrations`, a compatibility
    package...): whatever a user may import."""
    modules = [llmobserve]
    for info in pkgutil.iter_modules(llmobserve.__path__):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"llmobserve.{info.name}"))
    return modules


def exports() -> list[str]:
    """Every name of every public module's `__all__`, as "module.name"."""
    return sorted(
        f"{module.__name__}.{name}"
        for module in public_modules()
        for name in getattr(module, "__all__", ())
    )


def is_called(obj: object) -> bool:
    """Constants and exception classes are not entry points."""
    if not callable(obj):
        return False
    return not (isinstance(obj, type) and issubclass(obj, BaseException))


def keywords_in_docstring(obj: object) -> list[str]:
    """The `names` a docstring mentions: candidate keys for a **kwargs parameter."""
    return sorted(set(re.findall(r"`([a-z_][a-z0-9_]*)`", inspect.getdoc(obj) or ""))) or ["x"]


def arguments(obj: Callable[..., Any]) -> st.SearchStrategy[tuple[list[Any], dict[str, Any]]]:
    """Hostile positional and keyword arguments for every parameter of `obj`'s signature."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return st.tuples(st.lists(HOSTILE, max_size=3), st.just({}))
    positional: list[st.SearchStrategy[Any]] = []
    keywords: dict[str, st.SearchStrategy[Any]] = {}
    extra_positional: st.SearchStrategy[list[Any]] = st.just([])
    extra_keywords: st.SearchStrategy[dict[str, Any]] = st.just({})
    for parameter in signature.parameters.values():
        value = HOSTILE
        if parameter.default is not inspect.Parameter.empty:
            value = st.one_of(st.just(parameter.default), HOSTILE)
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional.append(value)
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            extra_positional = st.lists(HOSTILE, max_size=3)
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            names = st.sampled_from(keywords_in_docstring(obj))
            extra_keywords = st.dictionaries(names, HOSTILE, max_size=3)
        else:
            keywords[parameter.name] = value
    return st.tuples(
        st.tuples(*positional).map(list) if positional else st.just([]),
        st.fixed_dictionaries(keywords),
    ).flatmap(
        lambda pair: st.tuples(
            extra_positional.map(lambda more: pair[0] + more),
            extra_keywords.map(lambda more: {**more, **pair[1]}),
        )
    )


def use(result: Any, hostile_arguments: list[Any]) -> None:
    """Use what an export returned as the SDK's objects are used."""
    if hasattr(result, "__enter__") and hasattr(result, "__exit__"):
        with result:
            llmobserve.track("inside a scope", cost_usd="0.01")
        asyncio.run(_use_async(result))
        _decorate_every_kind(result)
    elif callable(result) and not isinstance(result, type):
        if not any(result is given for given in hostile_arguments):  # a wrapper: call it
            result()


async def _use_async(scope: Any) -> None:
    if hasattr(scope, "__aenter__"):
        async with scope:
            llmobserve.track("inside an async scope")


def _decorate_every_kind(scope: Any) -> None:
    if not callable(scope):
        return

    def plain() -> int:
        return 1

    def generator() -> Iterator[int]:
        yield 1

    async def coroutine() -> int:
        return 1

    async def async_generator() -> Any:
        yield 1

    assert scope(plain)() == 1
    assert list(scope(generator)()) == [1]
    assert asyncio.run(scope(coroutine)()) == 1

    async def drain() -> list[int]:
        return [item async for item in scope(async_generator)()]

    assert asyncio.run(drain()) == [1]


@pytest.fixture(scope="module")
def collector() -> Iterator[ScriptedCollector]:
    """A collector that accepts everything (and answers /v1/ping like the real one)."""

    def answer(count: int) -> bytes:
        return json_answer({"accepted": count, "duplicates": 0, "rejected": []})

    running = ScriptedCollector(answer)
    yield running
    running.close()


@pytest.mark.parametrize("name", exports())
def test_an_export_never_raises_whatever_it_is_given(
    name: str,
    collector: ScriptedCollector,
    sdk_reset: list[BaseException],
    caplog: pytest.LogCaptureFixture,
) -> None:
    module, _, attribute = name.rpartition(".")
    export = getattr(importlib.import_module(module), attribute)
    if not is_called(export):
        return  # a constant, or an exception class the SDK raises (see RAISES_ON_PURPOSE)
    allowed = RAISES_ON_PURPOSE.get(name, ())  # by its full name, e.g. "llmobserve.ping"
    good = {"api_key": "llmo_sk_hostile_test", "collector_url": collector.url}
    good_options = {"flush_interval": 0.05, "shutdown_timeout": 5.0, "request_timeout": 5.0}

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(arguments(export))
    def calling_it(call: tuple[list[Any], dict[str, Any]]) -> None:
        args, kwargs = call
        llmobserve.init(**good, **good_options)  # no-op unless the last example changed it
        try:
            result = export(*args, **kwargs)
            use(result, args + list(kwargs.values()))
        except allowed:
            pass
        except Exception as exc:
            shown = {k: _short(v) for k, v in kwargs.items()}
            raise AssertionError(
                f"{name}(*{[_short(a) for a in args]}, **{shown}) raised {exc!r}"
            ) from exc
        assert not sdk_reset, f"{name}: the SDK swallowed its own error: {sdk_reset}"

    with caplog.at_level(logging.WARNING, logger="llmobserve"):
        calling_it()
        llmobserve.init(**good, **good_options)
        assert llmobserve.flush(timeout=60)

    stats = llmobserve.stats()
    assert sum(stats[outcome] for outcome in OUTCOMES) == stats["recorded"], stats
    for record in caplog.records:  # every warning is readable and short
        assert len(record.getMessage()) < 1000


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
    return text if len(text) < 80 else text[:77] + "..."


def test_every_token_field_of_the_wire_format_is_a_parameter_of_track() -> None:
    parameters = inspect.signature(llmobserve.track).parameters
    from llmobserve._call import TOKEN_FIELDS

    assert set(TOKEN_FIELDS) <= set(parameters)


def test_values_in_the_docs_are_the_helpers_that_exist() -> None:
    from llmobserve import _values

    documented = set(re.findall(r"^    (\w+)\(", _values.__doc__ or "", re.MULTILINE))
    assert documented == set(_values.__all__) - {"describe", "invalid"}
