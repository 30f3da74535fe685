"""init(): keys, environment, options, and calling it more than once."""

from __future__ import annotations

import logging
import threading
import types
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from support.accounts import Account, eventually
from support.faulty_proxy import FaultyProxy

import llmobserve
from llmobserve import _client


@pytest.fixture
def patch_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Stands in for llmobserve.integrations and counts its patch_all() calls."""
    calls: list[int] = []
    fake = types.ModuleType("llmobserve.integrations")
    fake.patch_all = lambda: calls.append(1)  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "llmobserve.integrations", fake)
    yield calls


def sdk_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "llmobserve" and r.levelno >= logging.WARNING
    ]


@pytest.fixture
def new_workers() -> Callable[[], list[threading.Thread]]:
    """The SDK's worker threads started during this test (and still alive)."""
    before = set(threading.enumerate())

    def alive() -> list[threading.Thread]:
        return [
            t for t in threading.enumerate() if t.name == "llmobserve-worker" and t not in before
        ]

    return alive


def record_everything() -> None:
    with llmobserve.run("r"), llmobserve.section("s"):
        llmobserve.track("t", cost_usd="1")
    assert llmobserve.flush(timeout=0.5)


def test_init_without_a_key_warns_once_and_changes_nothing(
    caplog: pytest.LogCaptureFixture,
    proxy: FaultyProxy,
    patch_calls: list[int],
    monkeypatch: pytest.MonkeyPatch,
    new_workers: Callable[[], list[threading.Thread]],
) -> None:
    monkeypatch.setenv("LLMOBSERVE_COLLECTOR_URL", proxy.url)

    llmobserve.init()
    record_everything()

    assert sdk_warnings(caplog) == [
        "llmobserve: no API key, so nothing will be recorded. Pass api_key to llmobserve.init() "
        "or set LLMOBSERVE_API_KEY (create a key in Settings → API keys)."
    ]
    assert not llmobserve.is_enabled()
    assert patch_calls == []
    assert new_workers() == []
    assert proxy.requests == []


