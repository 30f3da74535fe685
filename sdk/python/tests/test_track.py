"""track(): custom costed events, exact to the cent and beyond."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

import pytest
from support.accounts import Account
from support.faulty_proxy import FaultyProxy

import llmobserve


def test_a_tracked_cost_shows_in_costs_exactly(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk()
    llmobserve.track("ocr", cost_usd=Decimal("0.0015"), provider="acme-ocr")
    llmobserve.track("ocr", cost_usd="0.0042", provider="acme-ocr")
    llmobserve.track("ocr", cost_usd=0.1, provider="acme-ocr")  # a float, by its repr
    llmobserve.track("ocr", cost_usd=2, provider="acme-ocr")
    llmobserve.track("tiny", cost_usd="0.00000015", provider="tiny")
    assert llmobserve.flush(timeout=5)

    costs = account.costs("provider")
    assert costs["total_cost_usd"] == "2.10570015"
    rows = {row["key"]: row for row in costs["rows"]}
    assert rows["acme-ocr"]["cost_usd"] == "2.105700"
    assert rows["acme-ocr"]["events"] == 4
    assert rows["tiny"]["cost_usd"] == "0.00000015"


def test_a_tracked_event_without_provider_or_model_is_shown_under_its_name(
    start_sdk: Callable[..., None], account: Account
) -> None:
    start_sdk()
    llmobserve.track("nightly-report", cost_usd="0.25")
    llmobserve.track("x" * 100, cost_usd="0.5")  # a provider is at most 64 characters
    assert llmobserve.flush(timeout=5)

    rows = {row["key"]: row for row in account.costs("provider")["rows"]}
    assert rows["nightly-report"]["cost_usd"] == "0.250000"
    assert rows["x" * 64]["cost_usd"] == "0.500000"


def test_a_tracked_event_carries_its_fields(
    start_sdk: Callable[..., None], proxy: FaultyProxy
) -> None:
    start_sdk(collector_url=proxy.url)
    with llmobserve.customer("from-context"):
        llmobserve.track(
            "transcribe",
            cost_usd="0.006",
            provider="whisper-host",
            model="large-v3",
            operation="transcription",
            input_tokens=10,
            output_tokens=20,
            units={"seconds": 60.5},
            duration_ms=1500,
            metadata={"file": "a.mp3", "when": Decimal("1.5")},
            customer_id="explicit",
        )
    assert llmobserve.flush(timeout=5)

    (event,) = proxy.events_requests()[0].events
    assert event["name"] == "transcribe"
    assert event["cost_usd"] == "0.006"
    assert (event["provider"], event["model"], event["operation"]) == (
        "whisper-host",
        "large-v3",
        "transcription",
    )
    assert (event["input_tokens"], event["output_tokens"]) == (10, 20)
    assert event["units"] == {"seconds": 60.5}
    assert event["duration_ms"] == 1500
    assert event["metadata"] == {"file": "a.mp3", "when": "1.5"}  # not JSON: sent as str
    assert event["customer_id"] == "explicit"
    assert event["status"] == "ok" if "status" in event else True


@pytest.mark.parametrize("bad", ["abc", -1, float("nan"), True, [1]])
def test_an_invalid_cost_warns_once_and_the_event_is_sent_without_it(
    bad: object,
    start_sdk: Callable[..., None],
    proxy: FaultyProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    start_sdk(collector_url=proxy.url)
    llmobserve.track("bad-cost", cost_usd=bad)  # type: ignore[arg-type]
    llmobserve.track("bad-cost", cost_usd=bad)  # type: ignore[arg-type]
    assert llmobserve.flush(timeout=5)

    warnings = [r for r in caplog.records if "cost_usd=" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    events = [e for r in proxy.events_requests() for e in r.events]
    assert len(events) == 2 and all("cost_usd" not in e for e in events)


def test_track_before_init_does_nothing_and_raises_nothing(account: Account) -> None:
    llmobserve.track("nobody listens", cost_usd="1")
    assert llmobserve.flush() is True
    assert llmobserve.stats()["queued"] == 0
