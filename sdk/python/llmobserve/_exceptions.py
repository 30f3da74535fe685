"""The SDK's exceptions. Only `llmobserve.ping()` raises them, and, when the application asked
for it with `init(enforce_budgets=True)`, a provider call over an enforced budget raises
`BudgetExceededError`; nothing else in the SDK raises into the host application.

    LLMObserveError
    ├── NotConfiguredError          ping() before init() with an API key (or the SDK is disabled)
    ├── CollectorUnreachableError   no answer: connection refused, DNS, TLS or a timeout
    ├── CollectorError              the collector answered with an error status
    │   └── AuthenticationError     401: the API key is unknown or revoked
    └── BudgetExceededError         with init(enforce_budgets=True) only: a provider call in the
                                    scope of an exceeded, enforced budget, before it is sent
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


class LLMObserveError(Exception):
    """Base class of every exception the SDK raises (only `ping()` raises)."""


class NotConfiguredError(LLMObserveError):
    """`ping()` was called while the SDK is not initialized with an API key."""


class CollectorUnreachableError(LLMObserveError):
    """The collector could not be reached (network error or timeout)."""


class CollectorError(LLMObserveError):
    """The collector answered with an error status."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class AuthenticationError(CollectorError):
    """The collector refused the API key (unknown or revoked)."""


class BudgetExceededError(LLMObserveError):
    """A provider call was stopped before it was sent: an enforced budget covering it is
    exceeded (only with `llmobserve.init(enforce_budgets=True)` and no `on_budget_exceeded`).

    The same class llmobserve 0.3 raised for its spending caps, so 0.3 code that catches it
    keeps working; `exceeded_caps` carries the budget in 0.3's shape too.

    Attributes:
        budget_id: The budget's id.
        name: The budget's name.
        scope: What the budget limits, e.g. `{"customer_id": "acme"}` (`{}`: every call).
        until: When the budget's period ends (a UTC `datetime`): calls go through again then.
        exceeded_caps: 0.3's list of dicts (`[{"cap_type", "budget_id", "name", "scope",
            "until"}]`).

    Example:
        ```python
        try:
            client.chat.completions.create(model="gpt-4o-mini", messages=messages)
        except llmobserve.BudgetExceededError as exc:
            return f"Usage limit reached until {exc.until:%b %-d}."
        ```
    """

    def __init__(
        self,
        message: object = "",
        exceeded_caps: object = None,
        *,
        budget_id: str | None = None,
        name: str | None = None,
        scope: Mapping[str, str] | None = None,
        until: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.exceeded_caps = exceeded_caps if isinstance(exceeded_caps, list) else []
        self.budget_id = budget_id
        self.name = name
        self.scope = dict(scope or {})
        self.until = until

    @classmethod
    def for_budget(cls, budget: Any) -> BudgetExceededError:
        """The error for a blocked budget (llmobserve._budgets.BlockedBudget)."""
        scope = dict(budget.scope)
        where = ", ".join(f"{k}={v}" for k, v in scope.items()) or "every call"
        return cls(
            f"llmobserve: budget {budget.name!r} ({where}) is exceeded until "
            f"{budget.until.isoformat()}; the call was not sent.",
            [
                {
                    "cap_type": "budget",
                    "budget_id": budget.budget_id,
                    "name": budget.name,
                    "scope": scope,
                    "until": budget.until.isoformat(),
                }
            ],
            budget_id=budget.budget_id,
            name=budget.name,
            scope=scope,
            until=budget.until,
        )
