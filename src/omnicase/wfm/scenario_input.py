"""The ``omnicase wfm scenario`` / ``POST /api/v1/wfm/scenario`` request, how it becomes a
:class:`ScenarioSpec` (history → forecast base week, growth, campaigns, new channels,
merged brands), and the three demo inputs built from generated series."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from omnicase.wfm.errors import WfmInputError
from omnicase.wfm.interface import PolicyIn, policy_for

if TYPE_CHECKING:
    from omnicase.wfm.grid import Series
    from omnicase.wfm.scenario import ChannelWeek, ScenarioSpec

Situation = Literal["growth", "new-channel", "merger", "custom"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GeneratedIn(_In):
    """A history made by ``wfm.series.generate`` (demos, trying things out)."""

    channels: list[str] = Field(min_length=1)
    start: date = date(2026, 9, 7)
    days: int = Field(63, ge=7, le=400)
    seed: int = 1
    scale: float = Field(1.0, gt=0)
    growth_per_year: float = 0.15
    aht_factor: float = Field(1.0, gt=0, description="× the channel's usual AHT")


class HistoryIn(_In):
    """Exactly one of a CSV text (``interval_start,channel,contacts[,aht_seconds]``, as the
    forecast command takes) or a generated history."""

    csv: str | None = None
    generated: GeneratedIn | None = None
    timezone: str = "Europe/Paris"


class ChannelScenarioIn(PolicyIn):
    aht_seconds: float | None = Field(None, description="harmonised AHT (s), else history's")
    target: float | None = Field(None, description="service level to reach (0.95 = 95 %)")
    growth_per_month: float | None = Field(None, description="this channel's own growth")


class BrandIn(_In):
    name: str = Field(min_length=1, max_length=60)
    history: HistoryIn
    channels: dict[str, ChannelScenarioIn] = Field(default_factory=dict)


class CampaignIn(_In):
    start_month: int = Field(ge=0, description="0 = the first month")
    months: int = Field(1, ge=1)
    uplift: float = Field(gt=-1, description="0.25 = +25 % volume")
    channels: list[str] = Field(default_factory=list, description="empty: every channel")


class NewChannelIn(_In):
    volume_per_day: float = Field(description="contacts per day once fully launched")
    aht_seconds: float
    launch_month: int = Field(0, ge=0)
    ramp_months: int = Field(3, ge=1, description="months to reach full volume")


class InternalIn(_In):
    cost_per_fte_month: float = 4200.0
    hiring_cost: float = 3000.0
    ramp_months: int = 1
    attrition_per_month: float = 0.02
    max_hires_per_month: int = 10
    current_fte: float | None = None
    hours_per_week: float = 35.0


class ProviderIn(_In):
    price_per_hour: float | None = None
    price_per_contact: float | None = None
    min_contacts_per_month: float = 0.0
    max_contacts_per_month: float | None = None
    notice_days: int = 30


class HybridIn(_In):
    percentile: float = 0.7
    overflow_after: dict[str, float] = Field(default_factory=dict)


class ScenarioRequest(_In):
    situation: Situation = "custom"
    months: int = Field(12, description="the horizon")
    interval_minutes: Literal[30] = 30
    history: HistoryIn | None = None
    brands: list[BrandIn] = Field(default_factory=list, description="a merger: every brand")
    harmonise_to: str | None = Field(None, description="the brand whose policies apply")
    channels: dict[str, ChannelScenarioIn] = Field(default_factory=dict)
    growth_per_month: float = Field(0.0, description="0.03 = +3 % a month, every channel")
    campaigns: list[CampaignIn] = Field(default_factory=list)
    new_channels: dict[str, NewChannelIn] = Field(default_factory=dict)
    internal: InternalIn = Field(default_factory=InternalIn)
    provider: ProviderIn = Field(default_factory=lambda: ProviderIn(price_per_contact=3.0))
    hybrid: HybridIn = Field(default_factory=HybridIn)
    risk: float = 0.2
    simulate: bool = True
    seed: int = 0


# --------------------------------------------------------------------------- building


def _history(source: HistoryIn, where: str) -> dict[str, Series]:
    from omnicase.wfm.history import HistoryError, read_history_csv
    from omnicase.wfm.series import generate

    if (source.csv is None) == (source.generated is None):
        raise WfmInputError(where, "give exactly one of csv, generated")
    if source.csv is not None:
        try:
            return read_history_csv(source.csv, timezone=source.timezone)
        except HistoryError as exc:
            first = exc.errors[0]
            raise WfmInputError(f"{where}.csv", str(first)) from exc
    g = source.generated
    assert g is not None
    out = {}
    for i, name in enumerate(g.channels):
        from omnicase.wfm.series import SHAPES

        if name not in SHAPES:
            raise WfmInputError(f"{where}.generated.channels.{i}", f"no shape for {name}")
        shape = dataclasses.replace(
            SHAPES[name], aht_seconds=SHAPES[name].aht_seconds * g.aht_factor
        )
        out[name] = generate(
            name,
            start=g.start,
            days=g.days,
            seed=g.seed * 100 + i,
            growth_per_year=g.growth_per_year,
            scale=g.scale,
            shape=shape,
        )
    return out


def _merge(brands: list[BrandIn]) -> tuple[dict[str, Series], list[str]]:
    """Each channel's contacts summed over the brands (AHT contact-weighted)."""
    import numpy as np

    from omnicase.wfm.grid import Series

    merged: dict[str, Series] = {}
    notes = []
    for b, brand in enumerate(brands):
        for name, s in _history(brand.history, f"brands.{b}.history").items():
            if name not in merged:
                merged[name] = s
                continue
            m = merged[name]
            if (m.start, m.days) != (s.start, s.days):
                raise WfmInputError(
                    f"brands.{b}.history",
                    f"{name} covers {s.start} + {s.days} days, the other brand "
                    f"{m.start} + {m.days}: give the same days",
                )
            contacts = m.contacts + s.contacts
            aht = None
            if m.aht is not None and s.aht is not None:
                with np.errstate(invalid="ignore", divide="ignore"):
                    aht = np.where(
                        contacts > 0, (m.aht * m.contacts + s.aht * s.contacts) / contacts, 0.0
                    )
            merged[name] = Series(name, m.start, m.interval_minutes, contacts, aht)
            notes.append(f"{name}: volumes of {len(brands)} brands combined")
    return merged, notes


