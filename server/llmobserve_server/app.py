"""The ASGI application: `create_app(settings)` wires configuration, database and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from llmobserve_server import __version__
from llmobserve_server.api import (
    api_keys,
    auth,
    budgets,
    costs,
    events,
    forecast,
    otlp,
    ping,
    prices,
    runs,
    stripe_webhook,
    team,
)
from llmobserve_server.body_limit import BodyLimitMiddleware
from llmobserve_server.config import Settings, get_settings
from llmobserve_server.db.engine import create_db_engine, create_session_factory
from llmobserve_server.db.migrate import prepare_database
from llmobserve_server.errors import install_error_handlers
from llmobserve_server.ingest.pipeline import IngestPipeline
from llmobserve_server.jobs.budget_deliveries import budget_delivery_schedule
from llmobserve_server.jobs.scheduler import retention_schedule
from llmobserve_server.jobs.unusual_spend import unusual_spend_schedule
from llmobserve_server.nul_refusal import NulRefusalMiddleware
from llmobserve_server.observability import (
    RequestObservabilityMiddleware,
    instrument_pool,
    metrics_router,
)
from llmobserve_server.observability.metrics import forget_this_process
from llmobserve_server.openapi import install_openapi
from llmobserve_server.timing import ServerTimingMiddleware
from llmobserve_server.web import install_web

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_db_engine(settings)
    instrument_pool(engine)
    # The tables' owner, which Row Level Security does not hold: migrations, retention, /admin
    # and Stripe's webhooks. Everything a user or an API key asks for goes through `engine`.
    system_engine = (
        create_db_engine(settings, owner=True) if settings.sqlalchemy_owner_url else engine
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare_database(engine, system_engine, migrate=settings.auto_migrate)
        with (
            retention_schedule(
                system_engine,
                interval_hours=settings.retention_interval_hours,
                self_hosted_days=settings.retention_days,
            ),
            budget_delivery_schedule(app.state.system_session_factory, settings),
            unusual_spend_schedule(system_engine, app.state.system_session_factory, settings),
        ):
            yield
        # Reached once uvicorn has let in-flight requests finish (see `serving`): whatever is
        # still queued for a group commit is written before the pool closes.
        ingest: IngestPipeline = app.state.ingest
        await to_thread.run_sync(ingest.close, settings.shutdown_timeout_seconds)
        engine.dispose()
        system_engine.dispose()
        forget_this_process()

    app = FastAPI(
        title="llmobserve",
        version=__version__,
        description="What your LLM and vector-database calls cost, per run, feature, agent and "
        "customer. Send events with an API key; read costs with a key or a session.",
        lifespan=lifespan,
        docs_url=None,  # /docs is web/api_docs.py: Swagger UI from the package, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.system_session_factory = create_session_factory(system_engine)
    app.state.ingest = IngestPipeline(
        app.state.session_factory,
        max_events=settings.ingest_group_max_events,
        max_wait=settings.ingest_group_max_wait_ms / 1000,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(NulRefusalMiddleware)
    for router in (
        auth.router,
        api_keys.router,
        events.router,
        otlp.router,
        ping.router,
        costs.router,
        forecast.router,
        runs.router,
        prices.router,
        budgets.router,
        stripe_webhook.router,
        team.router,
        metrics_router,
    ):
        app.include_router(router)
    install_openapi(app)
    install_web(app)
    app.add_middleware(ServerTimingMiddleware)  # it times everything inside it
    app.add_middleware(RequestObservabilityMiddleware)  # outermost: request id, access log, metrics

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # probed every few seconds: one line, not a traceback each time
            logger.warning("not ready: database not reachable: %s", str(exc).splitlines()[0])
            return JSONResponse(
                {"error": {"code": "not_ready", "message": "The database is not reachable."}},
                status_code=503,
            )
        return JSONResponse({"status": "ready"})

    return app
