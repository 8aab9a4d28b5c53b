"""CSAT, consistency and QA reach the KPI roll-ups through their registered sources."""

from __future__ import annotations

from sqlalchemy import func, select

from omnicase.model import Case, Inconsistency, Message, QaGrid, QaReview, Survey
from omnicase.quality.kpis.definitions import EXTRA_SOURCES
from omnicase.quality.kpis.rollup import rebuild
from omnicase.store.db import Database
from tests.quality.kpi_data import build, t
from tests.quality.test_kpi_upkeep import D9, D10, D12, totals


def test_surveys_reviews_and_confirmed_inconsistencies_are_counted(db: Database) -> None:
    assert {"csat", "consistency", "qa"} <= set(EXTRA_SOURCES)
    data = build(db)
    c1, c3 = data.cases["C1"], data.cases["C3"]
    with db.transaction() as s:
        answers = s.execute(
            select(Message.case_id, Message.id)
            .where(Message.direction == "outbound", Message.author_user_id.is_not(None))
            .order_by(Message.id)
        ).all()
        per_case: dict[int, list[int]] = {}
        for case_id, message_id in answers:
            per_case.setdefault(case_id, []).append(message_id)
        repeated = {c: ids for c, ids in per_case.items() if len(ids) > 1}
        in_period = s.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.case_id.in_(repeated),
                Message.direction == "outbound",
                Message.author_user_id.is_not(None),
                Message.received_at >= t(9, 23),  # 10 Nov Paris starts 9 Nov 23:00 UTC
                Message.received_at < t(12, 23),
            )
        )
        assert repeated and in_period, "the data set has a request answered twice"
        case_id, ids = next(iter(repeated.items()))
        s.add(
            Inconsistency(
                brand_id=data.brand_id,
                case_id=case_id,
                message_id=ids[-1],
                kind="amount",
                detail={},
                status="confirmed",
            )
        )
        for case, status, rating in ((c1, "answered", 4), (c3, "sent", None)):
            customer = s.get(Case, case)
            assert customer is not None
            s.add(
                Survey(
                    brand_id=data.brand_id,
                    case_id=case,
                    customer_id=customer.customer_id,
                    channel="email",
                    token=f"tok-{case}",
                    status=status,
                    rating=rating,
                    sent_at=t(10, 12),
                    answered_at=t(10, 13) if rating else None,
                )
            )
        grid = QaGrid(brand_id=data.brand_id, name="default", criteria=[])
        s.add(grid)
        s.flush()
        for case, total in ((c1, 80.0), (c3, 60.0)):
            message = per_case.get(case, [None])[0] or ids[0]
            s.add(
                QaReview(
                    brand_id=data.brand_id,
                    case_id=case,
                    message_id=message,
                    agent_id=data.agent_a,
                    reviewer_id=data.world.ids["acme:supervisor"],
                    grid_id=grid.id,
                    scores={},
                    total=total,
                    created_at=t(11, 10),
                )
            )
    with db.transaction() as s:
        rebuild(s.connection(), data.brand_id, D9, D12, chunk_days=2)
    k = totals(db, data, D10, D12)
    assert k["csat_average"] == 4.0 and k["csat_response_rate"] == 0.5
    assert k["qa_score"] == 70.0
    assert k["consistency_rate"] == round(1 - 1 / in_period, 4)
