"""Accounts: argon2id parameters, lockout with backoff per account and per IP, TOTP with
recovery codes, scoped API tokens (read/write, brand, expiry, revocation) and their CLI."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from omnicase.cli import app as cli_app
from omnicase.ingest.pipeline import ingest
from omnicase.model import ApiToken, Event, Organisation, User
from omnicase.security.secrets import SecretBox, generate_key
from omnicase.services.auth import (
    LockoutPolicy,
    check_login_allowed,
    do_confirm_totp,
    do_start_totp,
    password_hash_ok,
    record_login_failure,
    record_login_success,
    second_factor_required,
    totp,
    verify_second_factor,
)
from omnicase.services.orgs import do_create_token, do_revoke_token, verify_password
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world, message

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _user(db: Database, email: str) -> int:
    with db.reading() as s:
        uid = s.scalar(select(User.id).where(User.email == email))
        assert uid is not None
        return uid


def test_passwords_are_argon2id_with_sound_parameters(db: Database) -> None:
    make_world(db)
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "admin@acme.test"))
        assert user is not None
        from omnicase.services.orgs import hash_password

        user.password_hash = hash_password("correct horse")
        assert user.password_hash.startswith("$argon2id$")
        assert password_hash_ok(user.password_hash)
        weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("correct horse")
        assert not password_hash_ok(weak)
        assert not password_hash_ok("$2b$12$notargon")
        user.password_hash = weak
        assert verify_password(user, "correct horse")
        record_login_success(s, user, "10.0.0.1", NOW, password="correct horse")
        assert password_hash_ok(user.password_hash)  # rehashed at login
        assert verify_password(user, "correct horse")


def test_lockout_backs_off_per_account_and_is_logged_without_the_email(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    make_world(db)
    policy = LockoutPolicy(max_failures=5, base_seconds=30)
    email = "admin@acme.test"
    caplog.set_level(logging.INFO)
    with db.transaction() as s:
        for i in range(4):
            d = record_login_failure(s, email, "10.0.0.1", NOW + timedelta(seconds=i), policy)
            assert d.allowed
            assert check_login_allowed(s, email, "10.0.0.1", NOW, policy).allowed
        d = record_login_failure(s, email, "10.0.0.1", NOW + timedelta(seconds=5), policy)
        assert not d.allowed and d.retry_after == 30
        at = NOW + timedelta(seconds=10)
        blocked = check_login_allowed(s, email, "10.0.0.9", at, policy)
        assert not blocked.allowed and 20 <= blocked.retry_after <= 26  # from any IP
        assert check_login_allowed(s, "agent@acme.test", "10.0.0.9", at, policy).allowed
        later = NOW + timedelta(seconds=36)
        assert check_login_allowed(s, email, "10.0.0.1", later, policy).allowed
        # the next failure doubles the wait, and the one after doubles it again
        assert record_login_failure(s, email, "10.0.0.1", later, policy).retry_after == 60
        assert record_login_failure(s, email, "10.0.0.1", later, policy).retry_after == 120
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        record_login_success(s, user, "10.0.0.1", later + timedelta(seconds=200))
        assert check_login_allowed(s, email, "10.0.0.1", later + timedelta(seconds=200)).allowed
        events = s.scalars(select(Event).where(Event.kind == "login.failed")).all()
        assert len(events) == 7 and all(e.actor == f"user:{user.id}" for e in events)
        assert all(email not in str(e.data) and "10.0.0.1" not in str(e.data) for e in events)
    assert "login failed" in caplog.text
    assert email not in caplog.text and "10.0.0.1" not in caplog.text


def test_one_ip_spraying_many_accounts_is_locked_out(db: Database) -> None:
    make_world(db)
    policy = LockoutPolicy(max_failures=5, ip_max_failures=20)
    with db.transaction() as s:
        for i in range(20):
            record_login_failure(s, f"guess{i}@acme.test", "203.0.113.7", NOW, policy)
        refused = check_login_allowed(s, "admin@acme.test", "203.0.113.7", NOW, policy)
        assert not refused.allowed and refused.retry_after > 0
        assert check_login_allowed(s, "admin@acme.test", "198.51.100.1", NOW, policy).allowed
        # a successful login from the IP does not clear the IP's counter
        user = s.scalar(select(User).where(User.email == "admin@acme.test"))
        assert user is not None
        record_login_success(s, user, "203.0.113.7", NOW)
        assert not check_login_allowed(s, "admin@acme.test", "203.0.113.7", NOW, policy).allowed


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_totp_matches_the_rfc_6238_vectors(at: int, code: str) -> None:
    assert totp(b"12345678901234567890", at, digits=8) == code


def test_totp_second_factor_with_recovery_codes(db: Database) -> None:
    make_world(db)
    box = SecretBox([generate_key()])
    import base64
    from urllib.parse import parse_qs, urlparse

    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "supervisor@acme.test"))
        assert user is not None
        assert not second_factor_required(user)
        uri = do_start_totp(s, box, user)
        raw = parse_qs(urlparse(uri).query)["secret"][0]
        assert raw not in (user.totp_secret or "")  # stored encrypted
        secret = base64.b32decode(raw + "=" * (-len(raw) % 8))
        assert not second_factor_required(user)  # not before it is confirmed
        codes = do_confirm_totp(s, box, user, totp(secret, NOW.timestamp()), NOW)
        assert len(codes) == 10 and second_factor_required(user)
        later = NOW + timedelta(seconds=60)
        good = totp(secret, later.timestamp())
        assert verify_second_factor(s, box, user, good, later)
        assert not verify_second_factor(s, box, user, good, later)  # accepted once
        drift = later + timedelta(seconds=60)
        assert verify_second_factor(s, box, user, totp(secret, drift.timestamp() - 30), drift)
        assert not verify_second_factor(s, box, user, "000000", drift + timedelta(minutes=5))
        assert verify_second_factor(s, box, user, codes[0], drift)
        assert not verify_second_factor(s, box, user, codes[0], drift)  # used up
        assert codes[0] not in str(s.execute(select(Event.data)).all())
        agent = s.scalar(select(User).where(User.email == "agent@acme.test"))
        assert agent is not None
        do_start_totp(s, box, agent)
        agent.totp_enabled_at = NOW
        assert not second_factor_required(agent)  # agents: optional, never required


def test_token_scopes_brand_expiry_and_revocation(db: Database, client: TestClient) -> None:
    world = make_world(db)
    results = ingest(
        db,
        [
            message(brand="acme", channel="email", email="a@example.fr", text="Commande A-10001"),
            message(brand="globex", channel="email", email="g@example.co.uk", text="GX100001"),
        ],
    )
    acme_case = results[0].case_id
    with db.transaction() as s:
        agent = s.get(User, world.ids["acme:agent"])
        padmin = s.get(User, world.ids["callpro:admin"])
        globex = s.scalar(select(Organisation).where(Organisation.slug == "globex"))
        acme = s.scalar(select(Organisation).where(Organisation.slug == "acme"))
        assert agent and padmin and globex and acme
        _, read_only = do_create_token(s, agent, "report", scopes=["read"])
        _, write_only = do_create_token(s, agent, "robot", scopes=["write"])
        _, own_brand = do_create_token(s, agent, "acme", brand=acme)
        _, wrong = do_create_token(s, padmin, "globex only", brand=globex)
        expired_row, expired = do_create_token(s, agent, "old", expires_in_days=1)
        expired_row.expires_at = NOW - timedelta(days=1)
        revoked_row, revoked = do_create_token(s, agent, "gone")
        do_revoke_token(s, revoked_row.id, "test")
        from omnicase.services.cases import ActionError

        with pytest.raises(ActionError, match="own brand"):
            do_create_token(s, agent, "x", brand=globex)
        with pytest.raises(ActionError, match="read and/or write"):
            do_create_token(s, agent, "x", scopes=["admin"])
    case_url = f"/api/v1/cases/{acme_case}"
    assert client.get(case_url, headers=auth(read_only)).status_code == 200
    r = client.patch(case_url, json={"priority": 2}, headers=auth(read_only))
    assert r.status_code == 403 and "read-only" in r.text
    assert client.patch(case_url, json={"priority": 2}, headers=auth(own_brand)).status_code == 200
    assert client.get(case_url, headers=auth(write_only)).status_code == 403
    assert client.get("/api/v1/events/stream", headers=auth(write_only)).status_code == 403
    # the provider admin's token restricted to globex sees none of acme's cases
    full = client.get("/api/v1/cases", headers=auth(world.tokens["callpro:admin"])).json()
    assert acme_case in {c["id"] for c in full["items"]}
    narrowed = client.get("/api/v1/cases", headers=auth(wrong)).json()
    assert narrowed["items"] == []
    assert client.get(case_url, headers=auth(wrong)).status_code == 404
    for dead in (expired, revoked):
        assert client.get("/api/v1/cases", headers=auth(dead)).status_code == 401


def test_cli_creates_and_revokes_scoped_tokens(db: Database, client: TestClient) -> None:
    if db.dialect != "sqlite":
        pytest.skip("the CLI test uses the SQLite file")
    make_world(db)
    url = str(db.engine.url)
    runner = CliRunner()
    env = {"OMNICASE_DATABASE_URL": url}
    result = runner.invoke(
        cli_app,
        ["tokens", "create", "admin@callpro.test", "--scope", "read", "--brand", "acme",
         "--expires", "30d"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("oc_")
    with db.reading() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.prefix == token[:10]))
        assert row is not None and row.scopes == ["read"]
        assert row.expires_at is not None
        assert 29 <= (row.expires_at - datetime.now(UTC)).days <= 30
    assert client.get("/api/v1/cases", headers=auth(token)).status_code == 200
    assert client.patch("/api/v1/cases/1", json={}, headers=auth(token)).status_code == 403
    bad = runner.invoke(
        cli_app, ["tokens", "create", "admin@callpro.test", "--scope", "all"], env=env
    )
    assert bad.exit_code == 2 and "scopes" in bad.stderr
    revoke = runner.invoke(cli_app, ["tokens", "revoke", token[:10]], env=env)
    assert revoke.exit_code == 0, revoke.stderr
    assert client.get("/api/v1/cases", headers=auth(token)).status_code == 401
