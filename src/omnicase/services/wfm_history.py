"""Contact history from the store for planning: inbound messages (a phone call is an
inbound message on the phone channel) per channel × interval of the brand's local day.

SQL counts per UTC quarter-hour, the same statement shape on SQLite and PostgreSQL; Python
then moves each quarter-hour to the brand's local wall clock (zoneinfo), so DST is
exact: on the autumn night the doubled hour adds into one local interval, in spring the
skipped hour stays empty. Quarter-hours, because every real UTC offset is a multiple of
15 minutes (a 30-min bucket would straddle two local intervals at +05:45).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from omnicase.model import Case, Message, Organisation
from omnicase.services.cases import ActionError
from omnicase.store.scope import Principal, case_filter, visible_brand_ids
from omnicase.wfm.grid import Series, per_day

QUARTER = 900  # seconds


def _quarter(session: Session) -> ColumnElement[int]:
    """The UTC quarter-hour number (seconds since 1970 // 900) of ``received_at``."""
    if session.get_bind().dialect.name == "sqlite":
        epoch = cast(func.strftime("%s", Message.received_at), Integer)
        return cast(epoch / QUARTER, Integer)
    return cast(func.floor(func.extract("epoch", Message.received_at) / QUARTER), Integer)


def contact_history(
    session: Session,
    who: Principal | None,
    brand_id: int,
    *,
    start: date,
    end: date,
    interval_minutes: int = 30,
    channels: list[str] | None = None,
) -> dict[str, Series]:
    """One Series per channel seen (or asked for) over local days [start, end). ``who``
    None is the operator (every case of the brand); a user counts only the cases the
    access rule lets them see."""
    n = per_day(interval_minutes)
    days = (end - start).days
    if days < 1:
        raise ActionError("end must be after start", "end", 422)
    brand = session.get(Organisation, brand_id)
    if (
        brand is None
        or brand.kind != "brand"
        or (who is not None and brand_id not in visible_brand_ids(session, who))
    ):
        raise ActionError("no such brand", "brand", 404)
    tz = ZoneInfo(brand.timezone)
    local0 = datetime.combine(start, time(), tz)
    lo = local0.astimezone(UTC)
    hi = datetime.combine(end, time(), tz).astimezone(UTC)
    quarter = _quarter(session).label("quarter")
    query = (
        select(Message.channel, quarter, func.count())
        .where(
            Message.brand_id == brand_id,
            Message.direction == "inbound",
            Message.received_at >= lo,
            Message.received_at < hi,
        )
        .group_by(Message.channel, quarter)
    )
    if who is not None:
        query = query.join(Case, Case.id == Message.case_id).where(case_filter(session, who))
    if channels:
        query = query.where(Message.channel.in_(channels))
    counts: dict[str, np.ndarray] = {ch: np.zeros(days * n) for ch in channels or ()}
    step = timedelta(minutes=interval_minutes)
    naive0 = local0.replace(tzinfo=None)
    for channel, q, count in session.execute(query):
        local = datetime.fromtimestamp(int(q) * QUARTER, UTC).astimezone(tz).replace(tzinfo=None)
        i = (local - naive0) // step
        if 0 <= i < days * n:
            counts.setdefault(channel, np.zeros(days * n))[i] += count
    return {
        ch: Series(ch, start, interval_minutes, values) for ch, values in sorted(counts.items())
    }
