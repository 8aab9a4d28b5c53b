"""Which waiting case goes first: the one place that orders cases by urgency.

Today: higher priority first, then the customer who has waited longest (first inbound
message). The SLA engine (``omnicase.sla``, migration 0008) will put the case's next due
time (``cases.first_response_due_at`` …) first in both the key and the SQL order here, so
push and pull both serve the case closest to breaching; nothing else needs to change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func

from omnicase.model import Case
from omnicase.routing.rules import CaseFacts


def urgency_key(case: CaseFacts) -> tuple[int, datetime, int]:
    """Sort key, smallest = most urgent."""
    return (-case.priority, case.first_inbound_at or case.created_at, case.id)


def urgency_order() -> list[ColumnElement[Any]]:
    """The same order in SQL (pull mode's ``ORDER BY``)."""
    return [
        Case.priority.desc(),
        func.coalesce(Case.first_inbound_at, Case.created_at).asc(),
        Case.id.asc(),
    ]
