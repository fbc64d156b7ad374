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
from api import openapi, problems
from api.admission import Admission
from api.headers import SecurityHeaders
from api.limits import BodySizeLimit
from api.mcp_http import McpEndpoint
from api.mcp_server import AcademyMCP
from api.routers import (
    artifacts,
    auth,
    bookings,
    broadcasts,
    checkout_pages,
    contacts,
    dev_mailbox,
    health,
    insights,
    invitations,
    learning,
    mail_segments,
    mail_templates,
    mail_webhooks,
    mail_workflows,
    openai_compat,
    order_pages,
    pages,
    payment_events,
    payments,
    products,
    retrieval,
    run_previews,
    signups,
    store_page,
    storefront,
    stores,
    subscriptions,
    unsubscribe,
)
from api.routers import courses as course_routes
from api.routers import runs as run_routes
from api.routers import tools as tool_routes
from api.routers.pages import STATIC
from commerce import tasks as commerce_tasks
from core import webhooks
from core.context import set_context
from core.db import Database, is_sqlite
from core.jobs import configure_jobs, start_in_process_consumer, stop_in_process_consumer
from core.settings import Settings, get_settings
from courses import tasks as course_tasks
from ingestion import tasks as ingestion_tasks
from mail import tasks as mail_tasks
from rag.runtime import close_runtime, get_runtime
from tools import media_tasks

log = logging.getLogger("academy.api")
TASK_MODULES = (
    course_tasks,
    ingestion_tasks,
    commerce_tasks,
    mail_tasks,
    media_tasks,
    webhooks,
)  # imported so their jobs are registered with the queue

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
    configure_jobs(settings)
    ingestion_tasks.install()
    in_process_jobs = (settings.redis_url is None) if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = None
        if in_process_jobs:
            consumer = start_in_process_consumer(settings.jobs_workers)
            ingestion_tasks.resume_after_restart()
            mail_tasks.start_pumping()  # the send queue, every few seconds (the watchdog restarts it)
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
    app.state.catalog_cache = storefront.CatalogCache()
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
    modules = (
        health,
        auth,
        stores,
        invitations,
        course_routes,
        learning,
        artifacts,
        insights,
        storefront,
        products,
        bookings,
        payments,
        payment_events,
        subscriptions,
        mail_webhooks,
        contacts,
        mail_templates,
        mail_segments,
        mail_workflows,
        broadcasts,
        unsubscribe,
        signups,
        checkout_pages,
        store_page,
        order_pages,
        dev_mailbox,
        retrieval,
        run_routes,
        run_previews,
        tool_routes,
        openai_compat,
        pages,
    )
    for module in modules:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    openapi.install(app, [module.router for module in modules])
    return app
