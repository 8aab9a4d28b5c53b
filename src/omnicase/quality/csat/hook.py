"""Survey answers that arrive as messages (chat, SMS, WhatsApp, Messenger, an email reply).

Runs inside the ingestion batch's transaction once it is written, before routing and SLA
clocks: one indexed lookup (``surveys (customer_id, status)``) for the batch's inbound
senders. A message from a customer with a sent, unanswered survey that parses as a rating
is the answer: the case the survey is about stays resolved (the reopening the message
caused is undone, or the fresh case it opened is folded into the surveyed one), and it is
not routed. Anything else is an ordinary message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from omnicase.ingest.quotes import strip_quoted
from omnicase.model import Case, CaseStatus, Message, Survey, SurveyStatus
from omnicase.quality.csat.parse import parse_rating
from omnicase.quality.csat.service import do_answer_survey
from omnicase.services.cases import recompute_case, record_event


class BatchView(Protocol):
    created_cases: list[int]
    reopened: set[int]
    now: datetime


def on_ingested(conn: Connection, rows: Sequence[Mapping[str, Any]], batch: BatchView) -> int:
    """Record the ratings among the just-written ``rows``; how many were answers."""
    inbound = [r for r in rows if r["direction"] == "inbound" and r.get("text")]
    if not inbound:
        return 0
    customers = {r["customer_id"] for r in inbound}
    with Session(bind=conn) as session:
        surveys = {
            s.customer_id: s
            for s in session.scalars(
                select(Survey).where(
                    Survey.customer_id.in_(customers), Survey.status == SurveyStatus.sent
                )
            )
        }
        if not surveys:
            return 0
        answered = 0
        created = set(batch.created_cases)
        for row in inbound:
            survey = surveys.get(row["customer_id"])
            if survey is None or survey.status != SurveyStatus.sent:
                continue
            if survey.sent_at is not None and row["received_at"] < survey.sent_at:
                continue
            on_case = row["case_id"] == survey.case_id
            fresh = row["case_id"] in created and row["channel"] == survey.channel
            if not (on_case or fresh):
                continue  # the customer wrote about another open request
            rating, comment = parse_rating(strip_quoted(row["text"]))  # the email's quote cut
            if rating is None:
                continue
            _keep_resolved(session, survey, row, fresh and not on_case, batch)
            do_answer_survey(
                session,
                survey,
                rating,
                comment,
                row["received_at"],
                message_id=row["id"],
                via=row["channel"],
            )
            answered += 1
        session.flush()
    return answered


def _keep_resolved(
    session: Session, survey: Survey, row: Mapping[str, Any], fresh: bool, batch: BatchView
) -> None:
    case = session.get(Case, survey.case_id)
    assert case is not None
    if fresh:
        # the rating opened a case of its own: it belongs on the surveyed case
        new = session.get(Case, row["case_id"])
        message = session.get(Message, row["id"])
        assert new is not None and message is not None
        message.case_id = case.id
        message.link_rule = "csat_answer"
        session.flush()
        recompute_case(session, new)
        new.merged_into_id = case.id
        new.status = CaseStatus.closed
        new.closed_at = batch.now
        batch.created_cases.remove(new.id)
        recompute_case(session, case)
    if case.status not in (CaseStatus.resolved, CaseStatus.closed):
        before = survey.meta or {}
        case.status = before.get("case_status") or CaseStatus.resolved
        resolved = before.get("resolved_at")
        case.resolved_at = datetime.fromisoformat(resolved) if resolved else batch.now
        batch.reopened.discard(case.id)
        record_event(
            session,
            "case.updated",
            brand_id=case.brand_id,
            case_id=case.id,
            message_id=row["id"],
            data={
                "changes": {"status": [CaseStatus.open.value, case.status]},
                "rule": "csat_answer",
            },
        )
    message = session.get(Message, row["id"])
    if message is not None:
        message.link_rule = "csat_answer"
