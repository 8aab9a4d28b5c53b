"""Contract arithmetic (pure): points per KPI in its direction, per-KPI and day caps."""

from __future__ import annotations

import pytest

from omnicase.reports.contracts import ContractError, check_contract, contract_section
from omnicase.reports.data import Kpis, TeamSection


def team(**kw: float) -> TeamSection:
    return TeamSection(7, "Lille digital", "CallPro", Kpis(**kw))  # type: ignore[arg-type]


def test_points_go_the_kpi_s_way_and_caps_bound_the_money() -> None:
    objectives = {
        "response_rate_within_objective": 0.9,
        "first_response_median_s": 3600,
        "abandonment_rate": 0.05,
        "qa_score": 4.0,
    }
    rules = {
        "currency": "EUR",
        "bonus_cap": 150,
        "kpis": {
            "response_rate_within_objective": {"per_point_below": 100, "per_point_above": 40},
            "first_response_median_s": {"per_point_below": 5, "per_point_above": 5, "point": 600},
            "abandonment_rate": {"per_point_below": 50, "cap": 200},
        },
    }
    check_contract(objectives, rules)
    s = contract_section(
        3,
        team(
            response_rate_within_objective=0.93, first_response_median_s=1800, abandonment_rate=0.12
        ),
        objectives,
        rules,
    )
    lines = {line.kpi: line for line in s.lines}
    assert lines["response_rate_within_objective"].points == pytest.approx(3)  # 93 vs 90 %
    assert lines["response_rate_within_objective"].amount == pytest.approx(120)
    assert lines["first_response_median_s"].points == pytest.approx(3)  # 30 min faster / 10 min
    assert lines["first_response_median_s"].amount == pytest.approx(15)
    assert lines["abandonment_rate"].points == pytest.approx(-7)  # 12 % vs 5 %: worse
    assert lines["abandonment_rate"].amount == pytest.approx(-200)  # −350, capped
    assert lines["qa_score"].achieved is None and lines["qa_score"].amount == 0
    assert (s.penalty, s.bonus, s.total) == (-200, 135, -65)


def test_nothing_measured_means_no_money() -> None:
    s = contract_section(
        1, team(), {"response_rate": 0.9}, {"kpis": {"response_rate": {"per_point_below": 9}}}
    )
    assert s.lines[0].achieved is None and s.total == 0


@pytest.mark.parametrize(
    ("objectives", "rules", "field"),
    [
        ([], {}, "objectives"),
        ({"csat": 7}, {}, "objectives.csat"),
        ({"csat": True}, {}, "objectives.csat"),
        ({"csat": 4}, {"penalty_cap": -1}, "rules.penalty_cap"),
        ({"csat": 4}, {"bonus": 1}, "rules.bonus"),
        ({"csat": 4}, {"kpis": {"csat": {"per_point": 1}}}, "rules.kpis.csat.per_point"),
    ],
)
def test_a_contract_the_report_cannot_compute_is_refused(
    objectives: object, rules: object, field: str
) -> None:
    with pytest.raises(ContractError) as exc:
        check_contract(objectives, rules)
    assert exc.value.field == field
