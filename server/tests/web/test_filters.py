"""The template filters: money as money, counts, dates and relative times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from llmobserve_server.money import display_usd
from llmobserve_server.web.filters import FILTERS, ago, date, number
from llmobserve_server.web.redirects import safe_next

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("1"), "$1.00"),
        (Decimal("0.5"), "$0.50"),
        (Decimal("0.000435"), "$0.000435"),
        (Decimal("0.00000015"), "$0.00000015"),
        (Decimal("0"), "$0.00"),
        (None, "$0.00"),
        ("12.345", "$12.35"),
        (Decimal("-3"), "-$3.00"),
        (Decimal("0.01999882"), "$0.02"),
        (Decimal("0.9650"), "$0.965"),
        (Decimal("0.001317449"), "$0.001317"),
        (Decimal("0.999996"), "$1.00"),
    ],
)
def test_display_usd_formats_money_as_money(amount: Decimal | str | None, shown: str) -> None:
    assert display_usd(amount) == shown


def test_the_usd_filter_is_the_one_money_formatter() -> None:
    assert FILTERS["usd"] is display_usd


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(hours=2, minutes=5), "2 hours ago"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(days=400), "1 year ago"),
        (-timedelta(hours=4), "in 4 hours"),
    ],
)
def test_ago_says_how_long_ago(delta: timedelta, shown: str) -> None:
    assert ago(NOW - delta, now=NOW) == shown


def test_ago_of_nothing_is_never() -> None:
    assert ago(None) == "never"


def test_number_and_date() -> None:
    assert number(1234567) == "1,234,567"
    assert date(NOW) == "Nov 25, 2026"


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ("/runs?x=1", "/runs?x=1"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("runs", "/"),
        (None, "/"),
    ],
)
def test_safe_next_only_allows_local_paths(value: str | None, result: str) -> None:
    assert safe_next(value) == result
