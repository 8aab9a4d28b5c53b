"""The FastAPI application: routers, error handlers, health endpoints."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text

from omnicase import __version__
from omnicase.api import audit, cases, customers, errors, jobs, messages
from omnicase.config import load_settings
from omnicase.store.db import Database


def create_app(db: Database | None = None) -> FastAPI:
    db = db or Database(load_settings().database_url)
    app = FastAPI(
        title="omnicase",
        version=__version__,
        description="One case per customer request, whatever the channel. "
        "Authenticate with `Authorization: Bearer <token>` (`omnicase tokens create`).",
    )
    app.state.db = db
    errors.install(app)
    app.include_router(messages.router)
    app.include_router(cases.router)
    app.include_router(customers.router)
    app.include_router(audit.router)
    app.include_router(jobs.router)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz() -> dict[str, str]:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ready"}

    return app
