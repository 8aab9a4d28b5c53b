"""A provider contract's objectives against what was achieved, and the money (pure).

Objectives name KPIs of :class:`~omnicase.reports.data.Kpis` (or of the optional
sections: ``csat``, ``qa_score``, ``consistency_rate``, not measured yet → no amount).
Each KPI's rule counts **points** of ``point`` (default: 0.01 for rates — a percentage
point —, 60 s for times, 0.1 for scores) between achieved and objective; below the
objective (worse) each point costs ``per_point_below``, above (better) each earns
``per_point_above``; ``cap`` bounds a KPI's amount either way, ``penalty_cap`` and
``bonus_cap`` the day's totals.
"""

from __future__ import annotations

from typing import Any

from omnicase.reports.data import ContractLine, ContractSection, TeamSection

RATES = (
    "response_rate",
    "response_rate_within_objective",
    "first_response_within_share",
    "abandonment_rate",
    "consistency_rate",
)
TIMES = ("first_response_median_s", "first_response_p90_s")
SCORES = ("csat", "qa_score")
KPIS = (*RATES, *TIMES, *SCORES)
LOWER_IS_BETTER = frozenset({"abandonment_rate", *TIMES})
NOT_YET_MEASURED = frozenset({"csat", "qa_score", "consistency_rate"})
RULE_KEYS = frozenset({"per_point_below", "per_point_above", "point", "cap"})


class ContractError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def default_point(kpi: str) -> float:
    if kpi in TIMES:
        return 60.0
    if kpi in SCORES:
        return 0.1
    return 0.01


def _number(value: Any, field: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError(field, "must be a number")
    if value < 0 or (positive and value == 0):
        raise ContractError(field, "must be positive" if positive else "must not be negative")
    return float(value)


def check_contract(objectives: Any, rules: Any) -> None:
    """Refuse a contract the report could not compute, naming the field."""
    if not isinstance(objectives, dict):
        raise ContractError("objectives", "must be an object of KPI → objective")
    for kpi, value in objectives.items():
        if kpi not in KPIS:
            raise ContractError(f"objectives.{kpi}", f"unknown KPI (known: {', '.join(KPIS)})")
        v = _number(value, f"objectives.{kpi}")
        if kpi in RATES and v > 1:
            raise ContractError(f"objectives.{kpi}", "a rate is a fraction between 0 and 1")
        if kpi in SCORES and v > 5:
            raise ContractError(f"objectives.{kpi}", "a score is between 0 and 5")
    if not isinstance(rules, dict):
        raise ContractError("rules", "must be an object")
    unknown = set(rules) - {"currency", "penalty_cap", "bonus_cap", "kpis"}
    if unknown:
        raise ContractError(f"rules.{sorted(unknown)[0]}", "unknown rule")
    currency = rules.get("currency", "EUR")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ContractError("rules.currency", "an ISO 4217 code such as EUR")
    for cap in ("penalty_cap", "bonus_cap"):
        if rules.get(cap) is not None:
            _number(rules[cap], f"rules.{cap}")
    per_kpi = rules.get("kpis") or {}
    if not isinstance(per_kpi, dict):
        raise ContractError("rules.kpis", "must be an object of KPI → rule")
    for kpi, rule in per_kpi.items():
        where = f"rules.kpis.{kpi}"
        if kpi not in objectives:
            raise ContractError(where, "has no objective")
        if not isinstance(rule, dict):
            raise ContractError(where, "must be an object")
        for key, value in rule.items():
            if key not in RULE_KEYS:
                raise ContractError(
                    f"{where}.{key}", f"unknown (known: {', '.join(sorted(RULE_KEYS))})"
                )
            _number(value, f"{where}.{key}", positive=key == "point")


def _achieved(kpi: str, team: TeamSection) -> float | None:
    if kpi in NOT_YET_MEASURED:
        return None
    value = getattr(team.kpis, kpi, None)
    return float(value) if value is not None else None


def contract_section(
    engagement_id: int, team: TeamSection, objectives: dict[str, Any], rules: dict[str, Any]
) -> ContractSection:
    per_kpi = rules.get("kpis") or {}
    lines: list[ContractLine] = []
    for kpi, objective in objectives.items():
        rule = per_kpi.get(kpi) or {}
        achieved = _achieved(kpi, team)
        lower = kpi in LOWER_IS_BETTER
        points: float | None = None
        amount = 0.0
        if achieved is not None:
            diff = (objective - achieved) if lower else (achieved - objective)
            points = round(diff / float(rule.get("point") or default_point(kpi)), 6)
            if points < 0:
                amount = points * float(rule.get("per_point_below", 0))
            else:
                amount = points * float(rule.get("per_point_above", 0))
            if rule.get("cap") is not None:
                cap = float(rule["cap"])
                amount = max(-cap, min(cap, amount))
        lines.append(
            ContractLine(kpi, float(objective), achieved, not lower, points, round(amount, 2))
        )
    penalty = sum(line.amount for line in lines if line.amount < 0)
    bonus = sum(line.amount for line in lines if line.amount > 0)
    if rules.get("penalty_cap") is not None:
        penalty = max(penalty, -float(rules["penalty_cap"]))
    if rules.get("bonus_cap") is not None:
        bonus = min(bonus, float(rules["bonus_cap"]))
    return ContractSection(
        engagement_id,
        team.name,
        team.provider or "",
        str(rules.get("currency", "EUR")),
        lines,
        round(penalty, 2),
        round(bonus, 2),
        round(penalty + bonus, 2),
    )
