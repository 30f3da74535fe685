"""`init(providers=...)`: what the application says of the servers its OpenAI-compatible clients
call, and the host table the SDK names providers from (llmobserve.integrations._endpoints)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmobserve._client import active_worker
from llmobserve._providers import HostRule, provider_rules
from llmobserve.integrations._endpoints import Endpoint, endpoint_of


def client(base_url: str, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url=base_url, **options)


def test_a_name_or_a_rule_is_kept_under_its_host_and_port() -> None:
    rules = provider_rules(
        {
            "https://LLM.internal:8000/v1": "vllm",
            "gw.example.com": {"name": "gateway", "stream_usage": False},
            "localhost:11434": {"stream_usage": True},
        }
    )
    assert rules == (
        (("gw.example.com", None), HostRule("gateway", False)),
        (("llm.internal", 8000), HostRule("vllm", None)),
        (("localhost", 11434), HostRule(None, True)),
    )


@pytest.mark.parametrize(
    "value",
    [
        {"https://h.example.com": 3},
        {"https://h.example.com": ""},
        {"https://h.example.com": {"name": "x", "stream": True}},
        {"https://h.example.com": {"stream_usage": "yes"}},
        {"https://h.example.com": {}},
        {"https://": "x"},
        {"https://h.example.com:notaport": "x"},
        {3: "x"},
    ],
    ids=["number", "empty", "unknown key", "not a bool", "empty dict", "no host", "port", "key"],
)
def test_an_unusable_entry_is_left_out_with_one_warning(
    value: dict[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="llmobserve"):
        assert provider_rules({**value, "https://ok.example.com": "ok"}) == (
            (("ok.example.com", None), HostRule("ok", None)),
        )
    [warning] = [r.getMessage() for r in caplog.records if r.name == "llmobserve"]
    assert "providers[" in warning and "left out" in warning


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.none(),
        st.integers(),
        st.text(),
        st.lists(st.text()),
        st.dictionaries(
            st.one_of(st.text(), st.integers(), st.none()),
            st.one_of(
                st.text(),
                st.none(),
                st.booleans(),
                st.dictionaries(st.text(), st.one_of(st.text(), st.booleans())),
            ),
        ),
    )
)
def test_any_providers_value_is_checked_without_raising(value: object) -> None:
    rules = provider_rules(value)
    assert isinstance(rules, tuple)
    hash(rules)  # part of the options, compared by init()


def test_init_with_hostile_providers_starts_and_keeps_the_usable_entries(
    start_sdk: Callable[..., None],
) -> None:
    start_sdk(providers={"https://a.example.com": "a", "b": object(), None: "c"})
    worker = active_worker()
    assert worker is not None
    assert worker.options.providers == ((("a.example.com", None), HostRule("a", None)),)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.openai.com/v1", Endpoint("openai", True)),
        ("https://api.deepseek.com", Endpoint("deepseek", True)),
        ("https://api.groq.com/openai/v1", Endpoint("groq", True)),
        ("https://api.x.ai/v1", Endpoint("x-ai", True)),
        ("https://openrouter.ai/api/v1", Endpoint("openrouter", False)),
        ("https://api.mistral.ai/v1", Endpoint("mistral", False)),
        ("https://generativelanguage.googleapis.com/v1beta/openai/", Endpoint("google", False)),
        ("https://res.openai.azure.com/openai/v1/", Endpoint("azure", True)),
        ("https://llm.internal:8443/v1", Endpoint("llm.internal:8443", False)),
        ("https://llm.internal/v1", Endpoint("llm.internal", False)),
        ("http://localhost:11434/v1", Endpoint("localhost:11434", True)),
        ("http://127.0.0.1:8000/v1", Endpoint("127.0.0.1:8000", True)),
        ("http://[::1]:1234/v1", Endpoint("::1:1234", True)),
    ],
)
def test_the_host_names_the_provider_and_whether_streams_are_asked_for_usage(
    base_url: str, expected: Endpoint
) -> None:
    with client(base_url) as c:
        assert endpoint_of(c, ()) == expected


@pytest.mark.parametrize(
    ("api_version", "asks"),
    [
        ("2024-06-01", False),
        ("2024-08-01-preview", False),
        ("2024-09-01-preview", True),
        ("2024-10-21", True),
        ("2025-04-01-preview", True),
    ],
)
def test_azure_is_asked_for_stream_usage_from_api_version_2024_09_01_on(
    api_version: str, asks: bool
) -> None:
    with openai.AzureOpenAI(
        api_key="k", azure_endpoint="https://res.openai.azure.com", api_version=api_version
    ) as c:
        assert endpoint_of(c, ()) == Endpoint("azure", asks)


def test_a_rule_for_a_host_and_port_wins_over_one_for_the_host() -> None:
    rules = provider_rules({"llm.internal": "any-port", "llm.internal:8000": "that-port"})
    with client("http://llm.internal:8000/v1") as one, client("http://llm.internal:9/v1") as two:
        assert endpoint_of(one, rules).provider == "that-port"
        assert endpoint_of(two, rules).provider == "any-port"


def test_a_new_base_url_is_resolved_again() -> None:
    with client("https://api.deepseek.com") as c:
        assert endpoint_of(c, ()).provider == "deepseek"
        c.base_url = "https://api.groq.com/openai/v1"  # type: ignore[assignment]
        assert endpoint_of(c, ()).provider == "groq"
