"""A budget's scope: the dimensions it is limited to. None set is the whole account."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from llmobserve_server.db.models import Budget

DIMENSIONS = ("customer_id", "agent", "section", "provider", "model")


@dataclass(frozen=True)
class Scope:
    customer_id: str | None = None
    agent: str | None = None
    section: str | None = None
    provider: str | None = None
    model: str | None = None

    @classmethod
    def of(cls, budget: Budget) -> Scope:
        return cls(
            customer_id=budget.customer_id,
            agent=budget.agent,
            section=budget.section,
            provider=budget.provider,
            model=budget.model,
        )

    def as_dict(self) -> dict[str, str]:
        """The set dimensions only: `{}` is the whole account (the API's and the SDK's form)."""
        return {name: value for name, value in asdict(self).items() if value is not None}

    def covers(self, event: Any) -> bool:
        """Whether an event (anything with the five attributes, None where unset) is in scope."""
        return all(
            value is None or getattr(event, name) == value for name, value in asdict(self).items()
        )
