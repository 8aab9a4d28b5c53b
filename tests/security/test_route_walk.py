"""The generated access test: every route of the application, found by introspection, as
every user of every kind of organisation, with path parameters taken from every scope
(URL guessing included). No marker of a case, customer, message or attachment outside the
user's scope may appear in a body; list counts equal the in-scope expectation; a write on
an out-of-scope object answers 403/404/422 and changes nothing.

A new route is covered by itself (GETs are walked; every route but the public allow-list
must refuse an anonymous caller); a new write route also needs a body here, or the
classification test fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from omnicase.api.app import create_app
from omnicase.config import Settings
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.security.routes import RouteInfo, all_routes
from tests.security.web_forms import WEB_FORMS, WEB_STREAMS
from tests.security.world import CASE_SCOPES, Seeded, digest, may_see, seed

#: Routes anyone may call. None may return case data (asserted below).
PUBLIC = frozenset(
    {
        "GET /openapi.json",
        "GET /docs",
        "GET /docs/oauth2-redirect",
        "GET /redoc",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /chat/widget.js",
        "GET /chat/demo/{key}",
        "WS /chat/ws/{key}",
        "GET /forms/{brand}",
        "POST /forms/{brand}",
        "GET /webhooks/meta",
        "POST /webhooks/meta",
        "GET /webhooks/x",
        "POST /webhooks/x",
        "POST /webhooks/sms/{account_id}",
        "POST /webhooks/phone/{account_id}",
        # the web app's doors: the login form, the language switch (a cookie), and the
        # customer's survey pages, reached by an unguessable token (walked below)
        "GET /login",
        "POST /login",
        "POST /language",
        "GET /csat/{token}",
        "POST /csat/{token}",
    }
)
#: Endpoints that stream forever: walked by tests/security/test_engagement_end.py.
STREAMS = frozenset({"GET /api/v1/events/stream"})

Body = Callable[[Seeded, str], Any]


def _canonical(brand: str) -> dict[str, Any]:
    return {
        "brand": brand,
        "channel": "email",
        "external_id": "<walk-MARK-new@test>",
        "received_at": "2026-11-02T09:00:00+00:00",
        "from": {"email": "walk-new@example.org"},
        "text": "hello",
    }


#: A plausible body per write route (so the refusal is about scope, not shape). The
#: second argument is the out-of-scope value of the route's first path parameter.
BODIES: dict[str, Body] = {
    "PATCH /api/v1/cases/{reference}": lambda w, v: {"priority": 2, "status": "pending"},
    "POST /api/v1/cases/{reference}/merge": lambda w, v: {"into": v},
    "POST /api/v1/cases/{reference}/split": lambda w, v: {"message_id": 1},
    "POST /api/v1/cases/{reference}/notes": lambda w, v: {"text": "note"},
    "POST /api/v1/cases/{reference}/replies": lambda w, v: {"text": "reply"},
    "POST /api/v1/cases/{reference}/typing": lambda w, v: {"typing": True},
    "POST /api/v1/case-links/{link_id}/undo": lambda w, v: None,
    "POST /api/v1/customers/{customer_id}/merge": lambda w, v: {"into": int(v)},
    "PUT /api/v1/routing/customers/{customer_id}/tags": lambda w, v: {"tags": ["vip"]},
    "POST /api/v1/messages": lambda w, v: _canonical(v),
    "POST /api/v1/messages/batch": lambda w, v: {"messages": [_canonical(v)]},
    "PUT /api/v1/agents/{user_id}/profile": lambda w, v: {"skills": ["email"]},
    "PUT /api/v1/agents/{user_id}/presence": lambda w, v: {"presence": "available"},
    "PUT /api/v1/agents/me/presence": lambda w, v: {"presence": "available"},
    "POST /api/v1/agents/me/next-case": lambda w, v: None,
    "PUT /api/v1/routing/teams/{team_id}/hours": lambda w, v: {"hours": {}},
    "PATCH /api/v1/channel-accounts/{account_id}": lambda w, v: {"name": "x"},
    "DELETE /api/v1/channel-accounts/{account_id}": lambda w, v: None,
    "POST /api/v1/channel-accounts": lambda w, v: {},
    "PATCH /api/v1/sla/calendars/{calendar_id}": lambda w, v: {"name": "x"},
    "DELETE /api/v1/sla/calendars/{calendar_id}": lambda w, v: None,
    "POST /api/v1/sla/calendars": lambda w, v: {},
    "PATCH /api/v1/sla/policies/{policy_id}": lambda w, v: {"first_response_minutes": 5},
    "DELETE /api/v1/sla/policies/{policy_id}": lambda w, v: None,
    "POST /api/v1/sla/policies": lambda w, v: {},
    "PATCH /api/v1/routing/overflow-rules/{rule_id}": lambda w, v: {},
    "DELETE /api/v1/routing/overflow-rules/{rule_id}": lambda w, v: None,
    "POST /api/v1/routing/overflow-rules": lambda w, v: {},
    "PATCH /api/v1/routing/queues/{key}": lambda w, v: {},
    "DELETE /api/v1/routing/queues/{key}": lambda w, v: None,
    "POST /api/v1/routing/queues": lambda w, v: {},
    "PUT /api/v1/routing/settings": lambda w, v: {},
    "POST /api/v1/inbox/{inbox_id}/retry": lambda w, v: None,
    "POST /api/v1/jobs/{job_id}/retry": lambda w, v: None,
    "POST /api/v1/cases/{reference}/replies/check": lambda w, v: {"body": "a draft"},
    "POST /api/v1/customers/{customer_id}/erase": lambda w, v: None,
    "PUT /api/v1/engagements/{engagement_id}/contract": lambda w, v: {"objectives": {"csat": 4}},
    "POST /api/v1/engagements": lambda w, v: {"team_id": w.world.ids["team"]},
    "PATCH /api/v1/engagements/{engagement_id}": lambda w, v: {"channels": ["email"]},
    "POST /api/v1/engagements/{engagement_id}/end": lambda w, v: {"ends_on": "2030-01-01"},
    "POST /api/v1/inconsistencies/{row_id}/confirm": lambda w, v: None,
    "POST /api/v1/inconsistencies/{row_id}/dismiss": lambda w, v: None,
    "POST /api/v1/macros": lambda w, v: {"title": "walk", "body": "walk answer"},
    "PATCH /api/v1/macros/{macro_id}": lambda w, v: {"title": "walk"},
    "POST /api/v1/qa/grids": lambda w, v: {"name": "walk grid"},
    "POST /api/v1/qa/reviews": lambda w, v: {"message_id": int(v), "scores": {"accuracy": 80}},
    # computations (Reader POSTs): no stored object named; an empty body is enough
    "POST /api/v1/wfm/forecast": lambda w, v: {},
    "POST /api/v1/wfm/scenario": lambda w, v: {},
    "POST /api/v1/wfm/schedule": lambda w, v: {},
    "POST /api/v1/wfm/simulate": lambda w, v: {},
    "POST /api/v1/wfm/staff": lambda w, v: {},
}
#: A request that names a brand in its body: the out-of-scope values are brands.
BRAND_IN_BODY = frozenset({"POST /api/v1/messages", "POST /api/v1/messages/batch"})
#: A request that names a stored object in its body: (route → the parameter it names).
OBJECT_IN_BODY = {"POST /api/v1/qa/reviews": "message_id"}
#: Counted lists: (path, JSON key of the items, what each item's scope is read from).
COUNTED = {"/api/v1/cases?limit=200": "items", "/api/v1/customers?limit=200": "items"}

ROUTES = all_routes(create_app(Database("sqlite://")))
API = [r for r in ROUTES if r.path.startswith("/api/")]


@pytest.fixture
def seeded(db: Database, tmp_path: Path) -> Iterator[tuple[Seeded, TestClient]]:
    attachments = tmp_path / "attachments"
    world = seed(db, attachments, tmp_path / "var")
    settings = Settings(
        database_url="sqlite://", attachments_dir=attachments, data_dir=tmp_path / "var"
    )
    with TestClient(create_app(db, settings)) as client:
        yield world, client


def fill(route: RouteInfo, world: Seeded) -> Iterator[tuple[str, list[str]]]:
    """Every URL of the route from the seeded values, with the scopes it touches."""
    for url, owners, _ in fill_values(route, world):
        yield url, owners


def fill_values(route: RouteInfo, world: Seeded) -> Iterator[tuple[str, list[str], list[str]]]:
    params = route.params
    if not params:
        yield route.path, [], []
        return
    if params == ["message_id", "sha256"]:
        combos: list[tuple[str, ...]] = list(
            zip(world.values("message_id"), world.values("sha256"), strict=True)
        )
    else:
        pools = [world.values(p) or ["1", "999999"] for p in params]
        combos = list(product(*pools))
    for combo in combos:
        yield filled(route, world, combo)


def filled(
    route: RouteInfo, world: Seeded, combo: Sequence[str]
) -> tuple[str, list[str], list[str]]:
    """The route's URL with these path values, the scopes owning them, the values."""
    url = route.path
    for p, v in zip(route.params, combo, strict=True):
        url = url.replace("{" + p + "}", v)
    owners = [world.owner.get((p, v), "") for p, v in zip(route.params, combo, strict=True)]
    return url, [o for o in owners if o], list(combo)


