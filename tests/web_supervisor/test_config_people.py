"""Users and teams configuration over real HTTP: teams created, renamed, users moved,
roles changed, deactivated — who may do what (admins everyone, supervisors the agents,
planners and viewers), the last admin kept, refusals next to the field with nothing
written, CSRF."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from omnicase.ingest.pipeline import ingest
from omnicase.model import (
    Case,
    Engagement,
    Event,
    OverflowRule,
    Role,
    SlaPolicy,
    Team,
    TeamHours,
    User,
)
from omnicase.services.cases import ActionError
from omnicase.services.orgs import do_create_user, get_org
from omnicase.services.staff import (
    brand_user,
    do_add_team,
    do_delete_team,
    do_set_active,
    do_set_role,
    grantable_roles,
)
from omnicase.store.db import Database
from omnicase.store.scope import principal_for
from tests.factories import World, message
from tests.web.conftest import PASSWORD, give_passwords, login

USERS = "/supervisor/config/users"


def _user(db: Database, email: str) -> User:
    with db.reading() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        s.expunge(user)
        return user


def _teams(db: Database, world: World) -> list[str]:
    with db.reading() as s:
        return list(
            s.scalars(
                select(Team.name).where(Team.organisation_id == world.ids["acme"]).order_by(Team.id)
            )
        )


def _events(db: Database, kind: str) -> list[dict[str, object]]:
    with db.reading() as s:
        return [e.data for e in s.scalars(select(Event).where(Event.kind == kind))]


def test_a_supervisor_creates_renames_a_team_and_moves_an_agent_into_it(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "supervisor@acme.test")
    r = web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": " Retours  "})
    assert r.status_code == 303 and r.headers["location"] == USERS
    assert _teams(db, world) == ["Retours"]
    with db.reading() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == "Retours"))
    agent = world.ids["acme:agent"]
    r = web.post(
        f"/supervisor/config/users/{agent}/team", data={"csrf_token": csrf, "team_id": team_id}
    )
    assert r.status_code == 303
    assert _user(db, "agent@acme.test").team_id == team_id
    r = web.post(
        f"/supervisor/config/teams/{team_id}", data={"csrf_token": csrf, "name": "Retours FR"}
    )
    assert r.status_code == 303
    assert _teams(db, world) == ["Retours FR"]
    page = web.get(USERS).text
    assert f'<option value="{team_id}" selected>Retours FR</option>' in page
    assert _events(db, "team.created") == [{"team": team_id, "name": "Retours"}]
    assert _events(db, "team.renamed") == [{"team": team_id, "from": "Retours", "to": "Retours FR"}]
    assert _events(db, "user.team_changed") == [{"user": agent, "from": None, "to": team_id}]
    # out of the team again
    web.post(f"/supervisor/config/users/{agent}/team", data={"csrf_token": csrf, "team_id": ""})
    assert _user(db, "agent@acme.test").team_id is None


def test_team_names_refused_next_to_the_field_and_nothing_written(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "supervisor@acme.test")
    web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Paris"})
    web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Lyon"})
    blank = web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "  "})
    assert blank.status_code == 422 and 'data-field="team_name"' in blank.text
    twice = web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Paris"})
    assert twice.status_code == 422 and "another team is named" in twice.text
    assert 'value="Paris"' in twice.text  # what was typed stays
    with db.reading() as s:
        lyon = s.scalar(select(Team.id).where(Team.name == "Lyon"))
    clash = web.post(f"/supervisor/config/teams/{lyon}", data={"csrf_token": csrf, "name": "Paris"})
    assert clash.status_code == 422 and f'data-field="teams.{lyon}.name"' in clash.text
    assert _teams(db, world) == ["Paris", "Lyon"]
    assert _events(db, "team.renamed") == []
    # a provider's team is not the brand's: the brand's user cannot be put in it
    agent = world.ids["acme:agent"]
    other = web.post(
        f"/supervisor/config/users/{agent}/team",
        data={"csrf_token": csrf, "team_id": world.ids["team"]},
    )
    assert other.status_code == 422 and f'data-field="users.{agent}.team_id"' in other.text
    assert _user(db, "agent@acme.test").team_id is None
    assert (
        web.post(
            f"/supervisor/config/teams/{world.ids['team']}", data={"csrf_token": csrf, "name": "X"}
        ).status_code
        == 404
    )


def test_who_may_open_and_write_the_users_page(db: Database, world: World, web: TestClient) -> None:
    for email in ("agent@acme.test", "planner@acme.test", "supervisor@callpro.test"):
        web.cookies.clear()
        csrf = login(web, email)
        assert web.get(USERS).status_code == 403, email
        r = web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "X"})
        assert r.status_code == 403, email
    assert _teams(db, world) == []
    web.cookies.clear()
    login(web, "supervisor@acme.test")
    forged = web.post("/supervisor/config/teams", data={"team_name": "Forged"})
    assert forged.status_code == 403
    agent = world.ids["acme:agent"]
    forged = web.post(f"/supervisor/config/users/{agent}/active", data={"active": "0"})
    assert forged.status_code == 403
    assert _teams(db, world) == [] and _user(db, "agent@acme.test").active
    # another brand's user does not exist for acme
    csrf = login(web, "supervisor@acme.test")
    r = web.post(
        f"/supervisor/config/users/{world.ids['globex:agent']}/active",
        data={"csrf_token": csrf, "active": "0"},
    )
    assert r.status_code == 404 and _user(db, "agent@globex.test").active


def test_supervisors_manage_agents_admins_manage_everyone(
    db: Database, world: World, web: TestClient
) -> None:
    agent, admin = world.ids["acme:agent"], world.ids["acme:admin"]
    csrf = login(web, "supervisor@acme.test")
    page = web.get(USERS).text
    assert f'action="/supervisor/config/users/{agent}/role"' in page
    assert f'action="/supervisor/config/users/{admin}/role"' not in page
    assert '<option value="admin"' not in page  # not offered to a supervisor
    ok = web.post(f"{USERS}/{agent}/role", data={"csrf_token": csrf, "role": "planner"})
    assert ok.status_code == 303 and _user(db, "agent@acme.test").role == "planner"
    up = web.post(f"{USERS}/{agent}/role", data={"csrf_token": csrf, "role": "admin"})
    assert up.status_code == 403 and f'data-field="users.{agent}.role"' in up.text
    peer = web.post(f"{USERS}/{agent}/role", data={"csrf_token": csrf, "role": "supervisor"})
    assert peer.status_code == 403
    down = web.post(f"{USERS}/{admin}/role", data={"csrf_token": csrf, "role": "agent"})
    assert down.status_code == 403 and "only the brand&#39;s admins" in down.text
    off = web.post(f"{USERS}/{admin}/active", data={"csrf_token": csrf, "active": "0"})
    assert off.status_code == 403
    bad = web.post(f"{USERS}/{agent}/role", data={"csrf_token": csrf, "role": "boss"})
    assert bad.status_code == 422 and "must be one of" in bad.text
    created = web.post(
        USERS,
        data={"csrf_token": csrf, "email": "boss@acme.test", "name": "Boss", "role": "admin"},
    )
    assert created.status_code == 403 and 'data-field="role"' in created.text
    with db.reading() as s:
        assert s.scalar(select(User).where(User.email == "boss@acme.test")) is None
    assert _user(db, "agent@acme.test").role == "planner"
    assert _user(db, "admin@acme.test").role == "admin" and _user(db, "admin@acme.test").active
    assert _events(db, "user.role_changed") == [{"user": agent, "from": "agent", "to": "planner"}]
    web.cookies.clear()
    csrf = login(web, "admin@acme.test")
    r = web.post(f"{USERS}/{agent}/role", data={"csrf_token": csrf, "role": "supervisor"})
    assert r.status_code == 303 and _user(db, "agent@acme.test").role == "supervisor"


def test_a_supervisor_creates_an_agent_in_a_team(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "supervisor@acme.test")
    web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Chat"})
    with db.reading() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == "Chat"))
    r = web.post(
        USERS,
        data={
            "csrf_token": csrf,
            "email": "Nina@Acme.test",
            "name": "Nina",
            "role": "agent",
            "team_id": str(team_id),
        },
    )
    assert r.status_code == 303
    nina = _user(db, "nina@acme.test")
    assert (nina.role, nina.team_id, nina.organisation_id) == ("agent", team_id, world.ids["acme"])
    bad_team = web.post(
        USERS,
        data={
            "csrf_token": csrf,
            "email": "omar@acme.test",
            "name": "Omar",
            "role": "agent",
            "team_id": str(world.ids["team"]),
        },
    )
    assert bad_team.status_code == 422 and 'data-field="team_id"' in bad_team.text
    with db.reading() as s:
        assert s.scalar(select(User).where(User.email == "omar@acme.test")) is None


def test_deactivation_nobody_themselves_and_the_last_admin_stays(
    db: Database, world: World, web: TestClient
) -> None:
    agent, admin = world.ids["acme:agent"], world.ids["acme:admin"]
    csrf = login(web, "supervisor@acme.test")
    me = world.ids["acme:supervisor"]
    self_off = web.post(f"{USERS}/{me}/active", data={"csrf_token": csrf, "active": "0"})
    assert self_off.status_code == 403  # a supervisor is managed by admins only
    r = web.post(f"{USERS}/{agent}/active", data={"csrf_token": csrf, "active": "0"})
    assert r.status_code == 303 and not _user(db, "agent@acme.test").active
    assert _events(db, "user.deactivated") == [{"user": agent}]
    r = web.post(f"{USERS}/{agent}/active", data={"csrf_token": csrf, "active": "1"})
    assert r.status_code == 303 and _user(db, "agent@acme.test").active
    web.cookies.clear()
    csrf = login(web, "admin@acme.test")
    mine = web.post(f"{USERS}/{admin}/active", data={"csrf_token": csrf, "active": "0"})
    assert mine.status_code == 422 and "cannot deactivate yourself" in mine.text
    assert f'data-field="users.{admin}.active"' in mine.text
    last = web.post(f"{USERS}/{admin}/role", data={"csrf_token": csrf, "role": "supervisor"})
    assert last.status_code == 422 and "last active admin" in last.text
    assert _user(db, "admin@acme.test").role == "admin"
    # with a second admin, the first may step down; the second is then the last one
    with db.transaction() as s:
        second = do_create_user(
            s, get_org(s, "acme"), email="admin2@acme.test", name="Ada", role="admin"
        ).id
    give_passwords(db, "admin2@acme.test")
    r = web.post(f"{USERS}/{admin}/role", data={"csrf_token": csrf, "role": "supervisor"})
    assert r.status_code == 303 and _user(db, "admin@acme.test").role == "supervisor"
    web.cookies.clear()
    csrf = login(web, "admin2@acme.test", PASSWORD)
    deactivated_others = web.post(
        f"{USERS}/{admin}/active", data={"csrf_token": csrf, "active": "0"}
    )
    assert deactivated_others.status_code == 303
    alone = web.post(f"{USERS}/{second}/role", data={"csrf_token": csrf, "role": "agent"})
    assert alone.status_code == 422 and _user(db, "admin2@acme.test").role == "admin"
    with db.reading() as s:
        admins = s.scalar(
            select(func.count(User.id)).where(
                User.organisation_id == world.ids["acme"], User.role == "admin", User.active
            )
        )
    assert admins == 1


def test_a_deactivated_user_can_no_longer_log_in(
    db: Database, world: World, web: TestClient
) -> None:
    agent_client = TestClient(web.app, follow_redirects=False)
    login(agent_client, "agent@acme.test")
    assert agent_client.get("/inbox").status_code == 200
    csrf = login(web, "supervisor@acme.test")
    web.post(f"{USERS}/{world.ids['acme:agent']}/active", data={"csrf_token": csrf, "active": "0"})
    assert agent_client.get("/inbox").status_code == 303  # the session stops at once


def test_the_staff_rules_hold_in_the_service_itself(db: Database, world: World) -> None:
    """Not only the pages: ``services.staff`` refuses a provider's staff, a supervisor's
    reach beyond agents, and the brand's last admin stepping down."""
    with db.transaction() as s:
        provider_admin = principal_for(s, _get(s, world.ids["callpro:admin"]))
        supervisor = principal_for(s, _get(s, world.ids["acme:supervisor"]))
        admin = principal_for(s, _get(s, world.ids["acme:admin"]))
        with pytest.raises(ActionError) as refused:
            do_add_team(s, provider_admin, "Lille bis")
        assert refused.value.status == 403
        with pytest.raises(ActionError) as refused:
            brand_user(s, supervisor, world.ids["acme:admin"])
        assert refused.value.status == 403
        with pytest.raises(ActionError) as refused:
            brand_user(s, admin, world.ids["globex:agent"])
        assert refused.value.status == 404
        me = _get(s, world.ids["acme:admin"])
        with pytest.raises(ActionError, match="last active admin"):
            do_set_role(s, admin, me, "viewer")
        with pytest.raises(ActionError, match="yourself"):
            do_set_active(s, admin, me, False)
        assert grantable_roles(supervisor) == ("agent", "planner", "viewer")
        assert grantable_roles(admin) == tuple(Role.__members__)
        assert grantable_roles(provider_admin) == ()


