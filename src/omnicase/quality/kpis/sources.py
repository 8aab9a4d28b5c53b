"""The KPI components other quality modules own: satisfaction surveys, consistency and QA
reviews, registered as extra sources of the roll-ups (docs/kpis.md, "CSAT, consistency,
QA"). Each yields ``(case_id, components)`` for what happened in ``[start, end)``; the
roll-up adds them to that case's breakdown row of that day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.orm import aliased

from omnicase.model import Inconsistency, Message, QaReview, Survey, SurveyStatus
from omnicase.quality.kpis.definitions import ExtraSource, register_extra_source

SENT = (SurveyStatus.sent, SurveyStatus.answered, SurveyStatus.expired)


def csat_components(
    conn: Connection, brand_id: int, start: datetime, end: datetime
) -> Iterable[tuple[int, Mapping[str, float]]]:
    """Surveys sent in the period (by their case): sent, answered, sum of ratings."""
    rows = conn.execute(
        select(Survey.case_id, Survey.status, Survey.rating).where(
            Survey.brand_id == brand_id,
            Survey.status.in_([s.value for s in SENT]),
            Survey.sent_at >= start,
            Survey.sent_at < end,
        )
    )
    for case_id, status, rating in rows:
        answered = status == SurveyStatus.answered and rating is not None
        yield (
            case_id,
            {
                "csat_surveys_sent": 1,
                "csat_responses": int(answered),
                "csat_sum": float(rating or 0) if answered else 0.0,
            },
        )


def consistency_components(
    conn: Connection, brand_id: int, start: datetime, end: datetime
) -> Iterable[tuple[int, Mapping[str, float]]]:
    """Agents' answers sent in the period in requests answered more than once (ever), and
    those of them with a confirmed inconsistency (docs/consistency.md)."""
    answers = and_(
        Message.brand_id == brand_id,
        Message.direction == "outbound",
        Message.author_user_id.is_not(None),
        Message.case_id.is_not(None),
    )
    in_period = and_(answers, Message.received_at >= start, Message.received_at < end)
    # "answered more than once, ever" asked per case of the period (an index lookup on
    # ix_messages_case_received each), not of every answer of the brand
    other = aliased(Message)
    answers_ever = (
        select(func.count())
        .where(
            other.case_id == Message.case_id,
            other.direction == "outbound",
            other.author_user_id.is_not(None),
        )
        .correlate(Message)
        .scalar_subquery()
    )
    confirmed = select(Inconsistency.message_id).where(
        Inconsistency.brand_id == brand_id,
        Inconsistency.status == "confirmed",
        Inconsistency.message_id.is_not(None),
    )
    rows = conn.execute(
        select(
            Message.case_id,
            func.count(),
            func.sum(case((Message.id.in_(confirmed), 1), else_=0)),
        )
        .where(in_period)
        .group_by(Message.case_id)
        .having(answers_ever > 1)
    )
    for case_id, checked, inconsistent in rows:
        yield (
            case_id,
            {"consistency_checked": checked, "consistency_inconsistent": inconsistent or 0},
        )


def qa_components(
    conn: Connection, brand_id: int, start: datetime, end: datetime
) -> Iterable[tuple[int, Mapping[str, float]]]:
    """QA reviews made in the period: how many and the sum of their weighted totals."""
    rows = conn.execute(
        select(QaReview.case_id, func.count(), func.sum(QaReview.total))
        .where(
            QaReview.brand_id == brand_id,
            QaReview.created_at >= start,
            QaReview.created_at < end,
        )
        .group_by(QaReview.case_id)
    )
    for case_id, n, total in rows:
        yield case_id, {"qa_reviews": n, "qa_score_sum": float(total or 0.0)}


SOURCES = (
    ExtraSource("csat", ("csat_surveys_sent", "csat_responses", "csat_sum"), csat_components),
    ExtraSource(
        "consistency",
        ("consistency_checked", "consistency_inconsistent"),
        consistency_components,
    ),
    ExtraSource("qa", ("qa_reviews", "qa_score_sum"), qa_components),
)

for _source in SOURCES:
    register_extra_source(_source)