def leaks(body: str, world: Seeded, who: str | None) -> list[str]:
    return [
        marker
        for scope in CASE_SCOPES
        if who is None or not may_see(who, scope)
        for marker in world.markers[scope]
        if marker in body
    ]


def test_every_route_is_classified() -> None:
    """A new route must be public (listed), a GET (walked), a stream, or have a body: an
    API body here, a web form in test_web_walk.py."""
    keys = {r.key for r in ROUTES}
    web = {r.key for r in ROUTES if r.key not in PUBLIC and not r.path.startswith("/api/")}
    unclassified = [
        k
        for k in sorted(keys)
        if k not in PUBLIC
        and k not in STREAMS | WEB_STREAMS
        and not k.startswith("GET ")
        and k not in (WEB_FORMS if k in web else BODIES)
    ]
    assert unclassified == [], f"classify these routes in {__file__}: {unclassified}"
    assert keys >= PUBLIC | STREAMS | WEB_STREAMS, "stale entries"
    assert set(BODIES) <= keys - web and set(WEB_FORMS) <= web, "stale entries"


def test_every_private_route_refuses_an_anonymous_caller(
    seeded: tuple[Seeded, TestClient],
) -> None:
    """API: 401. Web pages: to /login (303; 401 for HTMX), no marker either way."""
    world, client = seeded
    for route in ROUTES:
        if route.key in PUBLIC or route.method == "WS":
            continue
        url = next(fill(route, world))[0]
        r = client.request(route.method, url, json=None, follow_redirects=False)
        if route.path.startswith("/api/"):
            assert r.status_code == 401, (route.key, r.status_code)
        else:
            assert r.status_code in (303, 401), (route.key, r.status_code)
            if r.status_code == 303:
                assert r.headers["location"].startswith("/login"), (route.key, r.headers)
        assert leaks(r.text, world, None) == [], route.key


