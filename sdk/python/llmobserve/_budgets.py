"""Budget enforcement (`init(enforce_budgets=True)`): the blocked scopes the collector reports,
and the check the integrations make before a call is sent.

The server lists the enforced budgets that are exceeded now (`budgets_blocked`, each a
`budget_id`, `name`, `scope` and `until`) in every `/v1/events` answer and at
`GET /v1/budgets/blocked`. The worker thread reads the list from each flush's answer, and asks
for it at start and every 30 s; the caller's thread only reads the current `Blocks` (an
immutable snapshot swapped whole), so the check takes no lock and makes no request.

A call is blocked when every dimension a blocked budget names (customer_id, agent, section,
provider, model) has that value in the call: the lookup is one frozenset probe per distinct
set of dimensions among the blocked budgets (usually one), and nothing at all when the list is
empty or enforcement is off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from llmobserve._context import current_frame
from llmobserve._exceptions import BudgetExceededError
from llmobserve._log import logger, report_internal_error

DIMENSIONS = ("customer_id", "agent", "section", "provider", "model")
REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class BlockedBudget:
    """An enforced budget that is exceeded: calls in `scope` are stopped until `until`.

    Attributes:
        budget_id: The budget's id (`GET /v1/budgets/{budget_id}`).
        name: The budget's name.
        scope: The dimensions it limits, e.g. `{"customer_id": "acme"}`; `{}` is every call.
        until: When its period ends (UTC); calls go through again from then.
    """

    budget_id: str
    name: str
    scope: Mapping[str, str]
    until: datetime
    _until_ts: float = field(default=0.0, repr=False, compare=False)


@dataclass(frozen=True)
class BlockedCall:
    """The call a budget stopped, as `on_budget_exceeded(budget, call)` receives it."""

    provider: str | None
    model: str | None
    customer_id: str | None
    agent: str | None
    section: str | None


OnBudgetExceeded = Callable[[BlockedBudget, BlockedCall], Any]


class Blocks:
    """An immutable snapshot of the blocked budgets, indexed for the per-call check."""

    __slots__ = ("budgets", "_index")

    def __init__(self, budgets: tuple[BlockedBudget, ...] = ()) -> None:
        self.budgets = budgets
        index: dict[tuple[str, ...], dict[tuple[str, ...], BlockedBudget]] = {}
        for budget in budgets:
            names = tuple(name for name in DIMENSIONS if name in budget.scope)
            values = tuple(budget.scope[name] for name in names)
            index.setdefault(names, {})[values] = budget
        self._index = tuple(
            (names, frozenset(by_values), by_values) for names, by_values in index.items()
        )

    def match(self, call: BlockedCall) -> BlockedBudget | None:
        """The blocked budget covering `call` whose period has not ended, if any."""
        for names, keys, by_values in self._index:
            values = tuple(getattr(call, name) for name in names)
            if values in keys:
                budget = by_values[values]
                if budget._until_ts > time.time():
                    return budget
        return None


EMPTY = Blocks()


def read_blocked(entries: object) -> Blocks | None:
    """The `budgets_blocked` list of an answer, or None when it is not a valid one."""
    if not isinstance(entries, list):
        return None
    budgets = []
    for entry in entries:
        if not isinstance(entry, dict):
            return None
        scope, until = entry.get("scope"), entry.get("until")
        if not isinstance(scope, dict) or not isinstance(until, str):
            return None
        if not all(k in DIMENSIONS and isinstance(v, str) for k, v in scope.items()):
            continue  # a dimension this SDK does not know: it cannot tell which calls it covers
        try:
            moment = datetime.fromisoformat(until.replace("Z", "+00:00"))
        except ValueError:
            return None
        budgets.append(
            BlockedBudget(
                budget_id=str(entry.get("budget_id", "")),
                name=str(entry.get("name", "")),
                scope=dict(scope),
                until=moment,
                _until_ts=moment.timestamp(),
            )
        )
    return Blocks(tuple(budgets))


class Enforcement:
    """The current blocks, and the app's `on_budget_exceeded`, for one worker."""

    def __init__(self, on_exceeded: OnBudgetExceeded | None) -> None:
        self.on_exceeded = on_exceeded
        self.blocks = EMPTY
        self.next_refresh = 0.0  # monotonic; 0: at the worker's start
        self.first_read = threading.Event()  # the list was asked for once (answered or not)

    def update(self, entries: object, *, source: str) -> None:
        blocks = read_blocked(entries)
        if blocks is None:
            logger.debug("llmobserve: ignored a malformed budgets_blocked list from %s", source)
            return
        if {b.budget_id for b in blocks.budgets} != {b.budget_id for b in self.blocks.budgets}:
            logger.info(
                "llmobserve: blocked budgets now: %s",
                ", ".join(b.name for b in blocks.budgets) or "none",
            )
        self.blocks = blocks


def enforce(enforcement: Enforcement, provider: str | None, model: str | None) -> None:
    """Before a call is sent: raise BudgetExceededError (or call the app's `on_budget_exceeded`)
    when a blocked budget covers it. The SDK's own errors are reported, never raised."""
    blocks = enforcement.blocks
    if not blocks.budgets:
        return
    try:
        frame = current_frame()
        call = BlockedCall(provider, model, frame.customer_id, frame.agent, frame.section)
        budget = blocks.match(call)
    except Exception as exc:
        report_internal_error(exc)
        return
    if budget is None:
        return
    if enforcement.on_exceeded is not None:
        enforcement.on_exceeded(budget, call)  # the app's: it returns to let the call go
        return
    raise BudgetExceededError.for_budget(budget)