def _week(series: Series, aht_override: float | None, name: str) -> ChannelWeek:
    """The forecast's next four weeks averaged into one week from a Monday."""
    import numpy as np

    from omnicase.wfm.forecast import forecast
    from omnicase.wfm.scenario import ChannelWeek

    fc = forecast(series, 28)
    n = 7 * fc.as_series().per_day
    contacts = fc.contacts.reshape(4, n).mean(axis=0)
    shift = fc.start.weekday() * fc.as_series().per_day
    contacts = np.roll(contacts, shift)
    if aht_override is not None:
        aht = np.full(n, float(aht_override))
    elif fc.aht is None:
        raise WfmInputError(
            f"channels.{name}.aht_seconds", "the history has no handling time: give one"
        )
    else:
        raw = np.roll(fc.aht.reshape(4, n).mean(axis=0), shift)
        vol = np.roll(fc.contacts.reshape(4, n), shift, axis=1).sum(axis=0)
        mean = float((raw * vol).sum() / vol.sum()) if vol.sum() else 0.0
        if mean <= 0:
            raise WfmInputError(f"channels.{name}.aht_seconds", "no handling time in history")
        aht = np.where(raw > 0, raw, mean)
    return ChannelWeek(np.maximum(contacts, 0.0), aht)


def _new_week(name: str, spec: NewChannelIn) -> ChannelWeek:
    import numpy as np

    from omnicase.wfm.scenario import ChannelWeek
    from omnicase.wfm.series import SHAPES, intraday_shape

    shape = SHAPES.get(name, SHAPES["chat"])
    day = intraday_shape(shape, 30)
    weekday = np.asarray(shape.weekday) / np.mean(shape.weekday)
    contacts = (weekday[:, None] * day[None, :]).ravel() * spec.volume_per_day
    return ChannelWeek(contacts, np.full(len(contacts), float(spec.aht_seconds)))


def _policy_part(given: ChannelScenarioIn | None) -> PolicyIn | None:
    if given is None:
        return None
    extra = {"aht_seconds", "target", "growth_per_month"}
    return PolicyIn(**given.model_dump(exclude=extra))


