"""Which waiting case goes first: the one place that orders cases by urgency.

Higher priority first (urgency signals, VIP rules and the SLA's ``raise_priority``
escalation set it: a case at risk can jump the line that way); within a priority, the case
whose next answer is due soonest (its SLA clock: the next response if one is owed, else the
first response), so push and pull both serve the case closest to breaching, and cases with
no objective running after those; then the customer who has waited longest (first inbound
message), then the older case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, type_coerce

from omnicase.model import Case
from omnicase.model.base import UTCDateTime
from omnicase.routing.rules import CaseFacts


def urgency_key(facts: CaseFacts) -> tuple[int, bool, datetime, datetime, int]:
    """Sort key, smallest = most urgent."""
    waited = facts.first_inbound_at or facts.created_at
    due = facts.response_due_at
    return (-facts.priority, due is None, due or waited, waited, facts.id)


def response_due() -> ColumnElement[Any]:
    """The SQL twin of :attr:`CaseFacts.response_due_at`."""
    # typed, so SQLite hands back aware datetimes as for the columns themselves
    return type_coerce(
        func.coalesce(Case.next_response_due_at, Case.first_response_due_at), UTCDateTime()
    )


def urgency_order() -> list[ColumnElement[Any]]:
    """The same order in SQL (pull mode's ``ORDER BY``)."""
    due = response_due()
    return [
        Case.priority.desc(),
        case((due.is_(None), 1), else_=0).asc(),
        due.asc(),
        func.coalesce(Case.first_inbound_at, Case.created_at).asc(),
        Case.id.asc(),
    ]
