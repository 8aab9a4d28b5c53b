"""Service-level configuration over real HTTP: business-hours calendars created, edited
and deleted from the form (weekday hours, time zone, holidays, closed dates), policies
edited and deleted; refusals next to their field (Tuesday's hours for Tuesday's range)
with nothing written; admins write, supervisors read, others 403; CSRF."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.model import Calendar, Event, SlaPolicy
from omnicase.store.db import Database
from tests.factories import World
from tests.web.conftest import login

SLA = "/supervisor/config/sla"
PARIS = {
    "name": "Paris",
    "timezone": "Europe/Paris",
    "hours_mon": "09:00-12:30, 14:00-18:00",
    "hours_tue": "9:00-18:00",
    "hours_wed": "09:00-18:00",
    "hours_thu": "09:00-18:00",
    "hours_fri": "09:00-17:00",
    "hours_sat": "",
    "hours_sun": "",
    "country": "fr",
    "subdivision": "",
    "closures": "2026-12-24 14:00-24:00\n2026-12-26..2026-12-28\n",
}


def _calendars(db: Database) -> list[dict[str, Any]]:
    with db.reading() as s:
        return [
            {
                "name": c.name,
                "timezone": c.timezone,
                "weekly": c.weekly,
                "country": c.country,
                "closures": c.closures,
                "is_default": c.is_default,
            }
            for c in s.scalars(select(Calendar).order_by(Calendar.id))
        ]


def _events(db: Database, prefix: str) -> list[str]:
    with db.reading() as s:
        return [
            e.kind for e in s.scalars(select(Event).order_by(Event.id)) if e.kind.startswith(prefix)
        ]


def test_an_admin_creates_and_edits_a_business_hours_calendar(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    r = web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **PARIS, "cal_default": "on"})
    assert r.status_code == 303, r.text
    assert _calendars(db) == [
        {
            "name": "Paris",
            "timezone": "Europe/Paris",
            "weekly": {
                "mon": [["09:00", "12:30"], ["14:00", "18:00"]],
                "tue": [["09:00", "18:00"]],
                "wed": [["09:00", "18:00"]],
                "thu": [["09:00", "18:00"]],
                "fri": [["09:00", "17:00"]],
            },
            "country": "FR",
            "closures": [
                {"date": "2026-12-24", "hours": [["14:00", "24:00"]]},
                {"date": "2026-12-26", "until": "2026-12-28"},
            ],
            "is_default": True,
        }
    ]
    with db.reading() as s:
        cal_id = s.scalar(select(Calendar.id))
    form = web.get(f"{SLA}/calendars/{cal_id}")
    assert form.status_code == 200
    assert 'name="hours_mon" value="09:00-12:30, 14:00-18:00"' in form.text
    assert "2026-12-26..2026-12-28" in form.text  # the closed dates as they were typed
    edited = {**PARIS, "hours_sat": "10:00-13:00", "closures": ""}
    r = web.post(f"{SLA}/calendars/{cal_id}", data={"csrf_token": csrf, **edited})
    assert r.status_code == 303
    (cal,) = _calendars(db)
    assert cal["weekly"]["sat"] == [["10:00", "13:00"]] and cal["closures"] == []
    assert cal["is_default"] is False  # the box was left unticked
    assert _events(db, "sla.calendar") == ["sla.calendar.created", "sla.calendar.updated"]


def test_calendar_refusals_name_the_field_and_write_nothing(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    cases = [
        ({"hours_tue": "18:00-09:00"}, "hours_tue", "ends before it starts"),
        ({"hours_wed": "9h-18h"}, "hours_wed", "is not a time written HH:MM"),
        ({"hours_thu": "09:00"}, "hours_thu", "HH:MM-HH:MM"),
        ({"hours_mon": "09:00-13:00, 12:00-18:00"}, "hours_mon", "overlap"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown timezone"),
        ({"country": "XX"}, "country", "no public holidays"),
        ({"closures": "24/12/2026"}, "closures", "YYYY-MM-DD"),
        ({"closures": "2026-12-31..2026-12-01"}, "closures", "ends before it starts"),
        ({**{f"hours_{d}": "" for d in ("mon", "tue", "wed", "thu", "fri")}}, "weekly", "never"),
    ]
    for change, field, words in cases:
        r = web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **PARIS, **change})
        assert r.status_code == 422, change
        assert f'data-field="{field}"' in r.text, (change, r.text[-3000:])
        assert words in r.text, change
        assert 'value="Paris"' in r.text  # what was typed stays
    assert _calendars(db) == [] and _events(db, "sla.") == []
    web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **PARIS})
    twice = web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **PARIS})
    assert twice.status_code == 422 and 'data-field="name"' in twice.text
    assert len(_calendars(db)) == 1


def test_policies_are_edited_and_deleted_and_a_calendar_in_use_is_kept(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **PARIS})
    with db.reading() as s:
        cal_id = s.scalar(select(Calendar.id))
    r = web.post(
        f"{SLA}/policies",
        data={
            "csrf_token": csrf,
            "name": "Email",
            "channel": "email",
            "first_response_minutes": "240",
            "business_hours": "on",
            "calendar_id": str(cal_id),
        },
    )
    assert r.status_code == 303
    with db.reading() as s:
        policy_id = s.scalar(select(SlaPolicy.id))
    page = web.get(f"{SLA}/policies/{policy_id}").text
    assert 'name="first_response_minutes" value="240"' in page
    assert f'<option value="{cal_id}" selected>Paris</option>' in page
    bad = web.post(
        f"{SLA}/policies/{policy_id}",
        data={"csrf_token": csrf, "channel": "email", "first_response_minutes": "0"},
    )
    assert bad.status_code == 422 and 'data-field="first_response_minutes"' in bad.text
    ok = web.post(
        f"{SLA}/policies/{policy_id}",
        data={
            "csrf_token": csrf,
            "name": "Email fast",
            "channel": "email",
            "priority": "2",
            "first_response_minutes": "30",
            "resolution_minutes": "1440",
            "at_risk_percent": "75",
            "business_hours": "on",
            "calendar_id": str(cal_id),
        },
    )
    assert ok.status_code == 303
    with db.reading() as s:
        p = s.get(SlaPolicy, policy_id)
        assert p is not None
        assert (p.name, p.priority, p.first_response_seconds, p.resolution_seconds) == (
            "Email fast",
            2,
            1800,
            86400,
        )
        assert p.at_risk_percent == 75 and p.calendar_id == cal_id
    kept = web.post(f"{SLA}/calendars/{cal_id}/delete", data={"csrf_token": csrf})
    assert kept.status_code == 422 and f'data-field="calendars.{cal_id}"' in kept.text
    assert len(_calendars(db)) == 1
    r = web.post(f"{SLA}/policies/{policy_id}/delete", data={"csrf_token": csrf})
    assert r.status_code == 303
    r = web.post(f"{SLA}/calendars/{cal_id}/delete", data={"csrf_token": csrf})
    assert r.status_code == 303
    with db.reading() as s:
        assert s.scalars(select(SlaPolicy)).all() == [] and s.scalars(select(Calendar)).all() == []
    assert _events(db, "sla.")[-2:] == ["sla.policy.deleted", "sla.calendar.deleted"]


def test_sla_writes_are_for_the_brands_admins(db: Database, world: World, web: TestClient) -> None:
    csrf = login(web, "admin@acme.test")
    web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **PARIS})
    with db.reading() as s:
        cal_id = s.scalar(select(Calendar.id))
    forged = web.post(f"{SLA}/calendars", data={**PARIS, "name": "Forged"})
    assert forged.status_code == 403
    forged = web.post(f"{SLA}/calendars/{cal_id}/delete")
    assert forged.status_code == 403
    web.cookies.clear()
    csrf = login(web, "supervisor@acme.test")
    page = web.get(f"{SLA}/calendars/{cal_id}")
    assert page.status_code == 200 and 'action="/supervisor/config/sla/calendars' not in page.text
    for url, form in (
        (f"{SLA}/calendars", {**PARIS, "name": "Lyon"}),
        (f"{SLA}/calendars/{cal_id}", {**PARIS, "name": "Renamed"}),
        (f"{SLA}/calendars/{cal_id}/delete", {}),
    ):
        assert web.post(url, data={"csrf_token": csrf, **form}).status_code == 403, url
    for email in ("agent@acme.test", "admin@callpro.test"):
        web.cookies.clear()
        csrf = login(web, email)
        assert web.get(SLA).status_code == 403
        assert (
            web.post(f"{SLA}/calendars/{cal_id}/delete", data={"csrf_token": csrf}).status_code
            == 403
        )
    web.cookies.clear()
    csrf = login(web, "admin@globex.test")
    assert web.get(f"{SLA}/calendars/{cal_id}").status_code == 404
    assert (
        web.post(f"{SLA}/calendars/{cal_id}/delete", data={"csrf_token": csrf}).status_code == 404
    )
    assert [c["name"] for c in _calendars(db)] == ["Paris"]


def _steps_form(csrf: str, **rows: str) -> dict[str, Any]:
    """An email policy's form with escalation rows ``esc-N-field``."""
    return {
        "csrf_token": csrf,
        "name": "Email",
        "channel": "email",
        "first_response_minutes": "60",
        **rows,
    }


