"""The JSON shapes of planning requests and answers, shared by ``omnicase wfm`` and
``/api/v1/wfm``: pydantic checks types and ranges at the edge, the library checks what
only it can (an impossible shift) and both report ``(field, reason)``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from omnicase.wfm.shifts import Break, Contract, Provider, ShiftTemplate, Staffing

if TYPE_CHECKING:  # numpy, scipy and holidays load on first use: the API starts fast
    from omnicase.wfm.events import Event
    from omnicase.wfm.forecast import ChannelForecast
    from omnicase.wfm.grid import HolidayCalendar
    from omnicase.wfm.schedule import ScheduleProblem, ScheduleResult

HHMM = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["07:30"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


# -- forecast ---------------------------------------------------------------------------


class HistoryRow(_In):
    interval_start: str = Field(examples=["2026-03-02T09:30"], description="local time")
    channel: str = Field(examples=["phone"])
    contacts: float
    aht_seconds: float | None = None


class StoreSource(_In):
    """Count the brand's inbound messages in the store over [start, end)."""

    start: date
    end: date
    brand: str | None = Field(None, description="brand slug; default: your own brand")
    channels: list[str] | None = None

    @model_validator(mode="after")
    def _order(self) -> StoreSource:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class EventIn(_In):
    kind: Literal["campaign", "launch", "ramp"]
    start: date
    end: date
    uplift: float = Field(0.0, gt=-1, le=20, description="+0.3 = 30 % more contacts")
    channels: list[str] = Field(default_factory=list, description="empty: every channel")
    name: str = ""

    @model_validator(mode="after")
    def _order(self) -> EventIn:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self

    def to_event(self) -> Event:
        from omnicase.wfm.events import Event

        return Event(self.kind, self.start, self.end, self.uplift, tuple(self.channels), self.name)


class HolidaysIn(_In):
    country: str | None = Field("FR", description="None: no public holidays")
    subdiv: str | None = Field(None, examples=["57"], description="57: Alsace-Moselle")

    def calendar(self) -> HolidayCalendar:
        from omnicase.wfm.grid import HolidayCalendar

        return HolidayCalendar(self.country, self.subdiv)


class ForecastRequest(_In):
    interval_minutes: Literal[15, 30] = 30
    horizon_days: int = Field(7, ge=1, le=92)
    history: list[HistoryRow] | None = Field(None, description="inline history, or store")
    store: StoreSource | None = None
    events: list[EventIn] = Field(default_factory=list)
    holidays: HolidaysIn = Field(default_factory=HolidaysIn)
    timezone: str = Field("Europe/Paris", description="for history rows with an offset")

    @model_validator(mode="after")
    def _source(self) -> ForecastRequest:
        if (self.history is None) == (self.store is None):
            raise ValueError("give exactly one of history, store")
        return self

    def history_rows(self) -> list[tuple[int, dict[str, str | None]]]:
        assert self.history is not None
        return [
            (
                i,
                {
                    "interval_start": r.interval_start,
                    "channel": r.channel,
                    "contacts": repr(r.contacts),
                    "aht_seconds": None if r.aht_seconds is None else repr(r.aht_seconds),
                },
            )
            for i, r in enumerate(self.history)
        ]


def forecast_json(results: list[ChannelForecast]) -> dict[str, Any]:
    channels = []
    for f in results:
        bt = f.backtest
        channels.append(
            {
                "channel": f.channel,
                "method": f.method,
                "reason": f.reason,
                "backtest": None
                if bt is None
                else {
                    "origins": bt.origins,
                    "horizon_days": bt.horizon_days,
                    "improvement": _round(bt.improvement),
                    "model": {k: _round(v) for k, v in vars(bt.model).items()},
                    "seasonal_naive": {k: _round(v) for k, v in vars(bt.naive).items()},
                },
                "total_contacts": round(float(f.contacts.sum()), 1),
                "intervals": [
                    {
                        "interval_start": f"{at:%Y-%m-%dT%H:%M}",
                        "contacts": round(float(c), 2),
                        "aht_seconds": None if f.aht is None else round(float(f.aht[i]), 1),
                    }
                    for i, (at, c) in enumerate(
                        zip(f.as_series().interval_starts(), f.contacts, strict=True)
                    )
                ],
            }
        )
    return {"channels": channels}


def _round(value: float | None) -> float | None:
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return round(float(value), 4)


# -- schedule ---------------------------------------------------------------------------


class BreakIn(_In):
    minutes: int = Field(gt=0, le=240)
    earliest: int = Field(ge=0, description="minutes after the shift's start")
    latest: int = Field(ge=0)
    paid: bool = False


