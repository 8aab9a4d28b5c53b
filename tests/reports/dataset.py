"""A small fixed day for acme (Europe/Paris), Tuesday 3 November 2026, with figures
computed by hand in the tests.

| case | channel | local arrival | first answer         | team     | reason   | at 24:00  |
|------|---------|---------------|----------------------|----------|----------|-----------|
| A    | email   | Tue 09:00     | Tue 11:00 (2 bh)     | internal | delivery | resolved  |
| B    | email   | Tue 17:00     | Wed 11:30 (3.5 bh)   | internal | delivery | open (7 h)|
| C    | chat    | Tue 10:00     | Tue 10:02 (120 s)    | callpro  | order    | open (14 h)|
| D    | chat    | Tue 14:00     | never                | callpro  | order    | open (10 h)|
| E    | phone   | Tue 12:00     | never (missed call)  | internal | refund   | open (12 h)|
| P    | email   | Mon 10:00     | Mon 10:30            | internal | delivery | (previous 7 days) |

bh = business hours (Mon-Fri 9-18). Figures are as of Wednesday 18:00 local.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case
from omnicase.store.db import Database
from tests.factories import World, make_world, message

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 11, 3)
AS_OF = datetime(2026, 11, 4, 18, 0, tzinfo=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@dataclass
class Dataset:
    world: World
    cases: dict[str, int]


def build(db: Database) -> Dataset:
    world = make_world(db)
    ids: dict[str, int] = {}

    def arrive(
        name: str,
        at: datetime,
        channel: str,
        text: str,
        meta: dict[str, Any] | None = None,
        **party: str,
    ) -> None:
        r = ingest_one(
            db,
            message(
                channel=channel, at=at, text=text, external_id=f"<{name}@t>", meta=meta, **party
            ),
        )
        assert r.case_id is not None
        ids[name] = r.case_id

    def answer(name: str, at: datetime, channel: str, **party: str) -> None:
        r = ingest_one(
            db,
            message(
                channel=channel,
                at=at,
                direction="outbound",
                text="Bonjour, c'est noté, nous revenons vers vous.",
                in_reply_to=f"<{name}@t>" if channel == "email" else None,
                **party,
            ),
        )
        assert r.case_id == ids[name], name

    arrive(
        "P", paris(2026, 11, 2, 10, 0), "email", "Mon colis n'est pas arrivé.", email="p@example.fr"
    )
    answer("P", paris(2026, 11, 2, 10, 30), "email", email="p@example.fr")
    arrive("A", paris(2026, 11, 3, 9, 0), "email", "Où est mon colis ?", email="a@example.fr")
    answer("A", paris(2026, 11, 3, 11, 0), "email", email="a@example.fr")
    arrive("C", paris(2026, 11, 3, 10, 0), "chat", "Je veux modifier ma commande", chat="v-c")
    answer("C", paris(2026, 11, 3, 10, 2), "chat", chat="v-c")
    arrive(
        "E",
        paris(2026, 11, 3, 12, 0),
        "phone",
        "Appel manqué",
        meta={"call": {"id": "c-1", "outcome": "missed", "direction": "inbound"}},
        phone="+33611111111",
    )
    arrive("D", paris(2026, 11, 3, 14, 0), "chat", "Ma commande est bloquée", chat="v-d")
    arrive("B", paris(2026, 11, 3, 17, 0), "email", "Livraison en retard", email="b@example.fr")
    answer("B", paris(2026, 11, 4, 11, 30), "email", email="b@example.fr")
    with db.transaction() as s:
        for name, reason in {
            "A": "delivery",
            "B": "delivery",
            "P": "delivery",
            "C": "order",
            "D": "order",
            "E": "refund",
        }.items():
            s.execute(update(Case).where(Case.id == ids[name]).values(reason=reason, team_id=None))
        s.execute(
            update(Case).where(Case.id.in_([ids["C"], ids["D"]])).values(team_id=world.ids["team"])
        )
        s.execute(
            update(Case)
            .where(Case.id.in_([ids["A"], ids["P"]]))
            .values(status="resolved", resolved_at=paris(2026, 11, 3, 12, 0))
        )
    return Dataset(world, ids)
