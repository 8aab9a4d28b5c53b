"""Every route of the application, flattened (FastAPI ≥ 0.165 nests included routers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, WebSocketRoute


@dataclass(frozen=True)
class RouteInfo:
    path: str
    method: str  # GET, POST, … or WS
    name: str
    endpoint: Any

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return [p.strip("{}").split(":")[0] for p in self.path.split("/") if p.startswith("{")]


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _walk(route.effective_candidates())
        else:
            yield route


def all_routes(app: FastAPI) -> list[RouteInfo]:
    out: list[RouteInfo] = []
    for route in _walk(list(app.routes)):
        original: BaseRoute = getattr(route, "original_route", route)
        path = str(getattr(route, "path", "") or getattr(original, "path", ""))
        name = str(getattr(route, "name", "") or getattr(original, "name", ""))
        endpoint = getattr(route, "endpoint", getattr(original, "endpoint", None))
        if isinstance(original, WebSocketRoute) or "websocket" in type(original).__name__.lower():
            out.append(RouteInfo(path, "WS", name, endpoint))
            continue
        methods = getattr(route, "methods", None) or getattr(original, "methods", None) or set()
        for method in sorted(set(methods) - {"HEAD"}):
            out.append(RouteInfo(path, method, name, endpoint))
    return sorted(set(out), key=lambda r: (r.path, r.method))