def _get(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    assert user is not None
    return user


def _delete(web: TestClient, csrf: str, team_id: int) -> httpx.Response:
    response: httpx.Response = web.post(
        f"/supervisor/config/teams/{team_id}/delete", data={"csrf_token": csrf}
    )
    return response


def test_an_admin_deletes_an_unused_team_and_its_deactivated_members_leave_it(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Renfort"})
    with db.transaction() as s:
        team = s.scalars(select(Team).where(Team.name == "Renfort")).one()
        team_id = team.id
        agent = _get(s, world.ids["acme:agent"])
        agent.team_id, agent.active = team_id, False
        s.add(TeamHours(team_id=team_id, timezone="Europe/Paris", weekly={}))
    page = web.get(USERS).text
    assert f'action="/supervisor/config/teams/{team_id}/delete"' in page
    r = web.post(f"/supervisor/config/teams/{team_id}/delete", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == USERS
    assert _teams(db, world) == []
    assert _user(db, "agent@acme.test").team_id is None
    with db.reading() as s:
        assert s.scalars(select(TeamHours)).all() == []
    assert _events(db, "team.deleted") == [
        {"team": team_id, "name": "Renfort", "members_cleared": [world.ids["acme:agent"]]}
    ]
    gone = web.post(f"/supervisor/config/teams/{team_id}/delete", data={"csrf_token": csrf})
    assert gone.status_code == 404


def test_only_admins_delete_a_team_of_their_own_brand(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "supervisor@acme.test")
    web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Renfort"})
    with db.reading() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == "Renfort"))
    assert f"/teams/{team_id}/delete" not in web.get(USERS).text
    refused = web.post(f"/supervisor/config/teams/{team_id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 403
    web.cookies.clear()
    csrf = login(web, "admin@globex.test")
    other = web.post(f"/supervisor/config/teams/{team_id}/delete", data={"csrf_token": csrf})
    assert other.status_code == 404
    provider_team = web.post(
        f"/supervisor/config/teams/{world.ids['team']}/delete", data={"csrf_token": csrf}
    )
    assert provider_team.status_code == 404
    web.cookies.clear()
    csrf = login(web, "admin@acme.test")
    forged = web.post(f"/supervisor/config/teams/{team_id}/delete")
    assert forged.status_code == 403  # no CSRF token
    assert _teams(db, world) == ["Renfort"] and _events(db, "team.deleted") == []


def test_a_team_something_depends_on_is_kept_and_the_row_says_why(
    db: Database, world: World, web: TestClient
) -> None:
    """Each dependant refuses the deletion in turn, with nothing written; the web row
    shows the refusal; once the last one is gone (history aside) the team can go."""
    csrf = login(web, "admin@acme.test")
    web.post("/supervisor/config/teams", data={"csrf_token": csrf, "team_name": "Renfort"})
    (result,) = ingest(db, [message(external_id="<t1@x>", text="Commande A-12345")])
    with db.transaction() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == "Renfort"))
        assert team_id is not None
        _get(s, world.ids["acme:agent"]).team_id = team_id
        engagement = s.scalars(select(Engagement)).first()
        assert engagement is not None
        s.add(
            OverflowRule(
                brand_id=world.ids["acme"],
                kind="outside_hours",
                params={"team_id": team_id},
                engagement_id=engagement.id,
            )
        )
        s.add(
            SlaPolicy(
                brand_id=world.ids["acme"],
                name="Email",
                channel="email",
                priority=-1,
                first_response_seconds=3600,
                escalations=[{"on": "breached", "action": "reassign", "team_id": team_id}],
            )
        )
    r = _delete(web, csrf, team_id)
    assert r.status_code == 422 and f'data-field="teams.{team_id}"' in r.text
    assert "active user(s)" in r.text

    def why() -> str:
        with db.transaction() as s:
            admin = principal_for(s, _get(s, world.ids["acme:admin"]))
            team = s.get(Team, team_id)
            assert team is not None
            with pytest.raises(ActionError) as refused:
                do_delete_team(s, admin, team)
            assert refused.value.status == 422
            return str(refused.value)

    with db.transaction() as s:
        _get(s, world.ids["acme:agent"]).team_id = None
        case = s.get(Case, result.case_id)
        assert case is not None
        case.team_id = team_id
    assert "open case(s)" in why()
    with db.transaction() as s:
        case = s.get(Case, result.case_id)
        assert case is not None
        case.status = "closed"
    assert "overflow rule(s)" in why()
    with db.transaction() as s:
        s.execute(delete(OverflowRule))
    assert "SLA policy Email" in why()
    with db.transaction() as s:
        s.execute(delete(SlaPolicy))
    assert "rename it instead" in why()  # the closed case is credited to the team
    assert _teams(db, world) == ["Renfort"] and _events(db, "team.deleted") == []
    with db.transaction() as s:
        case = s.get(Case, result.case_id)
        assert case is not None
        case.team_id = None
    assert _delete(web, csrf, team_id).status_code == 303
    assert _teams(db, world) == []