def test_llmobserve_enabled_false_turns_the_sdk_off_even_with_a_key(
    caplog: pytest.LogCaptureFixture,
    account: Account,
    proxy: FaultyProxy,
    patch_calls: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLMOBSERVE_ENABLED", "False")

    llmobserve.init(api_key=account.key, collector_url=proxy.url)
    record_everything()

    assert sdk_warnings(caplog) == [
        "llmobserve is disabled by LLMOBSERVE_ENABLED=False: nothing will be recorded."
    ]
    assert not llmobserve.is_enabled()
    assert patch_calls == []
    assert proxy.requests == []


@pytest.mark.parametrize("value", ["0", "no", "OFF"])
def test_other_false_values_of_llmobserve_enabled_disable(
    value: str, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMOBSERVE_ENABLED", value)
    llmobserve.init(api_key=account.key)
    assert not llmobserve.is_enabled()


def test_key_and_collector_url_are_read_from_the_environment(
    account: Account, proxy: FaultyProxy, patch_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMOBSERVE_API_KEY", account.key)
    monkeypatch.setenv("LLMOBSERVE_COLLECTOR_URL", proxy.url + "/")
    monkeypatch.setenv("LLMOBSERVE_ENABLED", "true")

    llmobserve.init(flush_interval=0.05)
    llmobserve.track("from-env", cost_usd="0.5", provider="env")
    assert llmobserve.flush(timeout=5)

    assert patch_calls == [1]
    assert proxy.events_requests()[0].headers["Authorization"] == f"Bearer {account.key}"
    assert account.costs()["total_cost_usd"] == "0.500000"


def test_arguments_win_over_the_environment(
    account: Account, proxy: FaultyProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMOBSERVE_API_KEY", "llmo_sk_not_this_one")
    monkeypatch.setenv("LLMOBSERVE_COLLECTOR_URL", "http://127.0.0.1:9")

    llmobserve.init(api_key=account.key, collector_url=proxy.url, flush_interval=0.05)
    llmobserve.track("from-args", cost_usd="0.25")
    assert llmobserve.flush(timeout=5)

    assert account.costs()["total_cost_usd"] == "0.250000"


def test_an_unknown_option_warns_once_and_is_ignored(
    caplog: pytest.LogCaptureFixture, start_sdk: Callable[..., None], patch_calls: list[int]
) -> None:
    start_sdk(batch_sise=10, flush_intervall=1)

    warnings = sdk_warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "llmobserve.init(): unknown option(s) batch_sise, flush_intervall ignored"
    )
    assert llmobserve.is_enabled()


@pytest.mark.parametrize(
    ("option", "value"),
    [("batch_size", 5000), ("batch_size", "10"), ("flush_interval", -1), ("debug", "yes")],
)
def test_an_invalid_option_value_warns_and_falls_back_to_the_default(
    option: str,
    value: object,
    caplog: pytest.LogCaptureFixture,
    start_sdk: Callable[..., None],
    patch_calls: list[int],
) -> None:
    start_sdk(**{option: value})

    (warning,) = sdk_warnings(caplog)
    assert warning.startswith(f"llmobserve.init(): {option}={value!r}")
    worker = _client.active_worker()
    assert worker is not None
    default = {"batch_size": 100, "flush_interval": 1.0, "debug": False}[option]
    assert getattr(worker.options, option) == default


def test_a_collector_url_that_is_not_http_warns_and_disables(
    caplog: pytest.LogCaptureFixture, account: Account
) -> None:
    llmobserve.init(api_key=account.key, collector_url="api.llmobserve.com")

    assert not llmobserve.is_enabled()
    (warning,) = sdk_warnings(caplog)
    assert "is not an http(s) URL" in warning


@pytest.mark.parametrize("key", ["llmo_sk_a b", "llmo_sk_a\nInjected: 1", "llmo_sk_\x00"])
def test_a_key_with_spaces_or_control_characters_warns_and_disables(
    key: str, caplog: pytest.LogCaptureFixture
) -> None:
    llmobserve.init(api_key=key, collector_url="http://127.0.0.1:1")

    assert not llmobserve.is_enabled()
    (warning,) = sdk_warnings(caplog)
    assert "which no API key has" in warning


def test_init_twice_with_the_same_configuration_keeps_one_worker(
    start_sdk: Callable[..., None], new_workers: Callable[[], list[threading.Thread]]
) -> None:
    start_sdk()
    first = _client.active_worker()
    start_sdk()

    assert _client.active_worker() is first
    assert len(new_workers()) == 1


def test_init_again_reconfigures_and_the_old_worker_ends(
    start_sdk: Callable[..., None],
    account: Account,
    new_workers: Callable[[], list[threading.Thread]],
) -> None:
    start_sdk()
    llmobserve.track("before", cost_usd="1")
    old = _client.active_worker()
    start_sdk(batch_size=10)
    llmobserve.track("after", cost_usd="2")
    assert llmobserve.flush(timeout=5)

    new = _client.active_worker()
    assert new is not old and new is not None and new.options.batch_size == 10
    eventually(lambda: _assert(len(new_workers()) == 1))
    eventually(lambda: _assert(account.costs()["total_cost_usd"] == "3.000000"))


def test_init_again_without_a_key_turns_the_sdk_off(
    start_sdk: Callable[..., None], new_workers: Callable[[], list[threading.Thread]]
) -> None:
    start_sdk()
    llmobserve.init(api_key="")

    assert not llmobserve.is_enabled()
    eventually(lambda: _assert(new_workers() == []))


def test_shutdown_then_init_starts_again(start_sdk: Callable[..., None], account: Account) -> None:
    start_sdk()
    llmobserve.shutdown()
    assert not llmobserve.is_enabled()
    llmobserve.track("ignored while off", cost_usd="5")

    start_sdk()
    llmobserve.track("recorded", cost_usd=Decimal("0.75"))
    assert llmobserve.flush(timeout=5)
    assert account.costs()["total_cost_usd"] == "0.750000"


def test_debug_option_logs_debug_lines(
    start_sdk: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="llmobserve")
    start_sdk(debug=True)
    llmobserve.track("seen", cost_usd="0.1")
    assert llmobserve.flush(timeout=5)
    start_sdk(debug=False)

    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(message.startswith("llmobserve: delivered 1 event(s)") for message in debug)


def _assert(condition: bool) -> None:
    assert condition
