"""Channel accounts: brand admins only, secrets encrypted at rest and never shown or
logged, key rotation."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.cli import app as cli
from omnicase.config import ConfigError, Settings, load
from omnicase.security.secrets import SecretBox, SecretError, generate_key
from omnicase.services.channel_accounts import account_view
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import KEY, SMTP_PASSWORD, get_account
from tests.factories import World

URL = "/api/v1/channel-accounts"
MAILBOX = {
    "channel": "email",
    "name": "Service client",
    "address": "Service@Acme.example",
    "settings": {"smtp_host": "smtp.acme.example", "smtp_port": 587, "smtp_user": "mailer"},
    "secrets": {"smtp_password": SMTP_PASSWORD},
}


def raw_dump(db: Database) -> str:
    """Everything stored about accounts and events, as the database holds it."""
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM channel_accounts")).all()
        rows += conn.execute(text("SELECT * FROM events")).all()
        rows += conn.execute(text("SELECT * FROM jobs")).all()
    return repr(rows)


def test_secrets_are_encrypted_at_rest_and_never_shown_or_logged(
    db: Database, world: World, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = auth(world.tokens["acme:admin"])
    created = client.post(URL, json=MAILBOX, headers=admin)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["address"] == "Service@acme.example"  # the domain normalised
    assert out["secrets"] == {"smtp_password": "set", "imap_password": "not set"}
    listed = client.get(URL, headers=admin)
    one = client.get(f"{URL}/{out['id']}", headers=admin)
    patched = client.patch(
        f"{URL}/{out['id']}",
        json={"secrets": {"imap_password": "imap-" + SMTP_PASSWORD}, "name": "SAV"},
        headers=admin,
    )
    assert patched.json()["secrets"] == {"smtp_password": "set", "imap_password": "set"}
    responses = " ".join(r.text for r in (created, listed, one, patched))
    assert SMTP_PASSWORD not in responses
    assert SMTP_PASSWORD not in caplog.text
    dump = raw_dump(db)
    assert SMTP_PASSWORD not in dump and "smtp_password" in dump  # the name, not the value
    account = get_account(db, out["id"])
    with db.reading() as s:
        view = account_view(s, SecretBox([KEY]), account)
    assert view.secrets["smtp_password"] == SMTP_PASSWORD
    assert SMTP_PASSWORD not in repr(view)

    removed = client.patch(
        f"{URL}/{out['id']}", json={"secrets": {"imap_password": None}}, headers=admin
    )
    assert removed.json()["secrets"]["imap_password"] == "not set"
    disabled = client.delete(f"{URL}/{out['id']}", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["active"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"address": "not-an-address"}, "address"),
        ({"address": "a@b.example\r\nBcc: x@evil.example"}, "address"),
        ({"settings": {"smtp_hots": "typo"}}, "settings.smtp_hots"),
        ({"settings": {"smtp_port": "587"}}, "settings.smtp_port"),
        ({"settings": {"from_name": "Acme\r\nBcc: x@evil.example"}}, "settings.from_name"),
        ({"settings": {"reply_to": "nope"}}, "settings.reply_to"),
        ({"secrets": {"api_key": "x"}}, "secrets.api_key"),
    ],
)
def test_bad_accounts_are_refused_naming_the_field(
    world: World, client: TestClient, change: dict[str, Any], field: str
) -> None:
    answer = client.post(URL, json={**MAILBOX, **change}, headers=auth(world.tokens["acme:admin"]))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


def test_only_the_brands_admins_manage_accounts(world: World, client: TestClient) -> None:
    created = client.post(URL, json=MAILBOX, headers=auth(world.tokens["acme:admin"]))
    account_id = created.json()["id"]
    for who in ("acme:supervisor", "acme:agent", "callpro:admin", "callpro:agent"):
        headers = auth(world.tokens[who])
        assert client.get(URL, headers=headers).status_code == 403, who
        assert client.post(URL, json=MAILBOX, headers=headers).status_code == 403, who
    for who in ("acme:viewer", "acme:planner"):
        assert client.post(URL, json=MAILBOX, headers=auth(world.tokens[who])).status_code == 403
    other = auth(world.tokens["globex:admin"])
    assert client.get(URL, headers=other).json() == []
    assert client.get(f"{URL}/{account_id}", headers=other).status_code == 404
    assert client.patch(f"{URL}/{account_id}", json={"name": "x"}, headers=other).status_code == 404
    # one mailbox is one brand's
    taken = client.post(URL, json=MAILBOX, headers=other)
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "address"


def test_without_keys_no_secret_can_be_stored(db: Database, world: World, tmp_path: Any) -> None:
    settings = Settings(secret_keys="", attachments_dir=tmp_path)
    with TestClient(create_app(db, settings)) as client:
        answer = client.post(URL, json=MAILBOX, headers=auth(world.tokens["acme:admin"]))
    assert answer.status_code == 409
    assert "OMNICASE_SECRET_KEYS" in answer.json()["detail"]


def test_secret_box_decrypts_with_any_key_and_encrypts_with_the_first() -> None:
    old, new = generate_key(), generate_key()
    token = SecretBox([old]).encrypt("pw")
    both = SecretBox([new, old])
    assert both.decrypt(token) == "pw"
    rotated = both.rotate(token)
    assert SecretBox([new]).decrypt(rotated) == "pw"
    with pytest.raises(SecretError, match="cannot be decrypted"):
        SecretBox([old]).decrypt(rotated)
    with pytest.raises(SecretError, match="OMNICASE_SECRET_KEYS is not set"):
        SecretBox([]).encrypt("pw")
    assert new not in repr(both)
    Fernet(new.encode())  # a real Fernet key


def test_a_bad_key_in_the_settings_is_named_without_being_repeated() -> None:
    with pytest.raises(ConfigError) as info:
        load({"OMNICASE_SECRET_KEYS": f"{generate_key()},not-a-key-at-all"})
    [error] = info.value.errors
    assert error.setting == "secret_keys" and "key 2" in error.reason
    assert "not-a-key-at-all" not in str(info.value)


def test_rotation_re_encrypts_every_secret_with_the_new_key(
    db: Database, world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = client.post(URL, json=MAILBOX, headers=auth(world.tokens["acme:admin"]))
    account_id = created.json()["id"]
    before = get_account(db, account_id).secrets["smtp_password"]
    new = generate_key()
    env = {"OMNICASE_SECRET_KEYS": f"{new},{KEY}", "OMNICASE_DATABASE_URL": db.url}
    result = CliRunner().invoke(cli, ["secrets", "rotate"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 secret(s) re-encrypted" in result.output
    after = get_account(db, account_id)
    assert after.secrets["smtp_password"] != before
    assert SecretBox([new]).decrypt(after.secrets["smtp_password"]) == SMTP_PASSWORD
    with pytest.raises(SecretError):
        SecretBox([KEY]).decrypt(after.secrets["smtp_password"])
    # the old key alone can no longer read it: the operator may now drop it
    lost = CliRunner().invoke(
        cli, ["secrets", "rotate"], env={**env, "OMNICASE_SECRET_KEYS": generate_key()}
    )
    assert lost.exit_code == 2 and "cannot be decrypted" in lost.output
