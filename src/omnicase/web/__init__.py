"""The web app: server-rendered pages (Jinja2 + HTMX, no build step) for agents,
supervisors and planners, on the same services and access rule as the API.

``install(app)`` mounts it: the pages' router, ``/static``, the security headers and
the handlers that turn "not logged in" into a redirect and page errors into pages.
Screens add their router to :data:`router` below.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from omnicase.web import (
    composer,
    pages_auth,
    pages_case,
    pages_inbox,
    pages_reply,
    planner,
    quality,
    supervisor,
)
from omnicase.web.errors import install_handlers
from omnicase.web.headers import SecurityHeaders

STATIC_PACKAGE = ("omnicase.web", "static")

router = APIRouter(include_in_schema=False)
router.include_router(pages_auth.router)
router.include_router(pages_inbox.router)
router.include_router(pages_case.router)
router.include_router(pages_reply.router)
router.include_router(composer.router)
router.include_router(supervisor.router)
router.include_router(planner.router)
router.include_router(quality.router)


def install(app: FastAPI) -> None:
    """Everything but the router (``app.include_router(web.router)`` stays visible in
    api/app.py): static files, headers, handlers."""
    app.mount("/static", StaticFiles(packages=[STATIC_PACKAGE]), name="static")
    app.add_middleware(SecurityHeaders)
    install_handlers(app)