class TemplateIn(_In):
    name: str = Field(min_length=1, max_length=64)
    minutes: int = Field(gt=0, description="length including breaks")
    starts: list[str] = Field(default_factory=list, description="allowed starts, HH:MM")
    starts_between: tuple[str, str] | None = Field(
        None, description="or every start_step_minutes from the first to the second HH:MM"
    )
    start_step_minutes: int = Field(30, ge=5, le=240)
    days: list[int] = Field(default_factory=lambda: list(range(7)), description="0 = Monday")
    breaks: list[BreakIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times(self) -> TemplateIn:
        for value in [*self.starts, *(self.starts_between or ())]:
            try:
                time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a time of day (HH:MM)") from None
        return self

    def to_template(self) -> ShiftTemplate:
        starts = {_minutes(s) for s in self.starts}
        if self.starts_between:
            lo, hi = (_minutes(s) for s in self.starts_between)
            starts.update(range(lo, hi + 1, self.start_step_minutes))
        return ShiftTemplate(
            self.name,
            self.minutes,
            tuple(sorted(starts)),
            tuple(sorted(set(self.days))),
            tuple(Break(b.minutes, b.earliest, b.latest, b.paid) for b in self.breaks),
        )


class ContractIn(_In):
    name: str = Field(min_length=1, max_length=64)
    templates: list[str]
    hourly_cost: float = Field(ge=0)
    max_agents: int = Field(ge=0, le=5000)
    min_agents: int = Field(0, ge=0)
    weekly_hours: tuple[float, float] = (35.0, 35.0)
    shifts_per_week: tuple[int, int] = (5, 5)

    def to_contract(self) -> Contract:
        return Contract(
            self.name,
            tuple(self.templates),
            self.hourly_cost,
            self.max_agents,
            self.min_agents,
            self.weekly_hours,
            self.shifts_per_week,
        )


class ProviderIn(_In):
    name: str = Field(min_length=1, max_length=64)
    max_agents: int = Field(ge=0, le=5000, description="per interval")
    hourly_price: float | None = None
    price_per_contact: float | None = None
    min_agents: int = Field(0, ge=0, description="per interval, when present")
    min_contacts: float = Field(0.0, ge=0, description="per period, if used at all")
    max_contacts: float | None = Field(None, ge=0)
    notice_days: int = Field(0, ge=0, le=365)

    def to_provider(self) -> Provider:
        return Provider(
            self.name,
            self.max_agents,
            self.hourly_price,
            self.price_per_contact,
            self.min_agents,
            self.min_contacts,
            self.max_contacts,
            self.notice_days,
        )


class ScheduleRequest(_In):
    start: date = Field(description="first day of the period (local)")
    interval_minutes: Literal[15, 30] = 30
    required: list[float] = Field(description="agents required per interval, whole days")
    contacts: list[float] | None = Field(None, description="contacts per interval")
    templates: list[TemplateIn]
    contracts: list[ContractIn] = Field(default_factory=list)
    providers: list[ProviderIn] = Field(default_factory=list)
    lead_days: int = Field(7, ge=0, description="days between today and start")
    under_penalty_per_hour: float = Field(500.0, gt=0)
    time_limit_s: float = Field(30.0, gt=0, le=120)

    def to_problem(self) -> ScheduleProblem:
        import numpy as np

        from omnicase.wfm.schedule import ScheduleProblem

        return ScheduleProblem(
            start=self.start,
            interval_minutes=self.interval_minutes,
            required=np.asarray(self.required, dtype=float),
            staff=Staffing(
                tuple(t.to_template() for t in self.templates),
                tuple(c.to_contract() for c in self.contracts),
                tuple(p.to_provider() for p in self.providers),
            ),
            contacts=None if self.contacts is None else np.asarray(self.contacts, dtype=float),
            lead_days=self.lead_days,
            under_penalty_per_hour=self.under_penalty_per_hour,
            time_limit_s=self.time_limit_s,
        )


def schedule_json(problem: ScheduleProblem, result: ScheduleResult) -> dict[str, Any]:
    step = timedelta(minutes=problem.interval_minutes)
    first = datetime.combine(problem.start, time())
    stamp = [f"{first + i * step:%Y-%m-%dT%H:%M}" for i in range(len(result.required))]
    return {
        "status": result.status,
        "cost": result.cost,
        "cost_breakdown": result.cost_breakdown,
        "agents": result.agents,
        "solve_seconds": round(result.solve_seconds, 3),
        "notes": result.notes,
        "uncovered_with_internal_only": [stamp[i] for i in result.uncovered_internal_intervals],
        "shifts": [
            {
                "contract": s.contract,
                "template": s.template,
                "day": s.day.isoformat(),
                "start": _hhmm(s.start_minute),
                "breaks": [{"start": _hhmm(at), "minutes": m} for at, m in s.breaks],
                "agents": s.agents,
                "paid_hours": s.paid_hours,
            }
            for s in result.shifts
        ],
        "roster": [
            {
                "contract": a.contract,
                "agent": a.agent,
                "shifts": list(a.shifts),
                "paid_hours": a.paid_hours,
                "within_contract": a.within_contract,
            }
            for a in result.roster
        ],
        "intervals": [
            {
                "interval_start": stamp[i],
                "required": float(result.required[i]),
                "internal": round(float(result.internal[i]), 3),
                "provider": {name: int(v[i]) for name, v in result.provider.items()},
                "under": round(float(result.under[i]), 3),
                "over": round(float(result.over[i]), 3),
                "internal_only_shortfall": round(float(result.internal_shortfall[i]), 3),
            }
            for i in range(len(result.required))
        ],
    }


def _hhmm(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}" + ("+1" if minute >= 1440 else "")
