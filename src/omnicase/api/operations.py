"""Operations endpoints, unauthenticated by design (probes and scrapers carry no token;
expose them to the load balancer and Prometheus only): ``/healthz``, ``/readyz``,
``/metrics``."""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from omnicase import metrics
from omnicase.api.deps import get_db
from omnicase.store.migrate import current_revision, head_revision

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> dict[str, str | int]:
    """Liveness: the process answers. Never touches the database, so a database outage
    does not get every web process restarted. ``pid`` says which web process answered."""
    return {"status": "ok", "pid": os.getpid()}


@router.get("/readyz", responses={503: {"description": "not ready; the reason says why"}})
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at the code's newest migration."""
    db = get_db(request)
    head = head_revision()
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.rollback()
        current = current_revision(db)
    except SQLAlchemyError as exc:
        log.warning("readyz: database unreachable (%s)", type(exc).__name__)
        return _not_ready(f"database unreachable ({type(exc).__name__})")
    if current != head:
        return _not_ready(
            f"migrations not current: database at {current or 'no revision'}, code at {head}"
            " (run omnicase db upgrade)",
            database_revision=current,
            code_revision=head,
        )
    return JSONResponse({"status": "ready", "revision": head})


def _not_ready(reason: str, **more: Any) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason, **more}, status_code=503)


@router.get("/metrics", response_class=Response)
def prometheus(request: Request) -> Response:
    """Prometheus text exposition (see :mod:`omnicase.metrics`)."""
    return Response(metrics.render(get_db(request)), media_type=metrics.CONTENT_TYPE)
