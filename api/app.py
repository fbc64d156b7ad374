"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route

from agents.runs import RunManager
from agents.service import build_run_manager
from api import health, openapi, problems, v1
from api.admission import Admission
from api.headers import SecurityHeaders
from api.limits import BodySizeLimit
from api.mcp_http import McpEndpoint
from api.mcp_server import AcademyMCP
from api.pages import PAGES
from api.pages.chat import STATIC
from api.v1.commerce.storefront import CatalogCache
from core.context import set_context
from core.db import Database, is_sqlite
from core.jobs import stop_in_process_consumer
from core.settings import Settings, get_settings
from rag.runtime import close_runtime, get_runtime
from wiring import install, start_in_process

log = logging.getLogger("academy.api")

DESCRIPTION = """Academy's HTTP API. Authenticate with `Authorization: Bearer <token>`, where the token is
a session token from `POST /v1/auth/login` or a store API key (`acd_…`). Errors are RFC 9457 problem
documents. Creating writes accept an `Idempotency-Key` header; list endpoints page with `cursor`."""


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    run_jobs: bool | None = None,
    runs: RunManager | None = None,
) -> FastAPI:
    """Build the app. Jobs run in-process by default on the embedded stack (no Redis URL). Agent runs
    execute in this process; tests pass their own `RunManager` (a scripted model)."""
    settings = settings or get_settings()
    context = set_context(settings, db)
    install(settings)  # the same jobs and listeners as `academy worker` (wiring)
    in_process_jobs = (settings.redis_url is None) if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = None
        if in_process_jobs:
            consumer = start_in_process(settings.jobs_workers)
        manager = runs or build_run_manager(settings, context.db, lambda: get_runtime(settings))
        app.state.runs = manager
        if is_sqlite(context.db.url):  # one process owns an embedded database; with PostgreSQL others may be running
            manager.recover()
        manager.start_background()  # heartbeats for our runs; fails the runs of instances that died
        try:
            async with mcp.running():  # the MCP SDK's session manager lives as long as the app
                yield
        finally:
            manager.shutdown(settings.runs_drain_seconds)  # after uvicorn has drained the open streams
            if runs is None:
                manager.close()
            if consumer is not None:
                stop_in_process_consumer(consumer)
            close_runtime()

    app = FastAPI(title="Academy", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    mcp = McpEndpoint(
        AcademyMCP(context.db, settings, lambda: app.state.runs.deps.registry, lambda: app.state.runs.deps.retrieval()),
        context.db,
        settings,
        context.limiter,
    )
    app.router.routes.append(Route("/mcp", mcp, methods=["GET", "POST", "DELETE"]))
    app.state.context = context
    app.state.catalog_cache = CatalogCache()
    problems.install(app)
    # Outermost last: every answer carries the security headers, refusals included.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes)
    app.add_middleware(
        Admission,
        max_active=settings.max_concurrent_requests,
        max_queued=settings.max_queued_requests,
        queue_timeout=settings.queue_timeout_seconds,
    )
    app.add_middleware(SecurityHeaders, https=settings.https)
    for router in (health.router, *v1.ROUTERS, *(page.router for page in PAGES)):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    openapi.install(app, [health.router, *v1.ROUTERS])  # pages are not in the document
    return app
