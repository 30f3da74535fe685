"""Connection pool gauges, kept up to date by SQLAlchemy's pool events.

`size` is the configured pool size; `checked_out` the connections lent to requests and jobs
right now; `overflow` the connections opened beyond the pool size (as of the last checkout).
Summed over the workers of a server. Each checkout and checkin costs one gauge update.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Gauge
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

POOL_SIZE = Gauge(
    "llmobserve_db_pool_size",
    "Configured database connections per pool.",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "llmobserve_db_pool_checked_out_connections",
    "Database connections in use right now.",
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    "llmobserve_db_pool_overflow_connections",
    "Database connections open beyond the pool size (as of the last checkout).",
    multiprocess_mode="livesum",
)


def instrument_pool(engine: Engine) -> None:
    pool = engine.pool
    if not isinstance(pool, QueuePool):  # e.g. a test's StaticPool: nothing to report
        return
    POOL_SIZE.set(pool.size())

    def on_checkout(*_args: Any) -> None:
        POOL_CHECKED_OUT.inc()
        POOL_OVERFLOW.set(max(0, pool.overflow()))

    def on_checkin(*_args: Any) -> None:
        POOL_CHECKED_OUT.dec()

    event.listen(pool, "checkout", on_checkout)
    event.listen(pool, "checkin", on_checkin)
