"""The requests ``omnicase wfm`` and ``/api/v1/wfm`` take, and what they answer: one
definition for both (pydantic checks types and ranges at the edge; the models check the
rest and raise :class:`WfmInputError` with the same field names).

The models (numpy, scipy) are imported by the functions that run them, not with this module:
the API imports it at start-up and should not pay for them there."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from omnicase.wfm.errors import WfmInputError

if TYPE_CHECKING:
    from omnicase.wfm.simulate import Scenario, SimResult
    from omnicase.wfm.staffing import ChannelPolicy, Demand, StaffingPlan

KindIn = Literal["phone", "chat", "async"]

#: What the API accepts in one request (the CLI has no limit).
MAX_ROWS = 200_000
MAX_SIMULATED_CONTACTS = 1_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DemandRow(Strict):
    interval: int | datetime = Field(
        description="interval index (0 = midnight of day 0) or its ISO 8601 start time"
    )
    channel: str = Field(min_length=1, max_length=40, examples=["phone"])
    volume: float = Field(ge=0, description="contacts arriving in the interval")
    aht_seconds: float = Field(gt=0, description="average handling time (s)")


class PolicyIn(Strict):
    """Overrides of the channel's default policy (``DEFAULT_POLICIES``); a channel the
    platform does not know must give its ``kind``."""

    kind: KindIn | None = None
    service_level: float | None = Field(None, gt=0, lt=1, description="0.8 = 80 %")
    answer_within: float | None = Field(None, ge=0, description="seconds")
    asa: float | None = Field(None, gt=0, description="ASA target (s)")
    patience: float | None = Field(None, gt=0, description="mean patience (s): Erlang A")
    max_abandon: float | None = Field(None, gt=0, lt=1)
    max_occupancy: float | None = Field(None, gt=0, le=1)
    shrinkage: float | None = Field(None, ge=0, lt=1)
    concurrency: int | None = Field(None, ge=1, description="chats an agent holds")
    concurrency_penalty: float | None = Field(None, ge=0, description="α in AHT·(1+α(k−1))")
    deadline: float | None = Field(None, gt=0, description="async response deadline (s)")


class StaffRequest(Strict):
    rows: list[DemandRow] = Field(max_length=MAX_ROWS)
    channels: dict[str, PolicyIn] = Field(default_factory=dict)
    interval_seconds: float = Field(1800, gt=0)
    fte_hours_per_week: float = Field(35, gt=0, description="a contract's weekly hours")
    days_per_week: float = Field(5, gt=0, le=7)


class ChannelIn(Strict):
    name: str = Field(min_length=1, max_length=40)
    kind: KindIn
    volume: list[float] = Field(description="expected contacts per interval")
    aht: float = Field(gt=0, description="seconds")
    handling: Literal["exponential", "lognormal"] = "exponential"
    cv: float = Field(1.0, gt=0, description="lognormal coefficient of variation")
    patience: float | None = Field(None, gt=0)
    answer_within: float = Field(20.0, ge=0)
    deadline: float | None = Field(None, gt=0)
    concurrency: int = Field(1, ge=1)
    concurrency_penalty: float = Field(0.0, ge=0)
    overflow_after: float | None = Field(
        None, ge=0, description="live: head-of-line wait (s); async: backlog (items)"
    )


class GroupIn(Strict):
    name: str = Field(min_length=1, max_length=60)
    skills: list[str] = Field(min_length=1)
    staff: list[int] | int = Field(description="agents present per interval, or all day")
    provider: bool = False


class ScenarioIn(Strict):
    channels: list[ChannelIn] = Field(min_length=1)
    groups: list[GroupIn] = Field(min_length=1)
    interval_seconds: float = Field(1800, gt=0)
    seed: int = 0


# --------------------------------------------------------------------------- staffing


def policy_for(name: str, given: PolicyIn | None) -> ChannelPolicy:
    """The channel's default policy with what the request overrides."""
    from omnicase.wfm.staffing import CHANNEL_KINDS, DEFAULT_POLICIES

    overrides = {} if given is None else given.model_dump(exclude_none=True)
    base = DEFAULT_POLICIES.get(name)
    kind = overrides.get("kind") or CHANNEL_KINDS.get(name)
    if kind is None:
        raise WfmInputError(
            f"channels.{name}.kind", "unknown channel: give its kind (phone, chat or async)"
        )
    if base is None or base.kind != kind:
        base = next(p for p in DEFAULT_POLICIES.values() if p.kind == kind)
        if kind == "async" and "deadline" not in overrides:
            raise WfmInputError(f"channels.{name}.deadline", "an asynchronous channel needs one")
    return dataclasses.replace(base, **overrides)


