"""Supervisor and planner pages over real HTTP (TestClient), SQLite and PostgreSQL:
who may open what, what each sees, forms' validation next to the field, CSRF."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case, ChannelAccount, RoutingQueue, User
from omnicase.store.db import Database
from tests.factories import World, message
from tests.routing.helpers import add_agent, queue
from tests.web.conftest import login
from tests.web_supervisor.history import seed_history

PAGES = (
    "/supervisor",
    "/supervisor/panels",
    "/supervisor/config/queues",
    "/supervisor/config/overflow",
    "/supervisor/config/engagements",
    "/supervisor/config/sla",
    "/supervisor/config/users",
    "/supervisor/config/macros",
    "/supervisor/config/channels",
)


def test_agents_and_planners_cannot_open_supervisor_pages(
    db: Database, world: World, web: TestClient
) -> None:
    assert web.get("/supervisor").status_code == 303  # not logged in: to /login
    login(web, "agent@acme.test")
    for path in PAGES:
        assert web.get(path).status_code == 403, path
    web.cookies.clear()
    login(web, "planner@acme.test")
    assert web.get("/supervisor").status_code == 403
    assert web.get("/planner").status_code == 200
    web.cookies.clear()
    login(web, "supervisor@acme.test")
    for path in PAGES[:-1]:
        assert web.get(path).status_code == 200, path
    assert web.get("/supervisor/config/channels").status_code == 403  # the brand's admins
    assert web.get("/planner").status_code == 403  # planner / admin only
    web.cookies.clear()
    login(web, "admin@acme.test")
    for path in (*PAGES, "/planner"):
        assert web.get(path).status_code == 200, path


def test_the_dashboard_shows_the_brands_queues_and_sides(
    db: Database, world: World, web: TestClient
) -> None:
    queue(db, world, {"key": "orders", "name": "Commandes clients", "is_default": True})
    agent = add_agent(db, world, presence="offline")
    ingest_one(db, message(text="Où est ma commande A-12345 ?"))
    login(web, "supervisor@acme.test")
    html = web.get("/supervisor").text
    assert "Commandes clients" in html
    assert 'sse-connect="/supervisor/stream"' in html
    assert f'data-agent="{agent}" data-presence="offline"' in html
    assert 'data-side="internal"' in html and f'data-side="{world.ids["team"]}"' in html
    assert "Lille digital" in html and "Rabat voice" not in html  # the engaged team only


def test_a_provider_supervisor_sees_its_team_only_and_no_brand_configuration(
    db: Database, world: World, web: TestClient
) -> None:
    queue(db, world, {"key": "secret-vip", "name": "Acme VIP", "is_default": True})
    own = add_agent(db, world, presence="offline")
    ingest_one(db, message(channel="phone", text="appel", phone="+33612345678"))
    login(web, "supervisor@callpro.test")
    html = web.get("/supervisor").text
    assert 'data-side="internal"' not in html
    assert f'data-agent="{own}"' not in html  # acme's own agent
    assert "Lille digital" in html
    assert 'data-testid="total-waiting">0<' in html  # the phone case is not engaged
    for path in PAGES[2:]:
        assert web.get(path).status_code == 403, path


def test_another_brand_sees_nothing_of_acme(db: Database, world: World, web: TestClient) -> None:
    queue(db, world, {"key": "orders", "name": "Commandes Acme", "is_default": True})
    ingest_one(db, message(text="Où est ma commande ?"))
    login(web, "supervisor@globex.test")
    html = web.get("/supervisor").text
    assert "Commandes Acme" not in html and "Lille digital" not in html
    assert 'data-testid="total-waiting">0<' in html
    assert "Commandes Acme" not in web.get("/supervisor/config/queues").text


def test_queue_form_shows_the_services_refusal_next_to_the_field_and_writes_nothing(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "supervisor@acme.test")
    bad = web.post(
        "/supervisor/config/queues",
        data={"csrf_token": csrf, "key": "Returns Desk", "name": "Retours"},
    )
    assert bad.status_code == 422
    assert 'data-field="key"' in bad.text and "lowercase letters" in bad.text
    assert 'value="Retours"' in bad.text  # what was typed stays
    unknown = web.post(
        "/supervisor/config/queues",
        data={"csrf_token": csrf, "key": "returns", "reasons": "retour"},
    )
    assert unknown.status_code == 422 and 'data-field="reasons"' in unknown.text
    with db.reading() as s:
        assert s.scalars(select(RoutingQueue)).all() == []
    ok = web.post(
        "/supervisor/config/queues",
        data={"csrf_token": csrf, "key": "returns", "name": "Retours", "reasons": "return"},
    )
    assert ok.status_code == 303
    web.post(
        "/supervisor/config/queues",
        data={"csrf_token": csrf, "key": "general", "name": "Général", "is_default": "on"},
    )
    with db.reading() as s:
        rows = s.scalars(select(RoutingQueue).order_by(RoutingQueue.position)).all()
    assert [(q.key, q.rules, q.is_default) for q in rows] == [
        (
            "returns",
            [{"channels": [], "reasons": ["return"], "languages": [], "customer_tags": []}],
            False,
        ),
        ("general", [], True),
    ]
    # without the CSRF token nothing is written
    forged = web.post("/supervisor/config/queues", data={"key": "forged"})
    assert forged.status_code == 403
    with db.reading() as s:
        assert s.scalar(select(RoutingQueue).where(RoutingQueue.key == "forged")) is None


def test_queue_order_moves_and_a_hidden_queue_is_refused(
    db: Database, world: World, web: TestClient
) -> None:
    queue(db, world, {"key": "chat", "rules": [{"channels": ["chat"]}]})
    queue(db, world, {"key": "returns", "rules": [{"reasons": ["return"]}]})
    csrf = login(web, "supervisor@acme.test")
    with db.reading() as s:
        returns = s.scalar(select(RoutingQueue).where(RoutingQueue.key == "returns"))
        assert returns is not None
    r = web.post(
        f"/supervisor/config/queues/{returns.id}/move",
        data={"csrf_token": csrf, "direction": "up"},
    )
    assert r.status_code == 303
    with db.reading() as s:
        keys = [q.key for q in s.scalars(select(RoutingQueue).order_by(RoutingQueue.position))]
    assert keys == ["returns", "chat"]


def test_sla_policy_form_admin_only_and_validated(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "supervisor@acme.test")
    r = web.post(
        "/supervisor/config/sla/policies",
        data={"csrf_token": csrf, "channel": "email", "first_response_minutes": "60"},
    )
    assert r.status_code == 403  # the SLA service lets only admins write
    web.cookies.clear()
    csrf = login(web, "admin@acme.test")
    bad = web.post(
        "/supervisor/config/sla/policies",
        data={"csrf_token": csrf, "channel": "email", "first_response_minutes": "soon"},
    )
    assert bad.status_code == 422 and 'data-field="first_response_minutes"' in bad.text
    ok = web.post(
        "/supervisor/config/sla/policies",
        data={"csrf_token": csrf, "channel": "email", "first_response_minutes": "60"},
    )
    assert ok.status_code == 303
    page = web.get("/supervisor/config/sla").text
    assert "<td>email</td>" in page and '<td class="n">60</td>' in page


def test_users_form_and_channel_secrets_never_shown(
    db: Database, world: World, web: TestClient
) -> None:
    with db.transaction() as s:
        s.add(
            ChannelAccount(
                brand_id=world.ids["acme"],
                channel="sms",
                name="SMS FR",
                address="+33700000001",
                secrets={"auth_token": "gAAAA-ciphertext-never-shown"},
            )
        )
    csrf = login(web, "admin@acme.test")
    page = web.get("/supervisor/config/channels").text
    assert "gAAAA-ciphertext-never-shown" not in page
    assert 'data-secret="auth_token">auth_token: défini' in page  # acme speaks French
    bad = web.post(
        "/supervisor/config/users",
        data={"csrf_token": csrf, "email": "agent@acme.test", "name": "Dup", "role": "agent"},
    )
    assert bad.status_code == 422 and 'data-field="email"' in bad.text
    ok = web.post(
        "/supervisor/config/users",
        data={"csrf_token": csrf, "email": "new.agent@acme.test", "name": "Nina", "role": "agent"},
    )
    assert ok.status_code == 303
    with db.reading() as s:
        user = s.scalar(select(User).where(User.email == "new.agent@acme.test"))
        assert user is not None and user.organisation_id == world.ids["acme"]


def test_planner_pages_from_the_store_history(db: Database, world: World, web: TestClient) -> None:
    seed_history(db, date.today(), weeks=9)
    login(web, "planner@acme.test")
    html = web.get("/planner").text
    assert '<svg class="chart"' in html and 'data-series="forecast"' in html
    assert 'id="staffing"' in html and 'data-channel="chat"' in html
    bad = web.get("/planner/scenarios", params={"growth": "lots"})
    assert bad.status_code == 422 and 'data-field="growth"' in bad.text
    compare = web.get("/planner/scenarios", params={"growth": "4", "price": "2.5"})
    assert compare.status_code == 200
    for option in ("internal", "outsourced", "hybrid"):
        assert f'data-option="{option}"' in compare.text
    week = web.get("/planner/schedule")
    assert week.status_code == 200 and 'id="shifts"' in week.text
    web.cookies.clear()
    login(web, "planner@globex.test")
    assert 'data-testid="no-history"' in web.get("/planner").text
    assert web.get("/planner", params={"brand": "acme"}).status_code == 404


def test_no_case_is_left_unseen_by_the_count(db: Database, world: World, web: TestClient) -> None:
    """The total on the page is the brand's waiting cases (unassigned, new/open)."""
    for n in range(3):
        ingest_one(db, message(email=f"c{n}@example.fr", text=f"commande A-1000{n}"))
    with db.reading() as s:
        waiting = len(s.scalars(select(Case).where(Case.assignee_id.is_(None))).all())
    login(web, "supervisor@acme.test")
    assert f'data-testid="total-waiting">{waiting}<' in web.get("/supervisor/panels").text


def test_the_live_stream_is_for_supervisors_only(
    db: Database, world: World, web: TestClient
) -> None:
    assert web.get("/supervisor/stream").status_code == 303  # not logged in
    login(web, "agent@acme.test")
    assert web.get("/supervisor/stream").status_code == 403
