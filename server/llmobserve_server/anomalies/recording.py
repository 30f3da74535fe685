"""Find a day's unusual spend in every account and record it (`SpendAnomaly`), once per
(account, day, model, customer). Reads `usage_daily`'s customer slice (every event once, by
customer, provider and model), with the tables' owner: the job's cross-account path."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from llmobserve_server.anomalies.detection import MIN_EXCESS_USD, WINDOW_DAYS, unusual
from llmobserve_server.db.models import SpendAnomaly, UsageDaily

SeriesKey = tuple[uuid.UUID, str, str]  # account, customer ('' for none), model


def record_unusual_days(db: DbSession, *, day: date, now: datetime) -> list[SpendAnomaly]:
    """Record `day`'s unusual (model, customer) spend in every account; the new rows (a day
    already recorded is skipped). The caller commits."""
    candidates = _spent_enough(db, day)
    if not candidates:
        return []
    history = _histories(db, day, candidates)
    recorded = _recorded(db, day)
    found = []
    for key in sorted(candidates, key=str):
        result = unusual(history[key], day=day)
        if result is None or key in recorded:
            continue
        account_id, customer_id, model = key
        found.append(
            SpendAnomaly(
                id=uuid.uuid4(),
                account_id=account_id,
                day=_midnight(day),
                model=model,
                customer_id=customer_id,
                spent_usd=result.spent_usd,
                usual_usd=result.usual_usd,
                detected_at=now,
                notified_at=None,
            )
        )
    db.add_all(found)
    db.flush()
    return found


def _spent_enough(db: DbSession, day: date) -> set[SeriesKey]:
    """The series that spent at least `MIN_EXCESS_USD` on `day`: no other can be unusual."""
    cost = func.sum(UsageDaily.cost_usd)
    rows = db.execute(
        select(UsageDaily.account_id, UsageDaily.value, UsageDaily.model)
        .where(UsageDaily.dimension == "customer", UsageDaily.day == _midnight(day))
        .group_by(UsageDaily.account_id, UsageDaily.value, UsageDaily.model)
        .having(cost >= MIN_EXCESS_USD)
    )
    return {(account_id, value, model) for account_id, value, model in rows}


def _histories(
    db: DbSession, day: date, keys: set[SeriesKey]
) -> dict[SeriesKey, dict[date, Decimal]]:
    """The candidates' spend on `day` and the `WINDOW_DAYS` before it, by day (summed over
    providers: a model's name is the series)."""
    accounts = {account_id for account_id, _customer, _model in keys}
    history: dict[SeriesKey, dict[date, Decimal]] = defaultdict(dict)
    rows = db.execute(
        select(
            UsageDaily.account_id,
            UsageDaily.value,
            UsageDaily.model,
            UsageDaily.day,
            func.sum(UsageDaily.cost_usd),
        )
        .where(
            UsageDaily.dimension == "customer",
            UsageDaily.account_id.in_(accounts),
            UsageDaily.day >= _midnight(day - timedelta(days=WINDOW_DAYS)),
            UsageDaily.day <= _midnight(day),
        )
        .group_by(UsageDaily.account_id, UsageDaily.value, UsageDaily.model, UsageDaily.day)
    )
    for account_id, customer_id, model, at, cost in rows:
        key = (account_id, customer_id, model)
        if key in keys and cost:
            history[key][at.astimezone(timezone.utc).date()] = Decimal(cost)
    return history


def _recorded(db: DbSession, day: date) -> set[SeriesKey]:
    rows = db.execute(
        select(SpendAnomaly.account_id, SpendAnomaly.customer_id, SpendAnomaly.model).where(
            SpendAnomaly.day == _midnight(day)
        )
    )
    return {(account_id, customer_id, model) for account_id, customer_id, model in rows}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.utc)