def test_the_public_routes_return_no_case_data(seeded: tuple[Seeded, TestClient]) -> None:
    world, client = seeded
    for route in ROUTES:
        if route.key not in PUBLIC or route.method != "GET":
            continue
        for url, _ in fill(route, world):
            r = client.get(url)
            assert r.status_code < 500, (url, r.status_code)
            assert leaks(r.text, world, None) == [], url
    # a survey page by a made-up token is a 404, not another customer's survey
    assert client.get("/csat/walk-survey-guessed").status_code == 404


WHO = [f"{o}:{r}" for o in ("acme", "globex", "callpro") for r in ("admin", "supervisor")]
WHO += [f"{o}:{r}" for o in ("acme", "globex", "callpro") for r in ("agent", "planner", "viewer")]
WHO += ["callpro:unengaged", "callpro:overflow"]


@pytest.mark.parametrize("who", WHO)
def test_reads_never_show_another_scope(seeded: tuple[Seeded, TestClient], who: str) -> None:
    world, client = seeded
    headers = auth(world.world.tokens[who])
    calls = 0
    for route in API:
        if route.method != "GET" or route.key in STREAMS or route.key in PUBLIC:
            continue
        for url, owners in fill(route, world):
            r = client.get(url, headers=headers, follow_redirects=False)
            calls += 1
            assert r.status_code < 500, (who, url, r.status_code, r.text[:300])
            found = leaks(r.text, world, who)
            assert found == [], (who, url, found[:5])
            if r.status_code == 200 and any(
                not may_see(who, o) for o in owners if o in CASE_SCOPES
            ):
                pytest.fail(f"{who} read {url}, owned by {owners}")
    assert calls > 50
    # counts: the lists hold exactly the in-scope cases and customers
    in_scope = [s for s in CASE_SCOPES if may_see(who, s)]
    for path, key in COUNTED.items():
        r = client.get(path, headers=headers)
        assert r.status_code == 200
        assert len(r.json()[key]) == 2 * len(in_scope), (who, path)


def _writes(world: Seeded, who: str) -> Iterator[tuple[RouteInfo, str, Any]]:
    for route in API:
        if route.key not in BODIES:
            continue
        make = BODIES[route.key]
        if route.key in OBJECT_IN_BODY:
            param = OBJECT_IN_BODY[route.key]
            for value in world.values(param):
                if not may_see(who, world.owner[(param, value)]):
                    yield route, route.path, make(world, value)
            continue
        if route.key in BRAND_IN_BODY:
            for brand in ("acme", "globex"):
                if not any(may_see(who, s) for s in CASE_SCOPES if s.startswith(brand)):
                    yield route, route.path, make(world, brand)
            continue
        if not route.params:
            continue
        for url, owners, combo in fill_values(route, world):
            outside = [o for o in owners if not may_see(who, o)]
            # a brand user acting on a provider's user is a separate question (profiles)
            provider_only = all(o == "org:callpro" for o in outside)
            if outside and provider_only and not who.startswith("callpro"):
                continue
            if outside:
                yield route, url, make(world, combo[0])


@pytest.mark.parametrize("who", ["acme:admin", "globex:agent", "callpro:admin", "callpro:agent"])
def test_writes_on_another_scope_change_nothing(
    seeded: tuple[Seeded, TestClient], db: Database, who: str
) -> None:
    world, client = seeded
    headers = auth(world.world.tokens[who])
    before = digest(db)
    tried = 0
    for route, url, body in _writes(world, who):
        r = client.request(
            route.method,
            url,
            headers={**headers, "Content-Type": "application/json"},
            content=None if body is None else json.dumps(body),
        )
        tried += 1
        assert r.status_code in (403, 404, 422), (who, route.key, url, r.status_code, r.text[:300])
        assert leaks(r.text, world, who) == [], (who, url)
    assert tried > 20
    assert digest(db) == before, who
