"""The audit tests use the suite's server, and for retention a migrated database of their own."""

from tests.jobs.conftest import engine, settings  # noqa: F401  (fixtures)
