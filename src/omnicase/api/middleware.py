"""Per-request context: the request id (the caller's ``X-Request-ID`` or a new one, sent
back in the response and put on every log line of the request), one access log line and
the latency histogram, both by route template rather than raw path.

A plain ASGI middleware (not ``BaseHTTPMiddleware``) so the context variable is the same
one the endpoint's code sees, and streamed responses are not buffered.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omnicase.logs import new_request_id, request_id_var
from omnicase.metrics import observe_request
from omnicase.services.audit import request_origin

log = logging.getLogger("omnicase.access")
HEADER = b"x-request-id"
UNMATCHED = "<unmatched>"
#: Probes and scrapes come every few seconds: their access lines are DEBUG, not INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def route_template(scope: Scope) -> str:
    """``/api/v1/cases/{reference}``, never ``/api/v1/cases/AC-000123``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(HEADER)
        request_id = new_request_id(given.decode("latin-1") if given else None)
        token = request_id_var.set(request_id)
        client = scope.get("client")
        agent = dict(scope.get("headers") or []).get(b"user-agent", b"")
        origin = request_origin.set(
            (str(client[0]) if client else None, agent.decode("latin-1")[:300] or None)
        )
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k != HEADER]
                message["headers"] = [*headers, (HEADER, request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # logged here too, so the traceback carries the request id
            log.exception("unhandled error", extra={"route": route_template(scope)})
            raise
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = str(scope.get("method", ""))
            observe_request(route, method, status, seconds)
            log.log(
                logging.DEBUG if route in QUIET_ROUTES else logging.INFO,
                "%s %s %d",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            request_id_var.reset(token)
            request_origin.reset(origin)
