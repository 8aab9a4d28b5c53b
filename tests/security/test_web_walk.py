"""The generated access test, web pages: every web page route (found by introspection)
as every user of the seeded world, logged in with a cookie session, with path values of
every scope. No marker of a case, customer, message or attachment outside the user's
scope in the HTML; no 200 on an out-of-scope object; a form posted (with a valid CSRF
token) on an out-of-scope object answers 403/404 and changes nothing.

Anonymous callers and the classification of the web POSTs are in test_route_walk.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from omnicase.api.app import create_app
from omnicase.config import Settings
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from omnicase.web.auth import COOKIE, LoginAttempt, Timeouts, do_login
from tests.security.routes import RouteInfo
from tests.security.test_route_walk import PUBLIC, ROUTES, WHO, fill_values, filled, leaks
from tests.security.web_forms import BRAND_READABLE, WEB_FORMS, WEB_STREAMS
from tests.security.world import CASE_SCOPES, Seeded, digest, may_see, seed
from tests.web.conftest import PASSWORD, give_passwords

PAGES = [
    r for r in ROUTES if not r.path.startswith("/api/") and r.key not in PUBLIC and r.method != "WS"
]
EMAIL = {"callpro:unengaged": "agent2@callpro.test", "callpro:overflow": "overflow@callpro.test"}


def email_of(who: str) -> str:
    org, role = who.split(":")
    return EMAIL.get(who, f"{role}@{org}.test")


@pytest.fixture
def web_world(db: Database, tmp_path: Path) -> Iterator[tuple[Seeded, TestClient]]:
    world = seed(db, tmp_path / "attachments", tmp_path / "var")
    give_passwords(db, *[email_of(w) for w in WHO])
    settings = Settings(
        database_url="sqlite://",
        attachments_dir=tmp_path / "attachments",
        data_dir=tmp_path / "var",
    )
    with TestClient(create_app(db, settings), follow_redirects=False) as client:
        yield world, client


def log_in(db: Database, client: TestClient, who: str) -> str:
    """A session through the web auth service (the form's path, without the form);
    the cookie is set on the client; returns the session's CSRF token."""
    with db.transaction() as s:
        attempt = LoginAttempt(email=email_of(who), ip="127.0.0.1", user_agent="walk", now=utcnow())
        row, token = do_login(s, attempt, PASSWORD, Timeouts())
        csrf = row.csrf_secret
    client.cookies.set(COOKIE, token)
    return csrf


def attachment_urls(route: RouteInfo, world: Seeded) -> Iterator[tuple[str, list[str], list[str]]]:
    """Every case reference with every message, each with its own attachment and with the
    next message's (another scope's, or another case's): the combinations an attachment
    check can get wrong (case, message and digest each from elsewhere), at a fifth of the
    full product's requests."""
    messages = list(zip(world.values("message_id"), world.values("sha256"), strict=True))
    for ref in world.values("reference"):
        for i, (message_id, own_sha) in enumerate(messages):
            for sha in (own_sha, messages[(i + 1) % len(messages)][1]):
                yield filled(route, world, [ref, message_id, sha])


def page_urls(route: RouteInfo, world: Seeded) -> Iterator[tuple[str, list[str], list[str]]]:
    """The route's URLs; a message frame is tried with each case's own message and with
    the message of the next scope's case (prefixed references only, to stay fast)."""
    if route.params == ["reference", "message_id", "sha256"]:
        yield from attachment_urls(route, world)
        return
    if route.params != ["reference", "message_id"]:
        yield from fill_values(route, world)
        return
    scopes = list(world.cases)
    for ref in world.values("reference"):
        if ref.isdigit():
            continue
        scope = world.owner[("reference", ref)]
        case_id = int(ref.rsplit("-", 1)[1])
        own = next(m for c, m, _ in world.cases[scope] if c == case_id)
        other = scopes[(scopes.index(scope) + 1) % len(scopes)]
        for message_id, owner in ((own, scope), (world.cases[other][0][1], other)):
            url = route.path.replace("{reference}", ref).replace("{message_id}", str(message_id))
            yield url, [scope, owner], [ref, str(message_id)]


@pytest.mark.parametrize("who", WHO)
def test_web_pages_never_show_another_scope(
    web_world: tuple[Seeded, TestClient], db: Database, who: str
) -> None:
    world, client = web_world
    log_in(db, client, who)
    calls = 0
    ok = 0
    attachments_read = 0
    for route in PAGES:
        if route.method != "GET" or route.key in WEB_STREAMS:
            continue
        for url, owners, _ in page_urls(route, world):
            r = client.get(url)
            calls += 1
            ok += r.status_code == 200
            attachments_read += r.status_code == 200 and "/attachments/" in url
            assert r.status_code < 500, (who, url, r.status_code, r.text[:300])
            assert r.status_code != 303 or not r.headers["location"].startswith("/login"), url
            found = leaks(r.text, world, who)
            assert found == [], (who, url, found[:5])
            if r.status_code == 200 and any(
                not may_see(who, o) for o in owners if o in CASE_SCOPES
            ):
                pytest.fail(f"{who} read {url}, owned by {owners}")
    assert calls > 40 and ok >= 3
    # each in-scope message's own attachment, by both forms of its case's reference
    visible = [m for scope, cases in world.cases.items() if may_see(who, scope) for m in cases]
    assert attachments_read == 2 * len(visible), (who, attachments_read)
    # the walk sees real content: the inbox shows the user's own cases' markers
    inbox = client.get("/inbox").text
    mine = [m for s in CASE_SCOPES if may_see(who, s) for m in world.markers[s]]
    assert not mine or any(m in inbox for m in mine), who
    # counts: the supervisor's board waits on exactly the in-scope cases (all are new)
    board = client.get("/supervisor/panels")
    if board.status_code == 200:
        waiting = re.search(r'data-testid="total-waiting">(\d+)<', board.text)
        assert waiting is not None, who
        assert int(waiting.group(1)) == 2 * sum(may_see(who, s) for s in CASE_SCOPES), who


def may_read_brand(who: str, owner: str) -> bool:
    """Brand-wide things (macros) are read by the brand and by the provider staff engaged
    on it (the case in the same URL still has to be in their scope)."""
    org, role = who.split(":")
    return owner == "org:acme" and org == "callpro" and role not in ("unengaged", "overflow")


def _posts(world: Seeded, who: str) -> Iterator[tuple[str, dict[str, str]]]:
    for route in PAGES:
        if route.key not in WEB_FORMS or not route.params:
            continue
        for url, owners, combo in fill_values(route, world):
            outside = [o for o in owners if not may_see(who, o)]
            if route.key in BRAND_READABLE:  # staff engaged on the brand read its macros
                outside = [o for o in outside if not may_read_brand(who, o)]
            if outside:
                yield url, WEB_FORMS[route.key](world, combo[0])


@pytest.mark.parametrize("who", ["acme:admin", "globex:agent", "callpro:admin", "callpro:agent"])
def test_web_posts_on_another_scope_change_nothing(
    web_world: tuple[Seeded, TestClient], db: Database, who: str
) -> None:
    world, client = web_world
    csrf = log_in(db, client, who)
    before = digest(db)
    tried = 0
    for url, form in _posts(world, who):
        r = client.post(url, data={**form, "csrf_token": csrf})
        tried += 1
        assert r.status_code in (403, 404), (who, url, r.status_code, r.text[:300])
        assert leaks(r.text, world, who) == [], (who, url)
    assert tried > 10
    assert digest(db) == before, who
