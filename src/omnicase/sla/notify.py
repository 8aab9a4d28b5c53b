"""``sla.notify``: tell a case's supervisors that it is at risk or breached.

The notification itself is the ``sla.notification`` event written with the transition
(live stream and audit log). This job is the email. There is no outbound SMTP setting
in omnicase yet (the email channel brings it): until there is, the job records that the
mail was not sent and why (a ``sla.notification_recorded`` event), rather than pretend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from omnicase.jobs import JobContext, RetryPolicy, job
from omnicase.model import Event, User
from omnicase.model.base import utcnow
from omnicase.sla.track import event_row


def outbound_mail_setting(settings: Any) -> str | None:
    """The outbound SMTP host, once settings have one (``smtp_host``)."""
    host = getattr(settings, "smtp_host", None)
    return host if isinstance(host, str) and host else None


@job(
    "sla.notify",
    queue="sla",
    retry=RetryPolicy(max_attempts=5, backoff=30),
    lock=lambda kw: f"sla.notify:{kw.get('case_id')}",
)
def sla_notify_job(
    ctx: JobContext,
    brand_id: int,
    case_id: int,
    users: list[int],
    clock: str,
    stage: str,
    due: str,
    **_: Any,
) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        emails = list(
            session.scalars(select(User.email).where(User.id.in_(users), User.active.is_(True)))
        )
        host = outbound_mail_setting(ctx.settings)
        data: dict[str, Any] = {
            "clock": clock,
            "stage": stage,
            "due": due,
            "users": users,
            "recipients": len(emails),
            "sent": False,
        }
        if host is None:
            data["reason"] = "no outbound SMTP setting: notification recorded, no mail sent"
        else:
            data["reason"] = "outbound email is not wired to SLA notifications yet"
        session.add(
            Event(**event_row(brand_id, case_id, "sla.notification_recorded", utcnow(), data))
        )
    return data
