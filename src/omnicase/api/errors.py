"""One error shape for every 4xx: ``{"detail": "...", "errors": [{"field", "reason"}]}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from omnicase.api.schemas import ErrorBody
from omnicase.ingest.schema import format_validation_error
from omnicase.services.cases import ActionError

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or invalid API token"},
    403: {"model": ErrorBody, "description": "your role or organisation may not do this"},
    422: {"model": ErrorBody, "description": "invalid input; each field and why"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "no such object, or not visible to you"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "refused in the current state (the reason says why)"},
}


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = format_validation_error(exc)
        fields = ", ".join(e["field"] for e in errors[:5])
        return JSONResponse(
            status_code=422,
            content={"detail": f"invalid input: {fields}", "errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        body: dict[str, Any] = (
            dict(exc.detail) if isinstance(exc.detail, dict) else {"detail": exc.detail}
        )
        body.setdefault("errors", [])
        return JSONResponse(
            status_code=exc.status_code, content=body, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(OverflowError)
    async def _overflow(_: Request, exc: OverflowError) -> JSONResponse:
        """An id or number past what the database stores (found by fuzzing the API:
        ``/customers/99999999999999999999`` was a 500 on SQLite)."""
        return JSONResponse(
            status_code=422,
            content={"detail": "a number is out of range", "errors": []},
        )

    @app.exception_handler(DataError)
    async def _data_error(_: Request, exc: DataError) -> JSONResponse:
        """PostgreSQL's refusal of an out-of-range value: bad input, not a server error."""
        return JSONResponse(
            status_code=422,
            content={"detail": "a value is out of range for the database", "errors": []},
        )

    @app.exception_handler(ActionError)
    async def _action(_: Request, exc: ActionError) -> JSONResponse:
        errors = [{"field": exc.field, "reason": str(exc)}] if exc.field else []
        return JSONResponse(status_code=exc.status, content={"detail": str(exc), "errors": errors})
