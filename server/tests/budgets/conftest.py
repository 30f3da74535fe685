"""Fixtures of the budgets tests: a real webhook receiver."""

from tests.support.webhooks import webhooks  # noqa: F401  (fixture)
