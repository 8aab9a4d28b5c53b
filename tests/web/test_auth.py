"""Login, logout, expiry, CSRF, password change, security headers: real HTTP through
TestClient on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from omnicase.model import Event, User, WebSession
from omnicase.services.orgs import verify_password
from omnicase.store.db import Database
from omnicase.web.auth import COOKIE
from omnicase.web.headers import CSP
from tests.factories import World
from tests.web.conftest import PASSWORD, csrf_of, login


def test_pages_need_a_session_and_login_opens_one(
    world: World, web: TestClient, db: Database
) -> None:
    r = web.get("/inbox?status=open")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/inbox%3Fstatus%3Dopen"
    form = web.get("/login")
    r = web.post(
        "/login",
        data={
            "email": "agent@acme.test",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "/inbox?status=open",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/inbox?status=open"
    cookie = r.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in the test, setting "auto"
    assert web.get("/inbox").status_code == 200
    with db.reading() as s:
        row = s.scalar(select(WebSession))
        assert row is not None
        token = web.cookies[COOKIE]
        assert token not in row.id and len(row.id) == 64  # only the sha256 is stored
        assert row.expires_at - row.created_at == timedelta(hours=24)
        assert s.scalar(select(Event.id).where(Event.kind == "web.login")) is not None


def test_wrong_password_and_foreign_next_are_refused(world: World, web: TestClient) -> None:
    form = web.get("/login")
    token = csrf_of(form.text)
    r = web.post(
        "/login", data={"email": "agent@acme.test", "password": "nope", "csrf_token": token}
    )
    assert r.status_code == 401 and COOKIE not in r.cookies
    assert "Wrong email or password" in r.text or "incorrect" in r.text
    r = web.post(
        "/login",
        data={"email": "nobody@acme.test", "password": PASSWORD, "csrf_token": token},
    )
    assert r.status_code == 401
    r = web.post(
        "/login",
        data={
            "email": "agent@acme.test",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/inbox"


def test_login_without_the_form_token_is_refused(world: World, web: TestClient) -> None:
    r = web.post("/login", data={"email": "agent@acme.test", "password": PASSWORD})
    assert r.status_code == 403 and COOKIE not in r.cookies


def test_logout_revokes_the_session(world: World, web: TestClient, db: Database) -> None:
    csrf = login(web, "agent@acme.test")
    stolen = web.cookies[COOKIE]
    r = web.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303
    web.cookies.set(COOKIE, stolen)  # a copy of the cookie is worthless now
    assert web.get("/inbox").status_code == 303
    with db.reading() as s:
        assert s.scalar(select(WebSession.revoked_at)) is not None


def test_idle_and_absolute_expiry(world: World, web: TestClient, db: Database) -> None:
    login(web, "agent@acme.test")
    assert web.get("/inbox").status_code == 200
    with db.transaction() as s:
        row = s.scalars(select(WebSession)).one()
        s.execute(
            update(WebSession).values(last_seen_at=row.last_seen_at - timedelta(hours=8, minutes=1))
        )
    assert web.get("/inbox").status_code == 303  # idle 8 h
    login(web, "agent@acme.test")
    with db.transaction() as s:
        s.execute(
            update(WebSession)
            .where(WebSession.revoked_at.is_(None))
            .values(expires_at=WebSession.created_at)  # absolute end reached
        )
    assert web.get("/inbox").status_code == 303


def test_every_post_needs_the_csrf_token(world: World, web: TestClient) -> None:
    csrf = login(web, "agent@acme.test")
    for path, data in (
        ("/presence", {"presence": "online"}),
        ("/logout", {}),
        (
            "/account/password",
            {"current_password": PASSWORD, "new_password": "x" * 12, "confirm_password": "x" * 12},
        ),
    ):
        assert web.post(path, data=data).status_code == 403, path
        assert web.post(path, data={**data, "csrf_token": "wrong"}).status_code == 403, path
        assert web.post(path, data=data, headers={"X-CSRF-Token": csrf + "x"}).status_code == 403
    # the header (HTMX) and the field (forms) both work
    assert (
        web.post("/presence", data={"presence": "away"}, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )
    r = web.post("/presence", data={"presence": "online", "csrf_token": csrf})
    assert r.status_code == 200 and "presence-online" in r.text


def test_another_session_s_token_does_not_pass(world: World, db: Database) -> None:
    from omnicase.api.app import create_app

    app = create_app(db)
    with TestClient(app, follow_redirects=False) as a, TestClient(app, follow_redirects=False) as b:
        csrf_a = login(a, "agent@acme.test")
        login(b, "agent@acme.test")
        assert (
            b.post("/presence", data={"presence": "away", "csrf_token": csrf_a}).status_code == 403
        )


def test_password_change_needs_the_current_one_and_logs_out_other_sessions(
    world: World, db: Database
) -> None:
    from omnicase.api.app import create_app

    app = create_app(db)
    with (
        TestClient(app, follow_redirects=False) as me,
        TestClient(app, follow_redirects=False) as other,
    ):
        csrf = login(me, "agent@acme.test")
        login(other, "agent@acme.test")
        r = me.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current_password": "wrong one",
                "new_password": "n" * 12,
                "confirm_password": "n" * 12,
            },
        )
        assert r.status_code == 422 and 'data-field="current_password"' in r.text
        r = me.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current_password": PASSWORD,
                "new_password": "short",
                "confirm_password": "short",
            },
        )
        assert r.status_code == 422 and 'data-field="new_password"' in r.text
        new = "a much better passphrase"
        r = me.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current_password": PASSWORD,
                "new_password": new,
                "confirm_password": new,
            },
        )
        assert r.status_code == 200
        assert me.get("/inbox").status_code == 200  # this session stays
        assert other.get("/inbox").status_code == 303  # the other one is revoked
    with db.reading() as s:
        user = s.scalars(select(User).where(User.email == "agent@acme.test")).one()
        assert verify_password(user, new) and not verify_password(user, PASSWORD)


def test_security_headers_on_pages(world: World, web: TestClient) -> None:
    for r in (web.get("/login"),):
        assert r.headers["content-security-policy"] == CSP
        assert "default-src 'self'" in CSP and "img-src 'self' data:" in CSP
        assert "'unsafe-inline'" not in CSP
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
    login(web, "agent@acme.test")
    page = web.get("/inbox")
    assert page.headers["content-security-policy"] == CSP
    assert "<script>" not in page.text and " on" + "click=" not in page.text
    js = web.get("/static/htmx.min.js")
    assert js.status_code == 200 and js.headers["x-content-type-options"] == "nosniff"


def test_language_from_choice_then_browser_then_brand(world: World, web: TestClient) -> None:
    csrf = login(web, "agent@globex.test")  # globex's language is English
    assert "Inbox" in web.get("/inbox").text
    fr = web.get("/inbox", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Boîte de réception" in fr.text
    web.post("/language", data={"lang": "fr", "csrf_token": csrf, "back": "/inbox"})
    assert "Boîte de réception" in web.get("/inbox", headers={"Accept-Language": "en"}).text
    assert web.post("/language", data={"lang": "de"}).status_code == 422


def test_navigation_follows_the_role(world: World, db: Database) -> None:
    from omnicase.api.app import create_app

    app = create_app(db)
    expected = {
        "agent@acme.test": ({"/inbox"}, {"/supervisor", "/planner", "/supervisor/config"}),
        "supervisor@acme.test": (
            {"/inbox", "/supervisor", "/kpis", "/qa", "/supervisor/config"},
            {"/planner"},
        ),
        "planner@acme.test": ({"/planner"}, {"/inbox", "/supervisor"}),
        "admin@acme.test": (
            {"/inbox", "/supervisor", "/kpis", "/qa", "/planner", "/supervisor/config"},
            set(),
        ),
    }
    for email, (shown, hidden) in expected.items():
        with TestClient(app, follow_redirects=False) as c:
            login(c, email)
            html = c.get("/account").text
            nav = html.split('class="mainnav"')[1].split("</nav>")[0]
            for href in shown:
                assert f'href="{href}"' in nav, (email, href)
            for href in hidden:
                assert f'href="{href}"' not in nav, (email, href)
