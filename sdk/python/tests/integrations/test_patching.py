"""The patching machinery: once, all or nothing, quiet when a library is missing, and never in the
application's way (its exceptions untouched, the SDK's own swallowed)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from support.accounts import Account

import llmobserve
from llmobserve.integrations import patch_all, unpatch_all
from llmobserve.integrations._calls import ProviderCall, wrap_sync
from llmobserve.integrations._patching import (
    Library,
    Target,
    is_wrapped,
    parse_version,
    patch_library,
)

VENDOR = "llmobserve_test_vendor"
MESSAGES = [{"role": "user", "content": "Say hello"}]


class Refused(Exception):
    """What the fake vendor library raises."""


@pytest.fixture
def vendor(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A tiny 'provider library', version 1.5, with a `Client.create` to patch."""
    module = types.ModuleType(VENDOR)
    module.__version__ = "1.5.0"  # type: ignore[attr-defined]

    class Client:
        error: BaseException | None = None

        def create(self, **kwargs: Any) -> dict[str, Any]:
            if self.error is not None:
                raise self.error
            return {"model": kwargs.get("model"), "ok": True}

    module.Client = Client  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, VENDOR, module)
    return module


class Measure:
    """An instrumentation that records a plain call."""

    def begin(self, instance: Any, kwargs: dict[str, Any]) -> ProviderCall:
        return ProviderCall("vendor", "chat", kwargs.get("model"), kwargs)

    def end(self, call: ProviderCall, result: Any) -> Any:
        call.finish(model=result["model"])
        return result


def vendor_library(*methods: str, min_version: tuple[int, ...] = (1, 0)) -> Library:
    targets = [Target(VENDOR, "Client", method, "chat") for method in methods]
    return Library(VENDOR, min_version, targets, lambda original, _: wrap_sync(original, Measure()))


@pytest.fixture
def restore_patches() -> Iterator[None]:
    yield
    unpatch_all()
    patch_all()


def test_patch_all_instruments_every_installed_library() -> None:
    assert patch_all() == ["openai", "anthropic", "pinecone"]
    assert is_wrapped(openai.resources.chat.completions.Completions.__dict__["create"])


def test_init_twice_records_each_call_once(
    start_sdk: Callable[..., None],
    openai_client: openai.OpenAI,
    recorded: Callable[..., list[dict[str, Any]]],
) -> None:
    start_sdk()
    start_sdk(flush_interval=0.2)  # another configuration: init runs (and patches) again
    patch_all()

    with llmobserve.run("once") as frame:
        openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert len(recorded(frame)) == 1


def test_calls_pass_straight_through_while_the_sdk_is_off(
    start_sdk: Callable[..., None], openai_client: openai.OpenAI, account: Account
) -> None:
    patch_all()
    reply = openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    start_sdk()
    llmobserve.flush()

    assert reply.choices[0].message.content == "Hello there!"
    assert account.total_events() == 0


@pytest.mark.usefixtures("restore_patches")
def test_unpatch_all_puts_the_original_methods_back() -> None:
    patch_all()
    wrapper = openai.resources.chat.completions.Completions.__dict__["create"]

    unpatch_all()

    original = openai.resources.chat.completions.Completions.__dict__["create"]
    assert original is wrapper.__llmobserve_original__
    assert not is_wrapped(original)


