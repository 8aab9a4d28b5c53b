"""The web login applies the account rules of the security work: lockout with backoff
after repeated failures, and the TOTP second factor of admins and supervisors."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import httpx
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.config import Settings
from omnicase.model import User
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.auth import do_confirm_totp, do_start_totp, totp
from omnicase.store.db import Database
from omnicase.web.auth import COOKIE
from tests.factories import World
from tests.web.conftest import PASSWORD, csrf_of


def _post(web: TestClient, email: str, password: str, code: str = "") -> httpx.Response:
    page = web.get("/login")
    return web.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "code": code,
            "csrf_token": csrf_of(page.text),
        },
    )


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    world: World, web: TestClient
) -> None:
    for _ in range(5):
        r = _post(web, "agent@acme.test", "wrong")
        assert r.status_code == 401
    locked = _post(web, "agent@acme.test", PASSWORD)
    assert locked.status_code == 429 and COOKIE not in locked.cookies
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many" in locked.text or "Trop" in locked.text
    other = _post(web, "supervisor@acme.test", PASSWORD)  # another account is not locked
    assert other.status_code == 303


def test_a_supervisor_with_totp_needs_the_code(world: World, db: Database) -> None:
    key = Fernet.generate_key().decode()
    box = SecretBox.from_settings(Settings(secret_keys=key))
    now = utcnow()
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "supervisor@acme.test"))
        assert user is not None
        raw = parse_qs(urlparse(do_start_totp(s, box, user)).query)["secret"][0]
        secret = base64.b32decode(raw + "=" * (-len(raw) % 8))
        do_confirm_totp(s, box, user, totp(secret, now.timestamp() - 30), now)
    app = create_app(db, Settings(database_url=db.url, secret_keys=key))
    with TestClient(app, follow_redirects=False) as web:
        missing = _post(web, "supervisor@acme.test", PASSWORD)
        assert missing.status_code == 401 and COOKIE not in missing.cookies
        wrong = _post(web, "supervisor@acme.test", PASSWORD, "000000")
        assert wrong.status_code == 401
        good = _post(web, "supervisor@acme.test", PASSWORD, totp(secret, utcnow().timestamp()))
        assert good.status_code == 303 and COOKIE in good.cookies
        agent = _post(web, "agent@acme.test", PASSWORD)  # agents have no second factor
        assert agent.status_code == 303
