"""The escalation steps of an SLA policy as the policy form shows them: one row a step
(``esc-N-on``, ``esc-N-action``, ``esc-N-clocks``, ``esc-N-priority``, ``esc-N-roles``,
``esc-N-users``, ``esc-N-queue``, ``esc-N-team``).

Rows left empty are dropped, so the service's ``escalations[i]`` is the i-th row shown
again after a refusal, and its error goes next to that row. People are typed by email
(what a supervisor knows) and stored by id (what the service keeps); an email that is not
a user of the brand is refused here, on its row, before the service is asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from omnicase.model import Engagement, RoutingQueue, SlaPolicy, Team, User
from omnicase.services.cases import ActionError
from omnicase.sla.clock import AT_RISK, BREACHED, CLOCKS
from omnicase.sla.escalations import ACTIONS, MAX_PRIORITY
from omnicase.web.supervisor.config import _int_or_text, _words

#: Empty rows offered on a new policy (one under the steps of an existing one).
BLANK_ROWS = 2
TEXT_FIELDS = ("on", "action", "priority", "roles", "users", "queue", "team")
_ROW = re.compile(r"^esc-(\d+)-")
_STEP_FIELD = re.compile(r"^escalations\[(\d+)\]")


def blank_row() -> dict[str, Any]:
    return {**dict.fromkeys(TEXT_FIELDS, ""), "clocks": []}


def rows_from_policy(session: Session, policy: SlaPolicy) -> list[dict[str, Any]]:
    steps = list(policy.escalations or [])
    ids = {u for step in steps for u in step.get("users", ())}
    emails = (
        dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    rows = []
    for step in steps:
        row = blank_row()
        row.update(
            on=step.get("on", ""),
            action=step.get("action", ""),
            clocks=list(step.get("clocks", ())),
            priority="" if step.get("priority") is None else str(step["priority"]),
            roles=", ".join(step.get("roles", ())),
            users=", ".join(emails.get(u, str(u)) for u in step.get("users", ())),
            queue=step.get("queue", ""),
            team="" if step.get("team_id") is None else str(step["team_id"]),
        )
        rows.append(row)
    return rows


def rows_from_form(form: FormData) -> list[dict[str, Any]]:
    """The rows as typed, empty ones left out, in the order shown."""
    numbers = sorted({int(m.group(1)) for key in form if (m := _ROW.match(key))})
    rows = []
    for n in numbers:
        row = blank_row()
        for name in TEXT_FIELDS:
            row[name] = str(form.get(f"esc-{n}-{name}") or "").strip()
        row["clocks"] = [str(c) for c in form.getlist(f"esc-{n}-clocks")]
        if any(row[name] for name in TEXT_FIELDS) or row["clocks"]:
            rows.append(row)
    return rows


def read_steps(session: Session, brand_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The service's shape; options left empty are not sent (the service says which
    option does not belong to the chosen action)."""
    steps = []
    for i, row in enumerate(rows):
        step: dict[str, Any] = {"on": row["on"] or None, "action": row["action"] or None}
        if row["clocks"]:
            step["clocks"] = row["clocks"]
        if row["priority"]:
            step["priority"] = _int_or_text(row["priority"])
        if row["roles"]:
            step["roles"] = _words(row["roles"])
        if row["users"]:
            step["users"] = _user_ids(session, brand_id, _words(row["users"]), i)
        if row["queue"]:
            step["queue"] = row["queue"]
        if row["team"]:
            step["team_id"] = _int_or_text(row["team"])
        steps.append(step)
    return steps


def _user_ids(session: Session, brand_id: int, emails: list[str], row: int) -> list[int]:
    lowered = [e.lower() for e in emails]
    found = dict(
        session.execute(
            select(User.email, User.id).where(
                User.organisation_id == brand_id, User.email.in_(lowered)
            )
        ).all()
    )
    for email in lowered:
        if email not in found:
            raise ActionError(
                f"{email}: no user of this brand has this email",
                field=f"escalations[{row}].users",
                status=422,
            )
    return [found[e] for e in lowered]


def step_errors(field: str | None, message: str) -> dict[str, str] | None:
    """``escalations[1].priority`` → ``{"esc-1": message}``; ``escalations`` (no row) →
    ``{"escalations": message}``; any other field: ``None`` (not the steps')."""
    if not field or not field.startswith("escalations"):
        return None
    found = _STEP_FIELD.match(field)
    return {f"esc-{found.group(1)}" if found else "escalations": message}


def step_choices(session: Session, brand_id: int) -> Mapping[str, Any]:
    """What the rows' selects offer: the brand's queues, its own teams and the provider
    teams engaged on it."""
    queues = session.execute(
        select(RoutingQueue.key, RoutingQueue.name)
        .where(RoutingQueue.brand_id == brand_id)
        .order_by(RoutingQueue.position)
    ).all()
    engaged = select(Engagement.team_id).where(Engagement.brand_id == brand_id)
    teams = session.execute(
        select(Team.id, Team.name)
        .where(or_(Team.organisation_id == brand_id, Team.id.in_(engaged)))
        .order_by(Team.name)
    ).all()
    return {
        "stages": (AT_RISK, BREACHED),
        "actions": ACTIONS,
        "clocks": CLOCKS,
        "priorities": [(str(p), str(p)) for p in range(MAX_PRIORITY + 1)],
        "queues": [(str(k), str(n)) for k, n in queues],
        "teams": [(str(i), str(n)) for i, n in teams],
        "blank": BLANK_ROWS,
        "blank_row": blank_row(),
    }
