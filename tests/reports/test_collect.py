"""The report's figures on the fixed day of :mod:`tests.reports.dataset`, against values
computed by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from omnicase.model import Case, EngagementContract
from omnicase.reports.collect import collect, day_bounds
from omnicase.store.db import Database
from tests.reports.dataset import AS_OF, DAY, build, paris


def _contract(db: Database) -> None:
    with db.transaction() as s:
        s.add(
            EngagementContract(
                engagement_id=1,
                objectives={
                    "response_rate": 0.9,
                    "response_rate_within_objective": 0.8,
                    "csat": 4.2,
                },
                rules={
                    "currency": "EUR",
                    "penalty_cap": 800,
                    "kpis": {
                        "response_rate": {"per_point_below": 10, "per_point_above": 5},
                        "response_rate_within_objective": {"per_point_below": 20, "cap": 500},
                    },
                },
                recipients=[],
            )
        )


def test_the_fixed_day_against_hand_computed_figures(db: Database) -> None:
    build(db)
    _contract(db)
    with db.reading() as s:
        d = collect(s, "acme", DAY, as_of=AS_OF)
    t = d.total
    assert (t.requests, t.contacts, t.answered, t.answered_within, t.decided) == (5, 5, 3, 2, 5)
    assert t.response_rate == pytest.approx(0.6)
    assert t.response_rate_within_objective == pytest.approx(0.4)
    assert t.first_response_within_share == pytest.approx(2 / 3)
    # A 7200 s and B 12600 s in business hours, C 120 s: median 7200, p90 at 1.8 → 11520
    assert t.first_response_median_s == pytest.approx(7200)
    assert t.first_response_p90_s == pytest.approx(11520)
    # backlog at midnight: B 7 h, C 14 h, D 10 h, E 12 h (A resolved at noon)
    assert t.backlog == 4
    assert t.backlog_median_age_h == pytest.approx(11)
    assert t.backlog_oldest_age_h == pytest.approx(14)

    ch = {c.channel: c for c in d.channels}
    assert list(ch) == ["email", "chat", "phone"]
    email = ch["email"].kpis
    assert (email.requests, email.answered, email.answered_within) == (2, 2, 2)
    assert email.response_rate_within_objective == 1.0
    assert email.first_response_median_s == pytest.approx(9900)
    assert email.first_response_p90_s == pytest.approx(12060)
    assert (email.objective_s, email.business_hours) == (86400, True)
    assert email.abandoned is None
    chat = ch["chat"].kpis
    assert (chat.requests, chat.answered, chat.answered_within, chat.decided) == (2, 1, 0, 2)
    assert chat.first_response_median_s == pytest.approx(120)
    assert (chat.abandoned, chat.abandonment_rate) == (1, 0.5)
    assert (chat.objective_s, chat.business_hours) == (60, False)
    phone = ch["phone"].kpis
    assert (phone.requests, phone.contacts, phone.answered) == (1, 1, 0)
    assert (phone.abandoned, phone.abandonment_rate) == (1, 1.0)
    assert phone.backlog == 1 and phone.backlog_oldest_age_h == pytest.approx(12)
    assert ch["email"].reasons == {"delivery": 2}
    assert ch["chat"].reasons == {"order": 2}
    assert ch["email"].contacts_by_hour[9] == 1 and ch["email"].contacts_by_hour[17] == 1
    assert sum(ch["chat"].contacts_by_hour) == 2

    teams = {t.name: t for t in d.teams}
    assert list(teams) == ["internal", "Lille digital"]  # "Rabat voice" is engaged nowhere
    internal, lille = teams["internal"].kpis, teams["Lille digital"].kpis
    assert (internal.requests, internal.answered, internal.answered_within) == (3, 2, 2)
    assert (lille.requests, lille.answered, lille.answered_within) == (2, 1, 0)
    assert teams["Lille digital"].provider == "CallPro"
    assert (internal.backlog, lille.backlog) == (2, 2)

    [contract] = d.contracts
    lines = {line.kpi: line for line in contract.lines}
    # 50 % answered vs 90 %: −40 points × 10 = −400; 0 % within vs 80 %: −80 × 20 = −1600,
    # capped at 500; CSAT not measured: no amount; the day's penalties capped at 800
    assert lines["response_rate"].points == pytest.approx(-40)
    assert lines["response_rate"].amount == pytest.approx(-400)
    assert lines["response_rate_within_objective"].amount == pytest.approx(-500)
    assert lines["csat"].achieved is None and lines["csat"].amount == 0
    assert (contract.penalty, contract.bonus, contract.total) == (-800, 0, -800)
    assert contract.currency == "EUR"

    reasons = [(i.label, i.count) for i in d.top_issues if i.kind == "reason"]
    assert reasons == [("delivery", 2), ("order", 2), ("refund", 1)]
    delivery = d.top_issues[0]
    assert delivery.previous_daily_avg == pytest.approx(1 / 7)
    assert d.previous.requests == 1 and d.previous.answered == 1
    assert not d.empty
    assert d.consistency is None and d.csat is None and d.qa is None


def test_a_cut_off_before_the_late_answer_counts_it_unanswered_and_not_yet_due(
    db: Database,
) -> None:
    build(db)
    with db.reading() as s:
        d = collect(s, "acme", DAY, as_of=paris(2026, 11, 4, 10, 0))
    email = next(c for c in d.channels if c.channel == "email").kpis
    # B is not answered by Wednesday 10:00, and its 24 business hours are not over
    assert (email.answered, email.decided, email.answered_within) == (1, 1, 1)
    assert email.response_rate == 0.5 and email.response_rate_within_objective == 1.0


def test_an_engagement_report_holds_only_the_provider_team_cases(db: Database) -> None:
    build(db)
    _contract(db)
    with db.reading() as s:
        d = collect(s, "acme", DAY, as_of=AS_OF, engagement_id=1)
    assert d.total.requests == 2 and [c.channel for c in d.channels] == ["chat"]
    assert [t.name for t in d.teams] == ["Lille digital"]
    assert len(d.contracts) == 1
    with db.reading() as s, pytest.raises(LookupError):
        collect(s, "globex", DAY, engagement_id=1)


def test_an_empty_day_is_a_report_that_says_so(db: Database) -> None:
    build(db)
    with db.reading() as s:
        d = collect(s, "acme", date(2026, 11, 8), as_of=AS_OF)  # a Sunday, nothing came
    assert d.empty and d.total.requests == 0 and d.total.response_rate is None
    assert d.channels == [] or all(c.kpis.requests == 0 for c in d.channels)
    with db.reading() as s:
        other = collect(s, "globex", DAY, as_of=AS_OF)
    assert other.empty and other.total.backlog == 0  # another brand's cases never count


def test_merged_cases_do_not_count_twice(db: Database) -> None:
    data = build(db)
    with db.transaction() as s:
        s.execute(
            update(Case).where(Case.id == data.cases["D"]).values(merged_into_id=data.cases["C"])
        )
    with db.reading() as s:
        d = collect(s, "acme", DAY, as_of=AS_OF)
    assert d.total.requests == 4


def test_the_day_is_the_brand_local_day_across_a_dst_change() -> None:
    start, end = day_bounds("Europe/Paris", date(2026, 10, 25))
    assert (end - start).total_seconds() == 25 * 3600
    assert start.hour == 22  # 00:00 CEST is 22:00 UTC the day before
