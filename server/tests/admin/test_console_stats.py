"""The console's cross-account statistics against a seeded install (seed.py), on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from llmobserve_server.admin.days import last_days
from llmobserve_server.admin.directory import account_detail, search_accounts
from llmobserve_server.admin.overview import PlatformOverview, platform_overview
from llmobserve_server.admin.rankings import near_quota, top_by_cost, top_by_events
from tests.admin.seed import NOW, Seeded, seed


@pytest.fixture(scope="module")
def seeded(seeded_engine: Engine) -> Seeded:
    return seed(seeded_engine)


@pytest.fixture
def db(seeded_engine: Engine, seeded: Seeded) -> Iterator[Session]:
    with Session(seeded_engine) as session:
        yield session


@pytest.fixture
def overview(db: Session) -> PlatformOverview:
    return platform_overview(db, now=NOW)


def test_sign_ups_are_counted_per_utc_day_over_the_last_thirty_days(
    overview: PlatformOverview,
) -> None:
    per_day = {day.day: day.count for day in overview.signups if day.count}

    assert len(overview.signups) == 30 and overview.signups[-1].day == date(2026, 11, 20)
    assert per_day == {
        date(2026, 11, 10): 1,
        date(2026, 11, 15): 1,
        date(2026, 11, 18): 2,
        date(2026, 11, 19): 1,
    }  # the Beta owner signed up 40 days ago: outside the window


def test_events_and_cost_per_day_cover_every_account_within_the_window(
    overview: PlatformOverview,
) -> None:
    per_day = {day.day: (day.events, day.cost_usd) for day in overview.volume if day.events}

    assert per_day == {
        date(2026, 10, 31): (10, Decimal("5.00")),
        date(2026, 11, 17): (50, Decimal("1.00")),
        date(2026, 11, 18): (7, Decimal("0.07")),
        date(2026, 11, 20): (100, Decimal("2.50")),
    }  # Enterprise's 1,000 events of 60 days ago are outside
    assert overview.events_total == 167


def test_active_accounts_are_those_with_events_in_the_last_7_and_30_days(
    overview: PlatformOverview,
) -> None:
    assert (overview.active_7d, overview.active_30d) == (2, 3)


def test_events_this_month_add_up_every_account_s_quota_counter(
    overview: PlatformOverview,
) -> None:
    assert overview.events_this_month == 150 + 850_000 + 9_000 + 10_000 + 5_000_000


def test_accounts_per_plan_and_disabled_accounts(overview: PlatformOverview) -> None:
    assert [(plan.tier, plan.accounts) for plan in overview.plans] == [
        ("free", 2),
        ("pro", 2),
        ("enterprise", 1),
        ("self_hosted", 0),
    ]
    assert (overview.accounts, overview.disabled) == (5, 1)


def test_mrr_counts_every_account_on_a_priced_plan_and_says_how_many_pay_through_stripe(
    overview: PlatformOverview,
) -> None:
    revenue = overview.revenue

    assert (revenue.paying, revenue.via_stripe, revenue.set_by_hand) == (2, 1, 1)
    assert revenue.mrr_usd == Decimal("58")


def test_top_accounts_by_events_this_month(db: Session, seeded: Seeded) -> None:
    ranked = top_by_events(db, now=NOW)

    assert [row.id for row in ranked] == [
        seeded.ent,
        seeded.beta,
        seeded.gone,
        seeded.cold,
        seeded.acme,
    ]
    assert ranked[0].events == 5_000_000


def test_top_accounts_by_cost_tracked_in_the_window(db: Session, seeded: Seeded) -> None:
    ranked = top_by_cost(db, days=last_days(NOW, 30))

    assert [(row.id, row.events, row.cost_usd) for row in ranked] == [
        (seeded.beta, 10, Decimal("5.00")),
        (seeded.acme, 100 + 50, Decimal("3.50")),
        (seeded.gone, 7, Decimal("0.07")),
    ]


def test_accounts_near_or_over_quota_fullest_first_and_never_unlimited_ones(
    db: Session, seeded: Seeded
) -> None:
    uses = near_quota(db, now=NOW)

    assert [(use.id, use.percent, use.over) for use in uses] == [
        (seeded.gone, 100, True),
        (seeded.cold, 90, False),
        (seeded.beta, 85, False),
    ]


def test_search_finds_accounts_by_name_member_email_id_plan_and_status(
    db: Session, seeded: Seeded
) -> None:
    def found(**criteria: object) -> list[object]:
        return [row.id for row in search_accounts(db, now=NOW, **criteria).rows]  # type: ignore[arg-type]

    assert found(query="ACME") == [seeded.acme]
    assert found(query="bob@acme") == [seeded.acme]
    assert found(query=str(seeded.beta)) == [seeded.beta]
    assert found(tier="free") == [seeded.cold, seeded.gone]  # newest first
    assert found(status="disabled") == [seeded.gone]
    assert found(query="%") == []  # a wildcard is searched for, not obeyed
    assert len(found()) == 5


def test_account_rows_show_owner_members_and_this_month_s_events(
    db: Session, seeded: Seeded
) -> None:
    (row,) = search_accounts(db, now=NOW, query="Acme").rows

    assert (row.owner_email, row.members, row.events_this_month) == ("ada@acme.test", 2, 150)


def test_an_account_s_page_has_its_usage_members_and_keys(db: Session, seeded: Seeded) -> None:
    detail = account_detail(db, account_id=seeded.acme, now=NOW)

    assert detail is not None
    assert [member.email for member in detail.members] == ["ada@acme.test", "bob@acme.test"]
    assert [key.key_prefix for key in detail.keys] == ["llmo_sk_AbCd"]
    assert (detail.events_in_window, detail.cost_in_window) == (150, Decimal("3.50"))
    assert (detail.meter.used, detail.meter.limit) == (150, 1_000_000)


def test_an_unknown_account_has_no_page(db: Session) -> None:
    assert account_detail(db, account_id=uuid.uuid4(), now=NOW) is None
