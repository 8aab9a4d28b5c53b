"""Routing: queues, overflow to providers, assignment to agents (push and pull).

The ingestion pipeline calls :func:`route_new_cases` once per batch, in the batch's
transaction, after its writes. Decisions are events with what was tried (see
:mod:`omnicase.routing.router`); ``omnicase routing explain REF`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from omnicase.routing.router import RoutingOutcome, route_cases
from omnicase.routing.urgency import urgency_key


def route_new_cases(
    bind: Connection | Session,
    case_ids: Iterable[int],
    now: datetime,
    *,
    changed: Iterable[int] = (),
    reopened: Iterable[int] = (),
) -> RoutingOutcome:
    """Route a batch's new cases (``arrival``), the cases whose reason changed
    (``reason_changed``: they may move queue) and the reopened ones (``reopened``: their
    agent may be away or full by now), set-based, in the caller's transaction."""
    conn = bind.connection() if isinstance(bind, Session) else bind
    new = list(case_ids)
    causes = dict.fromkeys(reopened, "reopened")
    causes.update(dict.fromkeys(changed, "reason_changed"))
    for case_id in new:
        causes.pop(case_id, None)
    return route_cases(conn, [*new, *causes], now, causes=causes)


__all__ = ["RoutingOutcome", "route_cases", "route_new_cases", "urgency_key"]