def _escalations(db: Database) -> list[Any]:
    with db.reading() as s:
        return [p.escalations for p in s.scalars(select(SlaPolicy).order_by(SlaPolicy.id))]


def test_escalation_steps_are_written_shown_again_and_kept_by_an_edit(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    supervisor = world.ids["acme:supervisor"]
    team = world.ids["team"]
    form = _steps_form(
        csrf,
        **{
            "esc-0-on": "at_risk",
            "esc-0-action": "notify",
            "esc-0-users": "Supervisor@acme.test",
            "esc-0-roles": "admin",
            "esc-1-on": "breached",
            "esc-1-action": "raise_priority",
            "esc-1-priority": "3",
            "esc-2-on": "",  # an empty row is no step
            "esc-3-on": "breached",
            "esc-3-action": "overflow",
            "esc-3-team": str(team),
        },
    )
    form["esc-1-clocks"] = ["first_response", "resolution"]
    r = web.post(f"{SLA}/policies", data=form)
    assert r.status_code == 303, r.text[-2000:]
    steps = [
        {"on": "at_risk", "action": "notify", "users": [supervisor], "roles": ["admin"]},
        {
            "on": "breached",
            "action": "raise_priority",
            "clocks": ["first_response", "resolution"],
            "priority": 3,
        },
        {"on": "breached", "action": "overflow", "team_id": team},
    ]
    assert _escalations(db) == [steps]
    with db.reading() as s:
        policy_id = s.scalar(select(SlaPolicy.id))
    listing = web.get(SLA).text
    assert "À risque → Prévenir" in listing and "Dépassé → Déborder vers le prestataire" in listing
    page = web.get(f"{SLA}/policies/{policy_id}").text
    assert 'name="esc-0-users" value="supervisor@acme.test"' in page  # people by email
    assert '<option value="3" selected>3</option>' in page
    assert 'name="esc-1-clocks" value="resolution" checked' in page
    assert f'<option value="{team}" selected>' in page
    assert 'data-step="3"' in page and 'data-step="4"' not in page  # 3 steps, 1 empty row
    # saving the form as shown keeps the steps; emptying a row removes its step
    r = web.post(
        f"{SLA}/policies/{policy_id}",
        data=_steps_form(
            csrf,
            **{
                "name": "Email (edited)",
                "esc-0-on": "at_risk",
                "esc-0-action": "notify",
                "esc-0-users": "supervisor@acme.test",
                "esc-0-roles": "admin",
                "esc-1-on": "",
                "esc-1-action": "",
                "esc-2-on": "breached",
                "esc-2-action": "overflow",
                "esc-2-team": str(team),
            },
        ),
    )
    assert r.status_code == 303
    assert _escalations(db) == [[steps[0], steps[2]]]
    assert _events(db, "sla.policy") == ["sla.policy.created", "sla.policy.updated"]


def test_a_wrong_step_is_refused_on_its_row_and_nothing_is_written(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    good = {"esc-0-on": "at_risk", "esc-0-action": "notify"}
    cases = [
        (
            {"esc-1-on": "breached", "esc-1-action": "notify", "esc-1-priority": "2"},
            "esc-1",
            "not an option of notify",
        ),
        ({"esc-1-on": "breached"}, "esc-1", "must be one of"),
        ({"esc-1-action": "reassign"}, "esc-1", "must be at_risk or breached"),
        (
            {"esc-1-on": "breached", "esc-1-action": "notify", "esc-1-roles": "boss"},
            "esc-1",
            "a non-empty list of",
        ),
        (
            {"esc-1-on": "breached", "esc-1-action": "notify", "esc-1-users": "who@else.test"},
            "esc-1",
            "no user of this brand",
        ),
        (
            {"esc-1-on": "breached", "esc-1-action": "notify", "esc-1-users": "admin@globex.test"},
            "esc-1",
            "no user of this brand",
        ),
    ]
    for rows, field, words in cases:
        r = web.post(f"{SLA}/policies", data=_steps_form(csrf, **good, **rows))
        assert r.status_code == 422, rows
        assert f'data-field="{field}"' in r.text and words in r.text, (rows, r.text[-3000:])
        assert 'name="esc-0-action"' in r.text and 'value="notify" selected' in r.text
    assert _escalations(db) == [] and _events(db, "sla.") == []
    # a refused edit leaves the policy's steps as they were
    web.post(f"{SLA}/policies", data=_steps_form(csrf, **good))
    with db.reading() as s:
        policy_id = s.scalar(select(SlaPolicy.id))
    bad = web.post(
        f"{SLA}/policies/{policy_id}",
        data=_steps_form(csrf, **good, **{"esc-1-on": "breached", "esc-1-action": "fly"}),
    )
    assert bad.status_code == 422 and 'data-field="esc-1"' in bad.text
    assert _escalations(db) == [[{"on": "at_risk", "action": "notify"}]]


def test_a_calendar_opens_on_exceptional_days_and_an_opening_needs_its_hours(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    sunday = {**PARIS, "openings": "2026-12-20 10:00-18:00\n"}
    r = web.post(f"{SLA}/calendars", data={"csrf_token": csrf, **sunday})
    assert r.status_code == 303, r.text[-2000:]
    with db.reading() as s:
        cal = s.scalars(select(Calendar)).one()
        assert cal.openings == [{"date": "2026-12-20", "hours": [["10:00", "18:00"]]}]
        cal_id = cal.id
    assert "2026-12-20 10:00-18:00</textarea>" in web.get(f"{SLA}/calendars/{cal_id}").text
    for openings, words in (
        ("2026-12-20", "an opening needs its hours"),
        ("2026-12-20..2026-12-21 10:00-12:00", "only a whole-day closure spans"),
        ("20/12/2026 10:00-18:00", "YYYY-MM-DD"),
    ):
        r = web.post(
            f"{SLA}/calendars/{cal_id}", data={"csrf_token": csrf, **PARIS, "openings": openings}
        )
        assert r.status_code == 422, openings
        assert 'data-field="openings"' in r.text and words in r.text, (openings, r.text[-2000:])
    with db.reading() as s:
        assert s.scalars(select(Calendar.openings)).one() == cal.openings
