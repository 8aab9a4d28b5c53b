"""What a daily report says, as plain data: the collector fills it, the renderers read it.

Keeping the figures in one object (and nothing else) is what lets the store-side
collector (:mod:`omnicase.reports.collect`) be swapped for the KPI engine's roll-ups
without touching HTML, PDF, CSV or XLSX. Rates are fractions (0.87), times seconds,
``None`` means "not measured" (no data, or the KPI is not computed yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class Kpis:
    """The figures of one slice (a channel, a team, the whole brand) over one period."""

    contacts: int = 0
    requests: int = 0
    answered: int = 0
    answered_within: int = 0
    #: Requests whose first-response outcome is known (answered, or past due unanswered).
    decided: int = 0
    response_rate: float | None = None
    response_rate_within_objective: float | None = None
    first_response_median_s: float | None = None
    first_response_p90_s: float | None = None
    #: Share of the answered requests answered within the channel's objective.
    first_response_within_share: float | None = None
    #: Objective in seconds (the channel's; None for a mix of channels).
    objective_s: int | None = None
    business_hours: bool | None = None
    backlog: int = 0
    backlog_median_age_h: float | None = None
    backlog_oldest_age_h: float | None = None
    #: Chat and phone only: contacts that ended without an answer.
    abandoned: int | None = None
    abandonment_rate: float | None = None


@dataclass(slots=True)
class ChannelSection:
    channel: str
    kpis: Kpis
    reasons: dict[str, int] = field(default_factory=dict)
    #: Inbound contacts per brand-local hour 0-23.
    contacts_by_hour: list[int] = field(default_factory=lambda: [0] * 24)


@dataclass(slots=True)
class TeamSection:
    """The brand's own people, or one provider team, side by side."""

    team_id: int | None
    name: str
    provider: str | None  # the provider organisation's name; None for internal
    kpis: Kpis


@dataclass(slots=True)
class TopIssue:
    kind: str  # reason | keyword
    label: str
    count: int
    previous_daily_avg: float
    change: float | None  # relative change vs the previous 7 days' daily average


@dataclass(slots=True)
class NotableChange:
    kpi: str
    scope: str  # "all" or a channel
    today: float
    previous: float
    delta: float  # points for rates (0.07 = 7 points), relative for volumes/times
    unit: str  # "points" | "percent"


@dataclass(slots=True)
class OptionalSection:
    """Consistency, CSAT, QA: filled by their engines when they exist; None → not measured."""

    score: float | None
    responses: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ContractLine:
    kpi: str
    objective: float
    achieved: float | None
    higher_is_better: bool
    points: float | None  # signed: + above objective (better), − below
    amount: float  # signed: + bonus, − penalty (after per-KPI caps)


@dataclass(slots=True)
class ContractSection:
    engagement_id: int
    team: str
    provider: str
    currency: str
    lines: list[ContractLine]
    penalty: float  # ≤ 0, after the contract's cap
    bonus: float  # ≥ 0, after the contract's cap
    total: float


@dataclass(slots=True)
class DailyReportData:
    brand: str  # slug
    brand_name: str
    language: str
    day: date
    timezone: str
    generated_at: datetime
    #: Figures count what had happened by this time (answers after it are not counted).
    as_of: datetime
    #: None: the whole brand; else the engagement this report is for (a provider's).
    engagement_id: int | None
    total: Kpis
    previous: Kpis  # the 7 days before, summed (volumes compare as daily averages)
    channels: list[ChannelSection]
    teams: list[TeamSection]
    top_issues: list[TopIssue]
    notable_changes: list[NotableChange]
    contracts: list[ContractSection]
    #: The notable-change rule used: (percent, points).
    change_thresholds: tuple[float, float] = (20.0, 5.0)
    consistency: OptionalSection | None = None
    csat: OptionalSection | None = None
    qa: OptionalSection | None = None

    @property
    def empty(self) -> bool:
        """A day without a single contact: the report says so instead of empty charts."""
        return self.total.contacts == 0 and self.total.requests == 0
