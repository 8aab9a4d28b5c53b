"""One logging setup for ``omnicase serve`` and the CLI: JSON lines (or text) on stderr,
the request id on every line of a request, and a safety net that masks email addresses
and phone numbers, so personal data never reaches the logs by accident.

Code logs ids, not content: ``log.info("case reopened", extra={"case_id": 12, "brand":
"acme"})``. The mask is the last line of defence, not the policy.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

#: The current request's id (set by :class:`omnicase.api.middleware.RequestContext`).
request_id_var: ContextVar[str | None] = ContextVar("omnicase_request_id", default=None)

#: Context a log call may pass in ``extra``; anything else given there is not printed.
EXTRA_FIELDS = (
    "case_id",
    "brand",
    "message_id",
    "customer_id",
    "method",
    "route",
    "status",
    "duration_ms",
)

# Both patterns only start where a token starts (the look-behinds), which keeps them
# linear on long runs of digits or word characters (a log line must never hang on a regex).
EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone-like run: optional +, then digits with spaces, dots, dashes or brackets between.
PHONE_RE = re.compile(r"(?<![\w.+-])\+?\(?\d(?:[\d\s().-]*\d)?(?![\w-])")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
IPV4_RE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
EMAIL_MASK = "<email>"
PHONE_MASK = "<phone>"


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if digits < 8 or digits > 15 or DATE_RE.search(text) or IPV4_RE.fullmatch(text):
        return text
    return PHONE_MASK


def mask_personal_data(text: str) -> str:
    """Email addresses and phone-number-like strings (8-15 digits) replaced by markers;
    dates and IPv4 addresses are left alone."""
    if "@" in text:
        text = EMAIL_RE.sub(EMAIL_MASK, text)
    return PHONE_RE.sub(_phone, text)


class RedactFilter(logging.Filter):
    """Masks personal data in the message (after %-formatting) of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


class ContextFilter(logging.Filter):
    """Puts the current request id on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, request_id, context."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exception"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines for a terminal; the same fields as the JSON lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(
            f"{n}={getattr(record, n)}"
            for n in EXTRA_FIELDS
            if getattr(record, n, None) is not None
        )
        return f"{line} {context}" if context else line

    def formatException(self, ei: Any) -> str:
        return mask_personal_data(super().formatException(ei))


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def make_handler(fmt: str = "json") -> logging.Handler:
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    handler.set_name("omnicase")
    return handler


def configure_logging(level: str = "INFO", fmt: str = "json") -> logging.Handler:
    """Install omnicase's handler on the root logger (replacing an earlier one, leaving
    other handlers alone); uvicorn's loggers propagate to it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "omnicase"]:
        root.removeHandler(old)
    handler = make_handler(fmt)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv = logging.getLogger(name)
        uv.handlers.clear()
        uv.propagate = True
    # Alembic narrates every step at INFO (plugins, DDL mode, each revision): the
    # commands say what they did themselves; its warnings still show.
    logging.getLogger("alembic").setLevel(max(logging.getLevelName(level), logging.WARNING))
    return handler


def new_request_id(given: str | None) -> str:
    """The caller's X-Request-ID when it is a sane token, otherwise a new one."""
    if given and len(given) <= 128 and re.fullmatch(r"[A-Za-z0-9._:-]+", given):
        return given
    return uuid.uuid4().hex
