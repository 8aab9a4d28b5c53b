"""Shift templates, internal contracts and provider capacity: the inputs of a schedule,
checked so that an impossible definition is refused with the field and the reason rather
than solved into nonsense.

Times are minutes: a template's ``starts`` are minutes after local midnight, a break's
``earliest``/``latest`` minutes after the shift's start.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

#: Break placements one template start may have (product over its breaks); beyond this
#: the model grows without changing the answer much: narrow the windows instead.
MAX_PLACEMENTS = 60


class PlanInputError(ValueError):
    """Every invalid field of a planning input, as ``(field, reason)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{f}: {r}" for f, r in errors[:5]))


@dataclass(frozen=True)
class Break:
    minutes: int
    earliest: int
    latest: int
    paid: bool = False


@dataclass(frozen=True)
class ShiftTemplate:
    name: str
    minutes: int
    starts: tuple[int, ...]
    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    breaks: tuple[Break, ...] = ()

    @property
    def paid_minutes(self) -> int:
        return self.minutes - sum(b.minutes for b in self.breaks if not b.paid)

    def placements(self, step: int) -> list[tuple[int, ...]]:
        """Every non-overlapping choice of break start offsets, ``step`` apart."""
        options = [range(b.earliest, b.latest + 1, step) for b in self.breaks]
        out = []
        for combo in itertools.product(*options):
            spans = sorted(zip(combo, (b.minutes for b in self.breaks), strict=True))
            if all(a + la <= b for (a, la), (b, _) in itertools.pairwise(spans)):
                out.append(tuple(combo))
        return out


@dataclass(frozen=True)
class Contract:
    """Internal agents on one contract: between ``min_agents`` and ``max_agents`` are
    rostered, each working ``shifts_per_week`` shifts (at most one a day) of the named
    templates totalling ``weekly_hours`` paid hours (35 h in France)."""

    name: str
    templates: tuple[str, ...]
    hourly_cost: float
    max_agents: int
    min_agents: int = 0
    weekly_hours: tuple[float, float] = (35.0, 35.0)
    shifts_per_week: tuple[int, int] = (5, 5)


@dataclass(frozen=True)
class Provider:
    """Outsourced capacity per interval: paid per agent-hour or per contact handled,
    between ``min_agents`` (when present at all in an interval) and ``max_agents``; if
    ``min_contacts`` is set, the provider either is not used this week or handles at
    least that many. Nothing can change within ``notice_days`` of today."""

    name: str
    max_agents: int
    hourly_price: float | None = None
    price_per_contact: float | None = None
    min_agents: int = 0
    min_contacts: float = 0.0
    max_contacts: float | None = None
    notice_days: int = 0


@dataclass(frozen=True)
class Staffing:
    templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...] = ()
    providers: tuple[Provider, ...] = field(default=())


def validate(staff: Staffing, interval_minutes: int, has_contacts: bool) -> None:
    """Raise PlanInputError naming each impossible definition."""
    errors: list[tuple[str, str]] = []
    names = [t.name for t in staff.templates]
    if not staff.templates:
        errors.append(("templates", "at least one shift template is needed"))
    if len(set(names)) != len(names):
        errors.append(("templates", "template names must be unique"))
    for i, t in enumerate(staff.templates):
        errors.extend(_template_errors(f"templates[{i}]", t, interval_minutes))
    by_name = {t.name: t for t in staff.templates}
    if not staff.contracts and not staff.providers:
        errors.append(("contracts", "no internal contract and no provider: nobody to schedule"))
    for i, c in enumerate(staff.contracts):
        errors.extend(_contract_errors(f"contracts[{i}]", c, by_name))
    for i, p in enumerate(staff.providers):
        errors.extend(_provider_errors(f"providers[{i}]", p, has_contacts))
    if errors:
        raise PlanInputError(errors)


