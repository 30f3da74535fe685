"""ping(): the one function that raises, with an error that says what to fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.accounts import Account
from support.faulty_proxy import FaultyProxy

import llmobserve


def test_ping_returns_the_account_and_the_key(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk()
    answer = llmobserve.ping()

    assert answer["ok"] is True
    assert answer["account"]["name"] == "SDK Test's account"
    assert answer["key"]["name"] == "sdk tests"
    assert account.key.startswith(answer["key"]["prefix"])


def test_ping_before_init_raises_not_configured() -> None:
    with pytest.raises(llmobserve.NotConfiguredError, match="call llmobserve.init"):
        llmobserve.ping()


def test_ping_with_a_revoked_key_raises_authentication_error(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk()
    account.revoke_key()

    with pytest.raises(llmobserve.AuthenticationError) as raised:
        llmobserve.ping()
    assert raised.value.status == 401 and raised.value.code == "api_key_revoked"
    assert isinstance(raised.value, llmobserve.CollectorError)
    assert isinstance(raised.value, llmobserve.LLMObserveError)


def test_ping_of_an_unreachable_collector_raises_unreachable(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    proxy.stop()
    start_sdk(collector_url=proxy.url)

    with pytest.raises(llmobserve.CollectorUnreachableError, match="cannot reach the collector"):
        llmobserve.ping(timeout=2)


def test_ping_answered_with_an_error_raises_collector_error(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    start_sdk(collector_url=proxy.url + "/nowhere")

    with pytest.raises(llmobserve.CollectorError) as raised:
        llmobserve.ping()
    assert raised.value.status == 404