def build_spec(req: ScenarioRequest) -> ScenarioSpec:
    """The numbers a scenario runs on; :class:`WfmInputError` names the field at fault."""
    import numpy as np

    from omnicase.wfm.scenario import (
        HybridRule,
        InternalCosts,
        ProviderContract,
        ScenarioSpec,
    )

    notes: list[str] = []
    given = dict(req.channels)
    if req.brands:
        if req.history is not None:
            raise WfmInputError("history", "a merger gives each brand's history in brands")
        names = [b.name for b in req.brands]
        chosen = req.harmonise_to or names[0]
        if chosen not in names:
            raise WfmInputError("harmonise_to", f"no brand named {chosen}")
        history, merged = _merge(req.brands)
        notes += merged
        # the chosen brand's policies first, the others' for channels it does not have
        for brand in sorted(req.brands, key=lambda b: b.name != chosen):
            for name, policy in brand.channels.items():
                given.setdefault(name, policy)
        notes.append(f"policies (service-level targets, AHT) harmonised to {chosen}'s")
    elif req.history is not None:
        history = _history(req.history, "history")
    elif not req.new_channels:
        raise WfmInputError("history", "give a history (csv or generated) or brands")
    else:
        history = {}
    for name in req.new_channels:
        if name in history:
            raise WfmInputError(f"new_channels.{name}", "the history already has this channel")
    months = req.months
    if months <= 0:
        raise WfmInputError("months", "must be a whole number of months above 0")
    weeks: dict[str, ChannelWeek] = {}
    factors: dict[str, Any] = {}
    t = np.arange(months)
    for name, series in history.items():
        weeks[name] = _week(series, (given.get(name) or ChannelScenarioIn()).aht_seconds, name)
    for name, new in req.new_channels.items():
        if new.volume_per_day < 0:
            raise WfmInputError(f"new_channels.{name}.volume_per_day", "must not be negative")
        if new.aht_seconds <= 0:
            raise WfmInputError(f"new_channels.{name}.aht_seconds", "must be greater than 0")
        weeks[name] = _new_week(name, new)
        notes.append(
            f"{name}: new channel from month {new.launch_month}, full volume "
            f"({new.volume_per_day:g}/day) after {new.ramp_months} months"
        )
    for name in weeks:
        g = (given.get(name) or ChannelScenarioIn()).growth_per_month
        rate = req.growth_per_month if g is None else g
        if rate <= -1:
            raise WfmInputError(f"channels.{name}.growth_per_month", "must be above -1")
        factors[name] = (1.0 + rate) ** t
        if name in req.new_channels:
            new = req.new_channels[name]
            factors[name] = factors[name] * np.clip(
                (t - new.launch_month + 1) / new.ramp_months, 0.0, 1.0
            )
    for i, c in enumerate(req.campaigns):
        for name in c.channels:
            if name not in weeks:
                raise WfmInputError(f"campaigns.{i}.channels", f"no channel named {name}")
        inside = (t >= c.start_month) & (t < c.start_month + c.months)
        for name in c.channels or list(weeks):
            factors[name] = factors[name] * np.where(inside, 1.0 + c.uplift, 1.0)
    policies = {name: policy_for(name, _policy_part(given.get(name))) for name in weeks}
    targets = {
        name: p.target for name, p in given.items() if p.target is not None and name in weeks
    }
    for name in given:
        if name not in weeks:
            raise WfmInputError(f"channels.{name}", "not in the history nor a new channel")
    if req.history is not None and req.history.generated is not None:
        made = req.history.generated
        end = made.start + timedelta(days=made.days)
    elif history:
        s = next(iter(history.values()))
        end = s.start + timedelta(days=s.days)
    else:
        end = date.today()
    start = date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return ScenarioSpec(
        situation=req.situation,
        start=start,
        months=months,
        interval_minutes=req.interval_minutes,
        weeks=weeks,
        policies=policies,
        factors=factors,
        targets=targets,
        internal=InternalCosts(**req.internal.model_dump()),
        provider=ProviderContract(**req.provider.model_dump()),
        hybrid=HybridRule(req.hybrid.percentile, dict(req.hybrid.overflow_after)),
        risk=req.risk,
        simulate=req.simulate,
        seed=req.seed,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- demos


def demo_request(kind: str, *, months: int = 12) -> ScenarioRequest:
    """A ready input for ``--demo growth|new-channel|merger`` from generated series."""
    hist = HistoryIn
    gen = GeneratedIn
    if kind == "growth":
        return ScenarioRequest(
            situation="growth",
            months=months,
            history=hist(generated=gen(channels=["phone", "chat", "email", "social"])),
            growth_per_month=0.04,
            campaigns=[CampaignIn(start_month=3, months=2, uplift=0.25, channels=["phone"])],
            internal=InternalIn(max_hires_per_month=8, ramp_months=2, current_fte=110),
            provider=ProviderIn(price_per_contact=2.6, notice_days=30),
        )
    if kind == "new-channel":
        return ScenarioRequest(
            situation="new-channel",
            months=months,
            history=hist(generated=gen(channels=["phone", "email", "social"])),
            channels={"social": ChannelScenarioIn(growth_per_month=0.08)},
            new_channels={
                "chat": NewChannelIn(
                    volume_per_day=700, aht_seconds=540, launch_month=1, ramp_months=4
                )
            },
            internal=InternalIn(max_hires_per_month=6, ramp_months=2),
            provider=ProviderIn(price_per_hour=27.0, notice_days=30),
        )
    if kind == "merger":
        return ScenarioRequest(
            situation="merger",
            months=months,
            brands=[
                BrandIn(
                    name="acme",
                    history=hist(generated=gen(channels=["phone", "chat", "email"], seed=1)),
                    channels={
                        "phone": ChannelScenarioIn(service_level=0.8, aht_seconds=330),
                        "email": ChannelScenarioIn(aht_seconds=420),
                    },
                ),
                BrandIn(
                    name="globex",
                    history=hist(
                        generated=gen(
                            channels=["phone", "email", "social"],
                            seed=2,
                            scale=0.6,
                            aht_factor=1.25,
                        )
                    ),
                    channels={"phone": ChannelScenarioIn(service_level=0.7, answer_within=30)},
                ),
            ],
            harmonise_to="acme",
            growth_per_month=0.01,
            internal=InternalIn(max_hires_per_month=12, ramp_months=1),
            provider=ProviderIn(price_per_contact=2.9, notice_days=60),
        )
    raise WfmInputError("demo", "one of growth, new-channel, merger")
