"""The engagement actions the configuration pages call (services/engagements.py): only
the brand's own admins write, each field is checked, a refusal changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from omnicase.model import Engagement, Event, Organisation
from omnicase.services.cases import ActionError
from omnicase.services.engagements import (
    do_end_engagement,
    do_engage_team,
    do_update_engagement,
)
from omnicase.store.db import Database
from tests.factories import World
from tests.routing.helpers import who


def _engagement(db: Database, world: World) -> int:
    with db.reading() as s:
        found = s.scalar(select(Engagement.id).where(Engagement.team_id == world.ids["team"]))
        assert found is not None
        return found


@pytest.mark.parametrize("user", ["acme:supervisor", "globex:admin", "callpro:admin"])
def test_only_the_brands_own_admins_write_engagements(
    db: Database, world: World, user: str
) -> None:
    principal = who(db, world.ids[user])
    with db.transaction() as s:
        engagement = s.get(Engagement, _engagement(db, world))
        acme = s.get(Organisation, world.ids["acme"])
        assert engagement is not None and acme is not None
        for action in (
            lambda: do_update_engagement(s, principal, engagement, {"channels": ["chat"]}),
            lambda: do_end_engagement(s, principal, engagement, date(2024, 1, 1)),
            lambda: do_engage_team(
                s, principal, acme, world.ids["other_team"], {"starts_on": date(2024, 1, 1)}
            ),
        ):
            with pytest.raises(ActionError) as refused:
                action()
            assert refused.value.status == 403
    with db.reading() as s:
        engagement = s.get(Engagement, _engagement(db, world))
        assert engagement is not None
        assert (engagement.channels, engagement.ends_on) == (["email", "chat"], None)
        kinds = list(s.scalars(select(Event.kind).where(Event.kind.like("engagement.%"))))
        assert kinds == ["engagement.created"]  # the world's own, nothing since
        assert len(s.scalars(select(Engagement)).all()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": ["fax"]}, "channels"),
        ({"queues": ["nowhere"]}, "queues"),
        ({"reasons": ["astrology"]}, "reasons"),
        ({"share_percent": 0}, "share_percent"),
        ({"share_percent": "half"}, "share_percent"),
        ({"starts_on": date(2030, 1, 1)}, "starts_on"),  # dates change by ending it
    ],
)
def test_a_refused_scope_names_its_field(
    db: Database, world: World, body: dict[str, object], field: str
) -> None:
    admin = who(db, world.ids["acme:admin"])
    with db.transaction() as s:
        engagement = s.get(Engagement, _engagement(db, world))
        assert engagement is not None
        with pytest.raises(ActionError) as refused:
            do_update_engagement(s, admin, engagement, body)
        assert refused.value.field == field and refused.value.status == 422
        s.rollback()
    with db.reading() as s:
        kept = s.get(Engagement, _engagement(db, world))
        assert (
            kept is not None and kept.channels == ["email", "chat"] and kept.share_percent is None
        )
