"""Web tests: a world (tests.factories) whose users can log in with a password."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from omnicase.api.app import create_app
from omnicase.model import User
from omnicase.services.orgs import hash_password
from omnicase.store.db import Database
from tests.factories import World, make_world

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)


def give_passwords(db: Database, *emails: str) -> None:
    """One argon2 hash shared by the test users (hashing is slow on purpose)."""
    with db.transaction() as s:
        s.execute(update(User).where(User.email.in_(emails)).values(password_hash=_HASH))


@pytest.fixture
def world(db: Database) -> World:
    world = make_world(db)
    give_passwords(
        db,
        *[
            f"{role}@{org}.test"
            for org in ("acme", "globex", "callpro")
            for role in ("admin", "supervisor", "agent", "planner", "viewer")
        ],
        "agent2@callpro.test",
    )
    return world


@pytest.fixture
def web(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Logs in through the form; returns the session's CSRF token (from the inbox)."""
    page = client.get("/login")
    assert page.status_code == 200
    r = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 303, r.text
    home = client.get(r.headers["location"])
    return csrf_of(home.text) if home.status_code == 200 else ""
