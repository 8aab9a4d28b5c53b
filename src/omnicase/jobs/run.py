"""What both backends do around a job function: check kwargs, call it, describe errors."""

from __future__ import annotations

import json
import traceback
from collections.abc import Mapping
from typing import Any

from omnicase.jobs.registry import JobContext, JobSpec

MAX_ERROR = 4000


def check_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Kwargs are stored as JSON: refuse anything that would not come back the same."""
    try:
        text = json.dumps(dict(kwargs), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"job kwargs must be JSON-serialisable: {exc}") from exc
    back: dict[str, Any] = json.loads(text)
    return back


def brand_of(kwargs: Mapping[str, Any]) -> int | None:
    """A job about one brand carries ``brand_id``; that brand's admins may see it."""
    value = kwargs.get("brand_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def run_job(spec: JobSpec, ctx: JobContext, kwargs: Mapping[str, Any]) -> Any:
    return spec.fn(ctx, **kwargs)


def describe_error(exc: BaseException) -> str:
    """``Type: message`` and the innermost frames, bounded (shown in the dead-letter list)."""
    head = f"{type(exc).__name__}: {exc}"
    frames = traceback.format_tb(exc.__traceback__)[-3:]
    text = head + ("\n" + "".join(frames) if frames else "")
    return text[:MAX_ERROR]
