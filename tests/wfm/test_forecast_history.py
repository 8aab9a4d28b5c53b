"""History in: a CSV with clear errors, and the store's inbound messages counted per
channel × local interval on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from omnicase.ingest.pipeline import ingest
from omnicase.model import User
from omnicase.services.cases import ActionError
from omnicase.services.wfm_history import contact_history
from omnicase.store.db import Database
from omnicase.store.scope import principal_for
from omnicase.wfm.history import HistoryError, read_history_csv, write_forecast_csv
from tests.factories import make_world, message


def test_csv_history_is_read_per_channel_over_whole_days() -> None:
    text = (
        "interval_start,channel,contacts,aht_seconds\n"
        "2026-03-02T09:00,phone,12,300\n"
        "2026-03-02T09:30,phone,3,310.5\n"
        "2026-03-03T23:30:00,chat,4,\n"
        "2026-03-02T10:00+00:00,email,5,200\n"
    )
    series = read_history_csv(text)
    assert sorted(series) == ["chat", "email", "phone"]
    phone = series["phone"]
    assert phone.start == date(2026, 3, 2) and phone.days == 2
    assert phone.contacts[18:20].tolist() == [12, 3] and phone.contacts.sum() == 15
    assert phone.aht is not None and phone.aht[19] == 310.5
    assert series["email"].contacts[22] == 5  # 10:00 UTC is 11:00 in Paris
    assert series["chat"].contacts[-1] == 4
    back = read_history_csv(write_forecast_csv([phone]))["phone"]
    assert np.array_equal(back.contacts, phone.contacts)


def test_csv_errors_name_line_field_and_reason() -> None:
    text = (
        "interval_start,channel,contacts,aht_seconds\n"
        "2026-03-02T09:00,phone,12,300\n"
        "2026-03-02T09:15,phone,3,300\n"
        "2026-03-02T09:30,fax,-1,\n"
        "yesterday,phone,a,b\n"
        "2026-03-02T10:00,phone,2,0\n"
        "2026-03-02T09:00,phone,1,1\n"
    )
    with pytest.raises(HistoryError) as err:
        read_history_csv(text)
    got = [(e.line, e.field, e.reason) for e in err.value.errors]
    assert got == [
        (3, "interval_start", "2026-03-02T09:15 is not on the 30-minute grid"),
        (4, "channel", got[1][2]),
        (4, "contacts", "must not be negative"),
        (5, "interval_start", "not an ISO date-time: 'yesterday'"),
        (5, "contacts", "not a number: 'a'"),
        (5, "aht_seconds", "not a number: 'b'"),
        (6, "aht_seconds", "must be above 0 when contacts > 0"),
        (7, "interval_start", "2026-03-02T09:00 appears twice for phone"),
    ]
    assert got[1][2].startswith("unknown channel 'fax'")
    quarter = read_history_csv(
        "interval_start,channel,contacts\n2026-03-02T09:15,phone,3\n", interval_minutes=15
    )
    assert quarter["phone"].contacts[37] == 3
    with pytest.raises(HistoryError, match="missing column"):
        read_history_csv("when,channel,contacts\n2026-03-02T09:00,phone,1\n")
    with pytest.raises(HistoryError, match="no data rows"):
        read_history_csv("interval_start,channel,contacts\n")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_store_history_counts_inbound_per_local_interval(db: Database) -> None:
    world = make_world(db)
    ingest(
        db,
        [
            message(channel="phone", at=_at("2026-03-02T08:10"), phone="+33612345678"),
            message(channel="phone", at=_at("2026-03-02T08:29"), phone="+33612345679"),
            message(channel="email", at=_at("2026-03-02T08:31"), email="a@example.fr"),
            message(channel="email", at=_at("2026-03-02T08:40"), direction="outbound"),
            message(brand="globex", channel="email", at=_at("2026-03-02T08:40")),
            # DST ends 25 October at 01:00 UTC: 00:30 and 01:30 UTC are both 02:30 local.
            message(channel="chat", at=_at("2026-10-25T00:35"), chat="v1"),
            message(channel="chat", at=_at("2026-10-25T01:35"), chat="v2"),
            message(channel="chat", at=_at("2026-10-24T21:59"), chat="v3"),  # before start
        ],
    )
    with db.sessions() as s:
        march = contact_history(
            s, None, world.ids["acme"], start=date(2026, 3, 2), end=date(2026, 3, 3)
        )
        assert sorted(march) == ["email", "phone"]
        assert march["phone"].contacts[18] == 2 and march["phone"].contacts.sum() == 2
        assert march["email"].contacts[19] == 1 and march["email"].contacts.sum() == 1

        october = contact_history(
            s,
            None,
            world.ids["acme"],
            start=date(2026, 10, 25),
            end=date(2026, 10, 26),
            interval_minutes=15,
            channels=["chat", "sms"],
        )
        assert october["chat"].contacts[10] == 2 and october["chat"].contacts.sum() == 2
        assert october["sms"].contacts.sum() == 0

        # Access: the provider agent engaged on email and chat counts only those.
        agent = s.get(User, world.ids["callpro:agent"])
        assert agent is not None
        seen = contact_history(
            s,
            principal_for(s, agent),
            world.ids["acme"],
            start=date(2026, 3, 2),
            end=date(2026, 3, 3),
        )
        assert sorted(seen) == ["email"]
        with pytest.raises(ActionError, match="no such brand"):
            contact_history(
                s,
                principal_for(s, agent),
                world.ids["globex"],
                start=date(2026, 3, 2),
                end=date(2026, 3, 3),
            )
