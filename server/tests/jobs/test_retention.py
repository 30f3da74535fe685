"""Retention: what each plan keeps, to the minute at the boundary; batches; dry runs; the lock."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import Engine

from llmobserve_server.jobs.locks import job_lock
from llmobserve_server.jobs.retention import (
    RETENTION_LOCK_ID,
    TABLES,
    AccountRetention,
    RetentionReport,
    apply_retention,
    format_report,
    run_retention,
)
from tests.support.stored_data import (
    DAY,
    HOUR,
    MINUTE,
    add_account,
    add_day,
    add_event,
    add_hour,
    add_month,
    add_run,
    hour_start,
    set_tier,
    stored_days,
    stored_event_ids,
    stored_hours,
    stored_months,
    stored_run_ids,
)

NOW = datetime(2025, 6, 15, 12, 30, tzinfo=timezone.utc)
FREE_CUTOFF = NOW - 7 * DAY  # 2025-06-08 12:30


def retention(
    engine: Engine, *, batch_size: int = 5000, should_stop: Callable[[], bool] = lambda: False
) -> RetentionReport:
    report = run_retention(engine, now=NOW, batch_size=batch_size, should_stop=should_stop)
    assert report is not None, "the retention lock was unexpectedly taken"
    return report


def of(report: RetentionReport, account: uuid.UUID) -> AccountRetention:
    result = report.for_account(account)
    assert result is not None, f"{account} is not in the report"
    return result


def test_free_plan_deletes_events_older_than_seven_days_to_the_minute(engine: Engine) -> None:
    account = add_account(engine, "free")
    kept = add_event(engine, account, FREE_CUTOFF + MINUTE)
    at_cutoff = add_event(engine, account, FREE_CUTOFF)
    add_event(engine, account, FREE_CUTOFF - MINUTE)
    add_event(engine, account, NOW - 30 * DAY)

    report = retention(engine)

    assert stored_event_ids(engine, account) == {kept, at_cutoff}
    assert of(report, account).rows["trace_events"] == 2


def test_an_hour_of_rollups_goes_only_when_all_of_it_is_older_than_the_cutoff(
    engine: Engine,
) -> None:
    account = add_account(engine, "free")
    straddling = hour_start(FREE_CUTOFF)  # 12:00-13:00 holds the cutoff 12:30: kept
    ended_before = straddling - HOUR  # 11:00-12:00 ended before the cutoff: deleted
    for hour in (straddling, ended_before, ended_before - DAY, straddling + HOUR):
        add_hour(engine, account, hour)

    retention(engine)

    assert stored_hours(engine, account) == {straddling, straddling + HOUR}


def test_a_day_of_rollups_goes_only_when_all_of_it_is_older_than_the_cutoff(
    engine: Engine,
) -> None:
    account = add_account(engine, "free")
    straddling = FREE_CUTOFF.replace(hour=0, minute=0)  # the day holding the cutoff: kept
    for day in (straddling - 2 * DAY, straddling - DAY, straddling, straddling + DAY):
        add_day(engine, account, day)

    report = retention(engine)

    assert stored_days(engine, account) == {straddling, straddling + DAY}
    assert of(report, account).rows["usage_daily"] == 2


def test_an_hour_ending_exactly_at_the_cutoff_is_deleted(engine: Engine) -> None:
    account = add_account(engine, "free")
    on_the_hour = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.utc)
    cutoff = on_the_hour - 7 * DAY
    add_hour(engine, account, cutoff - HOUR)
    add_hour(engine, account, cutoff)

    run_retention(engine, now=on_the_hour)

    assert stored_hours(engine, account) == {cutoff}


def test_a_run_goes_when_it_ended_before_the_cutoff_and_stays_while_it_straddles_it(
    engine: Engine,
) -> None:
    account = add_account(engine, "free")
    ended = add_run(engine, account, FREE_CUTOFF - 10 * MINUTE, FREE_CUTOFF - MINUTE)
    straddling = add_run(engine, account, FREE_CUTOFF - 10 * MINUTE, FREE_CUTOFF + MINUTE)
    recent = add_run(engine, account, NOW - DAY, NOW - DAY)

    report = retention(engine)

    assert stored_run_ids(engine, account) == {straddling, recent}
    assert ended not in stored_run_ids(engine, account)
    assert of(report, account).rows["runs"] == 1


def test_monthly_usage_is_kept_for_quota_and_billing_history(engine: Engine) -> None:
    account = add_account(engine, "free")
    add_month(engine, account, datetime(2024, 1, 1, tzinfo=timezone.utc))

    retention(engine)

    assert stored_months(engine, account) == 1


def test_pro_keeps_thirty_day_old_data_and_deletes_past_ninety_days(engine: Engine) -> None:
    free = add_account(engine, "free")
    pro = add_account(engine, "pro")
    month_old = add_event(engine, pro, NOW - 30 * DAY)
    add_event(engine, pro, NOW - 90 * DAY - MINUTE)
    add_hour(engine, pro, hour_start(NOW - 30 * DAY))
    pro_run = add_run(engine, pro, NOW - 30 * DAY, NOW - 30 * DAY)
    add_event(engine, free, NOW - 30 * DAY)

    retention(engine)

    assert stored_event_ids(engine, pro) == {month_old}
    assert stored_hours(engine, pro) == {hour_start(NOW - 30 * DAY)}
    assert stored_run_ids(engine, pro) == {pro_run}
    assert stored_event_ids(engine, free) == set()


def test_enterprise_keeps_everything(engine: Engine) -> None:
    account = add_account(engine, "enterprise")
    ancient = add_event(engine, account, NOW - 3650 * DAY)
    add_hour(engine, account, hour_start(NOW - 3650 * DAY))
    run_id = add_run(engine, account, NOW - 3650 * DAY, NOW - 3650 * DAY)

    report = retention(engine)

    assert stored_event_ids(engine, account) == {ancient}
    assert len(stored_hours(engine, account)) == 1
    assert stored_run_ids(engine, account) == {run_id}
    assert report.for_account(account) is None


def test_a_downgrade_keeps_data_until_the_next_run_applies_the_new_retention(
    engine: Engine,
) -> None:
    account = add_account(engine, "pro")
    add_event(engine, account, NOW - 30 * DAY)
    retention(engine)
    assert len(stored_event_ids(engine, account)) == 1

    set_tier(engine, account, "free")
    assert len(stored_event_ids(engine, account)) == 1
    retention(engine)

    assert stored_event_ids(engine, account) == set()


def test_rows_are_deleted_in_batches_of_the_given_size(engine: Engine) -> None:
    account = add_account(engine, "free")
    for minutes in range(5):
        add_event(engine, account, FREE_CUTOFF - (minutes + 1) * MINUTE)
    for days in range(3):
        add_hour(engine, account, hour_start(NOW - (10 + days) * DAY))
    add_run(engine, account, NOW - 10 * DAY, NOW - 10 * DAY)
    add_day(engine, account, datetime(2025, 6, 1, tzinfo=timezone.utc))

    report = retention(engine, batch_size=2)

    result = of(report, account)
    assert result.rows == {
        "trace_events": 5,
        "usage_hourly": 3,
        "runs": 1,
        "usage_daily": 1,
        "audit_events": 0,
    }
    assert result.batches == {
        "trace_events": 3,
        "usage_hourly": 2,
        "runs": 1,
        "usage_daily": 1,
        "audit_events": 1,
    }
    assert stored_event_ids(engine, account) == set()


def test_a_second_run_deletes_nothing(engine: Engine) -> None:
    account = add_account(engine, "free")
    add_event(engine, account, NOW - 8 * DAY)
    add_hour(engine, account, hour_start(NOW - 8 * DAY))
    add_run(engine, account, NOW - 8 * DAY, NOW - 8 * DAY)
    first = retention(engine)
    assert of(first, account).total_rows == 3

    second = retention(engine)

    assert {table: second.rows(table) for table in TABLES} == dict.fromkeys(TABLES, 0)


def test_a_dry_run_counts_what_would_go_and_deletes_nothing(engine: Engine) -> None:
    account = add_account(engine, "free")
    old = add_event(engine, account, NOW - 8 * DAY)
    new = add_event(engine, account, NOW - DAY)
    add_run(engine, account, NOW - 8 * DAY, NOW - 8 * DAY)

    report = apply_retention(engine, now=NOW, dry_run=True)

    assert of(report, account).rows == {
        "trace_events": 1,
        "usage_hourly": 0,
        "runs": 1,
        "usage_daily": 0,
        "audit_events": 0,
    }
    assert stored_event_ids(engine, account) == {old, new}
    assert format_report(report).startswith("Retention would delete 1 trace_events")


def test_a_run_asked_to_stop_ends_between_batches_and_the_next_run_finishes(
    engine: Engine,
) -> None:
    account = add_account(engine, "free")
    for minutes in range(4):
        add_event(engine, account, NOW - 8 * DAY - minutes * MINUTE)
    batches = 0

    def stop_after_one_batch() -> bool:
        nonlocal batches
        batches += 1
        return batches > 2  # the account check, then one batch

    stopped = retention(engine, batch_size=1, should_stop=stop_after_one_batch)

    assert of(stopped, account).rows["trace_events"] == 1
    assert len(stored_event_ids(engine, account)) == 3
    retention(engine, batch_size=1)
    assert stored_event_ids(engine, account) == set()


def test_a_run_started_while_another_holds_the_lock_skips(engine: Engine) -> None:
    account = add_account(engine, "free")
    add_event(engine, account, NOW - 8 * DAY)
    inside = threading.Event()
    release = threading.Event()
    reports: list[RetentionReport | None] = []

    def hold_between_batches() -> bool:
        inside.set()
        release.wait(timeout=30)
        return False

    first = threading.Thread(
        target=lambda: reports.append(
            run_retention(engine, now=NOW, should_stop=hold_between_batches)
        )
    )
    first.start()
    try:
        assert inside.wait(timeout=30)
        assert run_retention(engine, now=NOW) is None
    finally:
        release.set()
        first.join(timeout=30)

    assert reports and reports[0] is not None
    assert stored_event_ids(engine, account) == set()


def test_the_lock_is_released_after_a_run(engine: Engine) -> None:
    retention(engine)
    with job_lock(engine, "retention", RETENTION_LOCK_ID) as acquired:
        assert acquired
