"""The mistakes people make on their first try get a message that says what to fix: the
placeholder key copied from the docs, a collector URL ending in /v1, the dashboard's URL."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from support.accounts import Account
from support.faulty_proxy import FaultyProxy

import llmobserve
from llmobserve._hints import answer_problem, api_key_problem, collector_url_problem


def sdk_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "llmobserve" and r.levelno >= logging.WARNING
    ]


@pytest.mark.parametrize(
    "key",
    ["llmo_sk_…", "llmo_sk_...", "llmo_sk_", "llmo_sk_ab12…", "llmo_sk_<your key>"],
    ids=["ellipsis", "three-dots", "prefix-only", "shortened", "angle-brackets"],
)
def test_a_placeholder_key_is_named_a_placeholder(key: str) -> None:
    problem = api_key_problem(key)
    assert problem is not None and "replace the placeholder API key" in problem


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("llmo_sk_abc\u201d", "U+201D"),  # a curly quote pasted from a word processor
        ("llmo_sk_abc def", "a space"),
        ("llmo_sk_abc\u00e9", "U+00E9"),
    ],
    ids=["curly-quote", "inner-space", "accent"],
)
def test_a_key_with_a_character_no_key_has_is_refused_with_the_character_named(
    key: str, named: str
) -> None:
    problem = api_key_problem(key)
    assert problem is not None and named in problem and "copy it again" in problem


def test_a_real_looking_key_has_no_problem() -> None:
    assert api_key_problem("llmo_sk_Zx-9_aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5") is None


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("http://127.0.0.1:8000/v1", "'http://127.0.0.1:8000'"),
        ("https://llmo.example.com/v1/", "'https://llmo.example.com'"),
        ("https://example.com/llmo/v1/events", "'https://example.com/llmo'"),
    ],
    ids=["v1", "v1-slash", "events-under-a-prefix"],
)
def test_a_collector_url_ending_in_an_api_path_names_the_base_url(url: str, base: str) -> None:
    hint = collector_url_problem(url)
    assert hint is not None and f"use {base}" in hint


def test_a_base_url_gets_no_hint() -> None:
    assert collector_url_problem("https://llmo.example.com/collector") is None
    assert answer_problem("https://llmo.example.com", 200, b'{"accepted": 1}') is None


def test_an_html_page_names_the_base_url() -> None:
    hint = answer_problem("http://h:8000/costs", 200, b"<!DOCTYPE html>\n<html>")
    assert hint is not None and "answered with a web page (HTTP 200)" in hint
    assert "e.g. 'http://h:8000'" in hint


def test_a_redirect_of_the_base_url_itself_suggests_the_exact_scheme() -> None:
    hint = answer_problem("http://llmo.example.com", 301, b"")
    assert hint is not None and "https://" in hint


def test_a_proxy_error_page_is_not_taken_for_a_wrong_url() -> None:
    assert answer_problem("https://llmo.example.com", 502, b"<html><body>Bad Gateway") is None


def test_init_with_the_placeholder_key_warns_to_replace_it_and_stays_off(
    caplog: pytest.LogCaptureFixture, proxy: FaultyProxy
) -> None:
    llmobserve.init(api_key="llmo_sk_…", collector_url=proxy.url)
    llmobserve.track("t", cost_usd="1")

    [warning] = sdk_warnings(caplog)
    assert warning.startswith("llmobserve: replace the placeholder API key 'llmo_sk_…'")
    assert "ordinal not in range" not in warning and "cannot reach" not in warning
    assert not llmobserve.is_enabled()
    assert proxy.requests == []
    with pytest.raises(llmobserve.NotConfiguredError, match="usable API key"):
        llmobserve.ping()


def test_a_placeholder_key_from_the_environment_is_refused_the_same_way(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMOBSERVE_API_KEY", "llmo_sk_...")
    llmobserve.init()
    assert "replace the placeholder API key" in sdk_warnings(caplog)[0]


def test_init_with_a_collector_url_ending_in_v1_names_the_base_url(
    caplog: pytest.LogCaptureFixture, start_sdk: Callable[..., None], collector_url: str
) -> None:
    start_sdk(collector_url=collector_url + "/v1")

    assert any(f"use {collector_url!r}" in w for w in sdk_warnings(caplog))
    with pytest.raises(llmobserve.CollectorError, match=f"use {collector_url!r}") as raised:
        llmobserve.ping()
    assert raised.value.status == 404


def test_ping_of_the_dashboard_url_says_it_is_not_the_api_and_names_the_base_url(
    start_sdk: Callable[..., None], collector_url: str
) -> None:
    start_sdk(collector_url=collector_url + "/runs")

    with pytest.raises(llmobserve.CollectorError) as raised:
        llmobserve.ping()
    assert "answered with a redirect (HTTP 303)" in str(raised.value)
    assert f"e.g. {collector_url!r}" in str(raised.value)


def test_events_sent_to_the_dashboard_url_log_the_base_url_once(
    caplog: pytest.LogCaptureFixture,
    start_sdk: Callable[..., None],
    collector_url: str,
    account: Account,
) -> None:
    start_sdk(collector_url=collector_url + "/runs")
    for _ in range(2):
        llmobserve.track("t", cost_usd="1")
        assert llmobserve.flush(timeout=30)

    hints = [w for w in sdk_warnings(caplog) if "so it is not the llmobserve API" in w]
    assert len(hints) == 1 and f"e.g. {collector_url!r}" in hints[0]
    assert account.costs()["total_cost_usd"] == "0.000000"