def _template_errors(at: str, t: ShiftTemplate, step: int) -> list[tuple[str, str]]:
    errors = []
    if not 0 < t.minutes <= 16 * 60:
        errors.append((f"{at}.minutes", "a shift lasts more than 0 and at most 16 hours"))
    if not t.starts:
        errors.append((f"{at}.starts", "at least one allowed start time"))
    for s in t.starts:
        if not 0 <= s < 1440:
            errors.append((f"{at}.starts", f"{s} is not a time of day (0-1439 minutes)"))
    if not t.days or any(not 0 <= d <= 6 for d in t.days):
        errors.append((f"{at}.days", "weekdays 0 (Monday) to 6 (Sunday), at least one"))
    for j, b in enumerate(t.breaks):
        where = f"{at}.breaks[{j}]"
        if b.minutes <= 0:
            errors.append((f"{where}.minutes", "a break lasts more than 0 minutes"))
        if not 0 <= b.earliest <= b.latest:
            errors.append((f"{where}.latest", "the window needs 0 <= earliest <= latest"))
        elif b.latest + b.minutes > t.minutes:
            errors.append(
                (
                    f"{where}.latest",
                    f"a break starting at +{b.latest} min ends after the {t.minutes}-minute shift",
                )
            )
    if errors:
        return errors
    if t.paid_minutes <= 0:
        errors.append((f"{at}.breaks", "unpaid breaks take the whole shift"))
    placements = t.placements(step)
    if t.breaks and not placements:
        errors.append((f"{at}.breaks", "the break windows cannot all fit without overlapping"))
    elif len(placements) > MAX_PLACEMENTS:
        errors.append(
            (
                f"{at}.breaks",
                f"{len(placements)} break placements per start (at most "
                f"{MAX_PLACEMENTS}): narrow the windows",
            )
        )
    return errors


def _contract_errors(
    at: str, c: Contract, templates: dict[str, ShiftTemplate]
) -> list[tuple[str, str]]:
    errors = []
    unknown = [n for n in c.templates if n not in templates]
    if not c.templates or unknown:
        errors.append((f"{at}.templates", f"unknown or no templates: {unknown or '[]'}"))
        return errors
    if c.hourly_cost < 0:
        errors.append((f"{at}.hourly_cost", "must not be negative"))
    if not 0 <= c.min_agents <= c.max_agents:
        errors.append((f"{at}.max_agents", "needs 0 <= min_agents <= max_agents"))
    lo_s, hi_s = c.shifts_per_week
    days = {d for n in c.templates for d in templates[n].days}
    if not 1 <= lo_s <= hi_s <= len(days):
        errors.append(
            (
                f"{at}.shifts_per_week",
                f"needs 1 <= min <= max <= {len(days)} (one shift a "
                "day, on the days its templates allow)",
            )
        )
        return errors
    lo_h, hi_h = c.weekly_hours
    paid = [templates[n].paid_minutes / 60 for n in c.templates]
    if not 0 < lo_h <= hi_h:
        errors.append((f"{at}.weekly_hours", "needs 0 < min <= max"))
    elif hi_s * max(paid) < lo_h:
        errors.append(
            (
                f"{at}.weekly_hours",
                f"{lo_h:g} h cannot be reached with at most {hi_s} shifts "
                f"of at most {max(paid):g} h paid",
            )
        )
    elif lo_s * min(paid) > hi_h:
        errors.append(
            (
                f"{at}.weekly_hours",
                f"{lo_s} shifts of at least {min(paid):g} h paid exceed {hi_h:g} h",
            )
        )
    return errors


def _provider_errors(at: str, p: Provider, has_contacts: bool) -> list[tuple[str, str]]:
    errors = []
    if (p.hourly_price is None) == (p.price_per_contact is None):
        errors.append((f"{at}.hourly_price", "give exactly one of hourly_price, price_per_contact"))
    for name in ("hourly_price", "price_per_contact"):
        value = getattr(p, name)
        if value is not None and value < 0:
            errors.append((f"{at}.{name}", "must not be negative"))
    if not 0 <= p.min_agents <= p.max_agents:
        errors.append((f"{at}.max_agents", "needs 0 <= min_agents <= max_agents"))
    if p.min_contacts < 0 or (p.max_contacts is not None and p.max_contacts < p.min_contacts):
        errors.append((f"{at}.max_contacts", "needs 0 <= min_contacts <= max_contacts"))
    needs_volume = p.price_per_contact is not None or p.min_contacts or p.max_contacts
    if needs_volume and not has_contacts:
        errors.append(
            (
                f"{at}.price_per_contact",
                "a price or limit per contact needs the contacts forecast per interval (contacts)",
            )
        )
    if p.notice_days < 0:
        errors.append((f"{at}.notice_days", "must not be negative"))
    return errors