def test_a_missing_library_is_a_quiet_no_op() -> None:
    script = textwrap.dedent(
        """
        import logging, sys
        sys.modules["pinecone"] = None  # as if not installed: importing it fails
        logging.basicConfig(level=logging.WARNING)
        import anthropic, openai  # the application's (init() imports none itself)
        import llmobserve
        from llmobserve.integrations import patch_all
        llmobserve.init(api_key="llmo_sk_test", collector_url="http://127.0.0.1:9")
        print(patch_all())
        llmobserve.shutdown(timeout=0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['openai', 'anthropic']"
    assert done.stderr == ""


def test_a_library_older_than_the_minimum_is_skipped_with_one_warning(
    vendor: types.ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    library = vendor_library("create", min_version=(2, 0))

    with caplog.at_level(logging.WARNING, logger="llmobserve"):
        assert not patch_library(library)
        assert not patch_library(library)

    assert [r.getMessage() for r in caplog.records] == [
        f"llmobserve: {VENDOR} 1.5.0 is older than 2.0, the oldest version llmobserve supports; "
        "it is not instrumented. Upgrade it to record its costs."
    ]
    assert not is_wrapped(vendor.Client.__dict__["create"])


@pytest.mark.usefixtures("restore_patches")
@pytest.mark.parametrize(
    ("min_version", "before_version", "patched"),
    [((1, 0), (2, 0), True), ((1, 6), None, False), ((1, 0), (1, 5), False)],
    ids=["inside its range", "not there yet", "from its end on"],
)
def test_a_target_is_patched_only_within_its_versions(
    vendor: types.ModuleType,
    min_version: tuple[int, ...],
    before_version: tuple[int, ...] | None,
    patched: bool,
) -> None:
    target = Target(
        VENDOR, "Client", "create", "chat", min_version=min_version, before_version=before_version
    )
    library = Library(VENDOR, (1, 0), [target], lambda original, _: wrap_sync(original, Measure()))

    patch_library(library)

    assert is_wrapped(vendor.Client.__dict__["create"]) is patched


def test_a_patch_failure_leaves_the_library_as_it_was(
    vendor: types.ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    original = vendor.Client.__dict__["create"]

    with caplog.at_level(logging.WARNING, logger="llmobserve"):
        assert not patch_library(vendor_library("create", "stream"))

    assert vendor.Client.__dict__["create"] is original
    [warning] = caplog.records
    assert "could not instrument" in warning.getMessage()
    assert "no method 'stream'" in warning.getMessage()


def test_a_method_is_wrapped_only_once(vendor: types.ModuleType) -> None:
    assert patch_library(vendor_library("create"))
    wrapper = vendor.Client.__dict__["create"]

    assert patch_library(vendor_library("create"))

    assert vendor.Client.__dict__["create"] is wrapper


@pytest.mark.usefixtures("sdk")
def test_the_users_exception_is_reraised_as_the_same_object(vendor: types.ModuleType) -> None:
    patch_library(vendor_library("create"))
    client = vendor.Client()
    client.error = Refused("quota exceeded")

    with pytest.raises(Refused) as raised:
        client.create(model="m")

    assert raised.value is client.error
    assert raised.traceback[-1].name == "create"  # the frame that raised it is still there


@pytest.mark.usefixtures("sdk")
def test_an_sdk_error_never_reaches_the_application(
    vendor: types.ModuleType, sdk_reset: list[BaseException]
) -> None:
    class Broken(Measure):
        def end(self, call: ProviderCall, result: Any) -> Any:
            raise RuntimeError("bug in the SDK")

    library = Library(
        VENDOR,
        (1, 0),
        [Target(VENDOR, "Client", "create", "chat")],
        lambda original, _: wrap_sync(original, Broken()),
    )
    patch_library(library)

    assert vendor.Client().create(model="m") == {"model": "m", "ok": True}
    assert [str(error) for error in sdk_reset] == ["bug in the SDK"]  # reported, not raised
    sdk_reset.clear()


@pytest.mark.parametrize(
    ("text", "version"),
    [("3.57.0", (3, 57, 0)), ("1.2.3rc1", (1, 2, 3)), ("10", (10,)), ("dev", None)],
)
def test_versions_are_compared_as_numbers(text: str, version: tuple[int, ...] | None) -> None:
    assert parse_version(text) == version


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_can_patch_while_a_parent_thread_held_the_patching_lock() -> None:
    from llmobserve.integrations import _patching

    held, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with _patching._lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert held.wait(10)
        pid = os.fork()
        if pid == 0:  # the child: the holder thread does not exist here
            acquired = _patching._lock.acquire(timeout=10)
            os._exit(0 if acquired else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        holder.join(10)
    assert os.waitstatus_to_exitcode(status) == 0
