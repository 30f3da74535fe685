"""A budget from the dashboard's form (strings), checked field by field: what the Budgets page
shows beside each field. The API checks the same rules with its models (api/budgets.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from llmobserve_server.budgets.periods import PERIODS
from llmobserve_server.budgets.scope import DIMENSIONS, Scope
from llmobserve_server.budgets.service import BudgetFields

FORM_FIELDS = ("name", *DIMENSIONS, "period", "amount_usd", "alert_at", "emails", "webhook_url")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_AMOUNT = Decimal("1000000000")


class InvalidBudgetForm(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def parse_budget_form(values: Mapping[str, str], *, enforce: bool) -> BudgetFields:
    """`alert_at` is percents ("50, 80, 100"), `emails` comma-separated; empty scope fields are
    unset. Raises InvalidBudgetForm with a message per wrong field."""
    errors: dict[str, str] = {}
    text = {name: values.get(name, "").strip() for name in FORM_FIELDS}
    if "\x00" in "".join(text.values()):
        raise InvalidBudgetForm({"name": "Remove the NUL character."})
    if not text["name"] or len(text["name"]) > 200:
        errors["name"] = "Give the budget a name (at most 200 characters)."
    for name in DIMENSIONS:
        if len(text[name]) > (64 if name == "provider" else 200):
            errors[name] = "Too long."
    if text["period"] not in PERIODS:
        errors["period"] = "Choose day, week or month."
    amount = _decimal(text["amount_usd"])
    if (
        amount is None
        or not 0 < amount <= _MAX_AMOUNT
        or amount != amount.quantize(Decimal("0.000001"))
    ):
        errors["amount_usd"] = "Enter an amount in USD above 0, e.g. 25.00."
    percents = [_decimal(p) for p in text["alert_at"].split(",") if p.strip()] or [
        Decimal(50),
        Decimal(80),
        Decimal(100),
    ]
    if any(p is None or not 0 < p <= 1000 for p in percents) or len(percents) > 10:
        errors["alert_at"] = "Enter up to 10 percentages above 0, e.g. 50, 80, 100."
    emails = tuple(e.strip() for e in text["emails"].split(",") if e.strip())
    if len(emails) > 20 or any(not _EMAIL.match(e) for e in emails):
        errors["emails"] = "Enter email addresses separated by commas."
    if text["webhook_url"] and not re.match(r"^https?://\S+$", text["webhook_url"]):
        errors["webhook_url"] = "Enter an http(s) URL."
    if errors:
        raise InvalidBudgetForm(errors)
    assert amount is not None
    return BudgetFields(
        name=text["name"],
        scope=Scope(**{name: text[name] or None for name in DIMENSIONS}),
        period=text["period"],  # type: ignore[arg-type]  # checked above
        amount_usd=amount,
        alert_at=tuple(p / 100 for p in percents if p is not None),
        enforce=enforce,
        emails=emails,
        webhook_url=text["webhook_url"] or None,
        given=frozenset(
            {
                "name",
                "scope",
                "period",
                "amount_usd",
                "alert_at",
                "enforce",
                "emails",
                "webhook_url",
            }
        ),
    )


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
