"""The planner's data from the brand's store history, through the access rule."""

from __future__ import annotations

from datetime import date

import pytest

from omnicase.services.planner import PER_DAY, planner_view, scenario_for, schedule_for
from omnicase.store.db import Database
from omnicase.wfm.errors import WfmInputError
from tests.factories import make_world
from tests.routing.helpers import who
from tests.web_supervisor.history import seed_history

TODAY = date(2026, 11, 30)  # a Monday


def test_forecast_and_staffing_follow_the_brands_office_hours(db: Database) -> None:
    world = make_world(db)
    seed_history(db, TODAY, weeks=5)
    with db.reading() as s:
        view = planner_view(s, who(db, world.ids["acme:planner"]), world.ids["acme"], TODAY)
    assert view.error is None
    assert [c.channel for c in view.channels] == ["chat", "email"]
    chat = view.channels[0]
    assert len(chat.contacts) == 7 * PER_DAY and len(chat.agents) == 7 * PER_DAY
    # Monday's history: 8 chats a day (9-17 UTC), so the forecast is about 8 too
    assert chat.forecast_daily[0] == pytest.approx(8, abs=2)
    # nobody needed at 3 am UTC (4 am Paris), someone at 11:00 Paris
    assert chat.agents[3 * 2] == 0 and chat.agents[11 * 2] >= 1
    assert view.required_total()[11 * 2] >= 1 and view.required_total()[3 * 2] == 0


def test_another_brand_has_nothing_to_plan_and_the_provider_sees_only_its_channels(
    db: Database,
) -> None:
    world = make_world(db, provider_channels=["chat"])
    seed_history(db, TODAY, weeks=5)
    with db.reading() as s:
        globex = planner_view(s, who(db, world.ids["globex:planner"]), world.ids["globex"], TODAY)
        provider = planner_view(s, who(db, world.ids["callpro:admin"]), world.ids["acme"], TODAY)
    assert globex.error == "no inbound contacts in the last weeks"
    assert [c.channel for c in provider.channels] == ["chat"]


def test_schedule_and_scenario_from_the_store_history(db: Database) -> None:
    world = make_world(db)
    seed_history(db, TODAY, weeks=9)
    planner = who(db, world.ids["acme:planner"])
    with db.reading() as s:
        view = planner_view(s, planner, world.ids["acme"], TODAY)
        answer = scenario_for(
            s, planner, world.ids["acme"], TODAY, growth_per_month=0.05, price_per_contact=2.5
        )
    week = schedule_for(view, time_limit_s=20)
    assert week["status"] in ("optimal", "feasible")
    covered = sum(i["internal"] + sum(i["provider"].values()) for i in week["intervals"])
    assert covered >= sum(view.required_total()[: 7 * PER_DAY]) - 1e-6
    assert set(answer["summary"]) >= {"internal", "outsourced", "hybrid"}
    assert answer["recommendation"]
    with db.reading() as s, pytest.raises(WfmInputError):
        scenario_for(
            s,
            who(db, world.ids["globex:planner"]),
            world.ids["globex"],
            TODAY,
            growth_per_month=0.05,
            price_per_contact=2.5,
        )
