"""The FastAPI application: routers, error handlers, request context, operations endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from omnicase import __version__, web
from omnicase.api import (
    attachments,
    audit,
    cases,
    channel_accounts,
    consistency,
    csat,
    customers,
    engagements,
    errors,
    events,
    inbox,
    jobs,
    kpis,
    macros,
    messages,
    operations,
    privacy,
    qa,
    replies,
    reports,
    routing,
    sla,
    wfm,
    wfm_plan,
    wfm_scenario,
)
from omnicase.api.middleware import RequestContext
from omnicase.api.ratelimit import RateLimit, document_rate_limits, make_limiter
from omnicase.channels.chat import routes as chat_routes
from omnicase.channels.email import routes as email_routes
from omnicase.channels.meta import routes as meta_routes
from omnicase.channels.phone import routes as phone_routes
from omnicase.channels.sms import routes as sms_routes
from omnicase.channels.webform import routes as webform_routes
from omnicase.channels.x import routes as x_routes
from omnicase.config import Settings, load_settings
from omnicase.logs import configure_logging
from omnicase.quality.csat import web as csat_web
from omnicase.services.live import Hub
from omnicase.store.db import Database


def create_app(db: Database | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    db = db or Database(settings.database_url)
    hub = Hub(db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """The process's event listener lives as long as the app: streams need it."""
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="omnicase",
        version=__version__,
        description="One case per customer request, whatever the channel. "
        "Authenticate with `Authorization: Bearer <token>` (`omnicase tokens create`).",
    )
    app.state.db = db
    app.state.settings = settings
    app.state.live = hub
    errors.install(app)
    app.add_middleware(
        RateLimit,
        limiter=make_limiter(settings.rate_limit_backend, db),
        per_token=settings.rate_limit_per_token,
        per_ip=settings.rate_limit_per_ip,
    )
    app.add_middleware(RequestContext)
    document_rate_limits(app)
    app.include_router(messages.router)
    app.include_router(cases.router)
    app.include_router(customers.router)
    app.include_router(privacy.router)
    app.include_router(audit.router)
    app.include_router(operations.router)
    app.include_router(jobs.router)
    app.include_router(events.router)
    app.include_router(wfm.router)
    app.include_router(routing.router)
    app.include_router(engagements.router)
    app.include_router(channel_accounts.router)
    app.include_router(inbox.router)
    app.include_router(consistency.router)
    app.include_router(replies.router)
    app.include_router(macros.router)
    app.include_router(attachments.router)
    app.include_router(email_routes.router)
    app.include_router(wfm_plan.router)
    app.include_router(sla.router)
    app.include_router(meta_routes.router)
    app.include_router(sms_routes.router)
    app.include_router(phone_routes.router)
    app.include_router(x_routes.router)
    app.include_router(wfm_scenario.router)
    app.include_router(chat_routes.router)
    app.include_router(webform_routes.router)
    app.include_router(csat.router)
    app.include_router(qa.router)
    app.include_router(csat_web.router)
    app.include_router(reports.router)
    app.include_router(kpis.router)
    app.include_router(web.router)
    web.install(app)
    return app


def app_from_settings() -> FastAPI:
    """Factory for process managers that start the app in each web process
    (``uvicorn omnicase.api.app:app_from_settings --factory --workers N``): every process
    validates the settings and sets up logging itself, as none inherits the parent's."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(Database(settings.database_url), settings)