def demand_of(rows: Iterable[DemandRow], interval_seconds: float) -> tuple[Demand, datetime | None]:
    """Rows as a :class:`Demand`; start times become indexes from midnight of the first
    day (returned, so answers can give start times back)."""
    from omnicase.wfm.staffing import Demand

    rows = list(rows)
    stamps = [r.interval for r in rows if isinstance(r.interval, datetime)]
    if stamps and len(stamps) != len(rows):
        raise WfmInputError("interval", "give every interval as an index or every one as a time")
    origin = None
    index: list[int] = []
    if stamps:
        first = min(stamps)
        origin = first.replace(hour=0, minute=0, second=0, microsecond=0)
        for i, ts in enumerate(stamps):
            offset = (ts - origin).total_seconds() / interval_seconds
            if abs(offset - round(offset)) > 1e-6:
                raise WfmInputError(f"interval[{i}]", "does not start on an interval boundary")
            index.append(round(offset))
    else:
        index = [int(r.interval) for r in rows]  # type: ignore[arg-type]
    demand = Demand.of(
        index,
        [r.channel for r in rows],
        [r.volume for r in rows],
        [r.aht_seconds for r in rows],
    )
    return demand, origin


def run_staffing(request: StaffRequest) -> tuple[StaffingPlan, datetime | None]:
    from omnicase.wfm.staffing import staff

    demand, origin = demand_of(request.rows, request.interval_seconds)
    names = list(dict.fromkeys(demand.channel))
    for name in request.channels:
        if name not in names:
            raise WfmInputError(f"channels.{name}", "no row has this channel")
    policies = {name: policy_for(name, request.channels.get(name)) for name in names}
    plan = staff(
        demand,
        policies,
        interval_seconds=request.interval_seconds,
        fte_hours_per_week=request.fte_hours_per_week,
        days_per_week=request.days_per_week,
    )
    return plan, origin


def _clean(values: Iterable[float]) -> list[float | None]:
    return [round(v, 4) if math.isfinite(v) else None for v in values]


def staffing_answer(plan: StaffingPlan, origin: datetime | None) -> dict[str, Any]:
    """The JSON answer: one row per (interval, channel), FTE per day and per week."""
    rows = plan.rows()
    if origin is not None:
        step = timedelta(seconds=plan.interval_seconds)
        for row in rows:
            row["start"] = (origin + row["interval"] * step).isoformat()
    return {
        "interval_seconds": plan.interval_seconds,
        "intervals": rows,
        "fte_per_day": {k: _clean(v.tolist()) for k, v in plan.fte_per_day().items()},
        "fte_per_week": {k: _clean(v.tolist()) for k, v in plan.fte_per_week().items()},
    }


def rows_from_csv(text: str) -> list[dict[str, str]]:
    """CSV with a header ``interval,channel,volume,aht_seconds`` (other columns refused)."""
    reader = csv.DictReader(io.StringIO(text))
    wanted = {"interval", "channel", "volume", "aht_seconds"}
    got = set(reader.fieldnames or [])
    if got != wanted:
        missing, extra = sorted(wanted - got), sorted(got - wanted)
        reason = "; ".join(
            p
            for p in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(extra)}" if extra else "",
            )
            if p
        )
        raise WfmInputError("csv header", reason)
    return list(reader)


def staffing_csv(answer: Mapping[str, Any]) -> str:
    rows = answer["intervals"]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------------------- simulation


def scenario_of(body: ScenarioIn) -> Scenario:
    from omnicase.wfm.simulate import AgentGroup, Scenario, SimChannel

    return Scenario(
        channels=[SimChannel(**c.model_dump()) for c in body.channels],
        groups=[AgentGroup(**g.model_dump()) for g in body.groups],
        interval_seconds=body.interval_seconds,
        seed=body.seed,
    )


def expected_contacts(body: ScenarioIn) -> float:
    return sum(sum(max(v, 0.0) for v in c.volume) for c in body.channels)


def run_simulation(body: ScenarioIn, *, max_contacts: float | None = None) -> SimResult:
    from omnicase.wfm.simulate import simulate

    if max_contacts is not None and expected_contacts(body) > max_contacts:
        raise WfmInputError(
            "channels", f"more than {max_contacts:,.0f} contacts expected: use the CLI"
        )
    return simulate(scenario_of(body))


def simulation_answer(result: SimResult) -> dict[str, Any]:
    def clean(v: Any) -> Any:
        if isinstance(v, float):
            return round(v, 6) if math.isfinite(v) else None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v

    answer: dict[str, Any] = clean(result.as_dict())
    return answer
