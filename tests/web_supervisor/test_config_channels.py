"""Channel accounts configured over real HTTP: created and changed from the form with
the adapter's typed settings; secrets write-only (stored encrypted, shown as set / not
set, a blank field keeps them, never in any response body nor in the logs); refusals
next to the field with nothing written; the brand's admins only; CSRF."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.channels.registry import load_adapters
from omnicase.model import ChannelAccount, Event
from omnicase.security.secrets import SecretBox, generate_key
from omnicase.store.db import Database
from tests.factories import World
from tests.web.conftest import login

CHANNELS = "/supervisor/config/channels"
KEY = generate_key()
SMTP_PASSWORD = "smtp-Pa55-never-shown-4821"
NEW_PASSWORD = "second-Pa55-never-shown-9913"
MAILBOX = {
    "channel": "email",
    "name": "Service client",
    "address": "service@acme.example",
    "settings.smtp_host": "smtp.acme.example",
    "settings.smtp_port": "587",
    "settings.smtp_starttls": "true",
    "secret.smtp_password": SMTP_PASSWORD,
}


@pytest.fixture
def keyed(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A web app whose server has OMNICASE_SECRET_KEYS (secrets can be stored)."""
    monkeypatch.setenv("OMNICASE_SECRET_KEYS", KEY)
    with TestClient(create_app(db), follow_redirects=False) as client:
        yield client


def _account(db: Database) -> ChannelAccount:
    with db.reading() as s:
        account = s.scalar(select(ChannelAccount).order_by(ChannelAccount.id.desc()))
        assert account is not None
        s.expunge(account)
        return account


def _no_secret(*bodies: str) -> None:
    for body in bodies:
        assert SMTP_PASSWORD not in body and NEW_PASSWORD not in body


def test_an_admin_connects_a_mailbox_and_the_secret_is_never_shown(
    db: Database, world: World, keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = login(keyed, "admin@acme.test")
    form = keyed.get(f"{CHANNELS}?channel=email")
    assert form.status_code == 200 and 'name="settings.smtp_port"' in form.text
    assert 'type="password" name="secret.smtp_password" value=""' in form.text
    r = keyed.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX})
    assert r.status_code == 303, r.text
    account = _account(db)
    assert (account.channel, account.name, account.address) == (
        "email",
        "Service client",
        "service@acme.example",
    )
    assert account.settings == {
        "smtp_host": "smtp.acme.example",
        "smtp_port": 587,
        "smtp_starttls": True,
    }
    stored = account.secrets["smtp_password"]
    assert stored != SMTP_PASSWORD and SecretBox([KEY]).decrypt(stored) == SMTP_PASSWORD
    listing = keyed.get(CHANNELS).text
    edit = keyed.get(f"{CHANNELS}/{account.id}").text
    assert 'data-secret="smtp_password">smtp_password: défini' in listing
    assert 'data-secret="imap_password">imap_password: non défini' in listing
    assert 'name="settings.smtp_host" value="smtp.acme.example"' in edit
    assert '<option value="true" selected>' in edit  # starttls
    _no_secret(form.text, r.text, listing, edit)
    assert stored not in listing and stored not in edit  # not even the ciphertext
    with db.reading() as s:
        events = [e.data for e in s.scalars(select(Event).where(Event.kind.like("channel_%")))]
    assert events == [{"account": account.id, "channel": "email", "secrets_set": ["smtp_password"]}]
    assert SMTP_PASSWORD not in caplog.text


def test_a_blank_secret_keeps_the_stored_one_a_new_one_replaces_it_remove_removes(
    db: Database, world: World, keyed: TestClient
) -> None:
    csrf = login(keyed, "admin@acme.test")
    keyed.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX})
    first = _account(db)
    url = f"{CHANNELS}/{first.id}"
    change = {k: v for k, v in MAILBOX.items() if k not in ("channel", "secret.smtp_password")}
    r = keyed.post(url, data={"csrf_token": csrf, **change, "name": "SAV", "active": "on"})
    assert r.status_code == 303
    kept = _account(db)
    assert kept.name == "SAV" and kept.secrets == first.secrets and kept.active
    r = keyed.post(
        url,
        data={"csrf_token": csrf, **change, "secret.smtp_password": NEW_PASSWORD, "active": "on"},
    )
    assert r.status_code == 303
    assert SecretBox([KEY]).decrypt(_account(db).secrets["smtp_password"]) == NEW_PASSWORD
    # a refusal writes nothing and does not echo the secret typed with it
    bad = keyed.post(
        url,
        data={
            "csrf_token": csrf,
            **change,
            "settings.smtp_port": "five",
            "secret.imap_password": SMTP_PASSWORD,
        },
    )
    assert bad.status_code == 422 and 'data-field="settings.smtp_port"' in bad.text
    assert 'value="five"' in bad.text  # the setting typed stays
    _no_secret(bad.text)
    assert set(_account(db).secrets) == {"smtp_password"}
    r = keyed.post(url, data={"csrf_token": csrf, **change, "clear.smtp_password": "on"})
    assert r.status_code == 303
    after = _account(db)
    assert after.secrets == {} and not after.active  # the box was unticked: disabled
    page = keyed.get(url).text
    assert 'data-secret="smtp_password">non défini' in page


def test_account_refusals_name_the_field_and_write_nothing(
    db: Database, world: World, keyed: TestClient
) -> None:
    csrf = login(keyed, "admin@acme.test")
    cases = [
        ({"address": "not-an-address"}, "address"),
        ({"settings.smtp_starttls": "perhaps"}, "settings.smtp_starttls"),
        ({"settings.reply_to": "nobody"}, "settings.reply_to"),
        ({"channel": "pigeon"}, "channel"),
    ]
    for change, field in cases:
        r = keyed.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX, **change})
        assert r.status_code == 422, change
        assert f'data-field="{field}"' in r.text, change
        _no_secret(r.text)
    with db.reading() as s:
        assert s.scalars(select(ChannelAccount)).all() == []
        assert s.scalars(select(Event).where(Event.kind.like("channel_%"))).all() == []
    keyed.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX})
    twice = keyed.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX})
    assert twice.status_code == 422 and "exists already" in twice.text
    _no_secret(twice.text)


def test_without_server_keys_a_secret_is_refused_next_to_its_field(
    db: Database, world: World, web: TestClient
) -> None:
    csrf = login(web, "admin@acme.test")
    r = web.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX})
    assert r.status_code == 422 and 'data-field="secrets.smtp_password"' in r.text
    assert "OMNICASE_SECRET_KEYS" in r.text
    _no_secret(r.text)
    with db.reading() as s:
        assert s.scalars(select(ChannelAccount)).all() == []


def test_channel_accounts_are_for_the_brands_admins(
    db: Database, world: World, keyed: TestClient
) -> None:
    csrf = login(keyed, "admin@acme.test")
    keyed.post(CHANNELS, data={"csrf_token": csrf, **MAILBOX})
    account = _account(db)
    forged = keyed.post(f"{CHANNELS}/{account.id}", data={"name": "Forged"})
    assert forged.status_code == 403
    for email in ("supervisor@acme.test", "agent@acme.test", "admin@callpro.test"):
        keyed.cookies.clear()
        csrf = login(keyed, email)
        assert keyed.get(f"{CHANNELS}/{account.id}").status_code == 403, email
        for url in (CHANNELS, f"{CHANNELS}/{account.id}"):
            r = keyed.post(url, data={"csrf_token": csrf, **MAILBOX, "name": "Taken"})
            assert r.status_code == 403, (email, url)
            _no_secret(r.text)
    keyed.cookies.clear()
    csrf = login(keyed, "admin@globex.test")
    assert keyed.get(f"{CHANNELS}/{account.id}").status_code == 404
    r = keyed.post(f"{CHANNELS}/{account.id}", data={"csrf_token": csrf, "name": "Taken"})
    assert r.status_code == 404
    assert _account(db).name == "Service client"


def test_every_channel_offers_its_adapters_settings_and_secrets(
    db: Database, world: World, keyed: TestClient
) -> None:
    login(keyed, "admin@acme.test")
    for channel, adapter in sorted(load_adapters().items()):
        page = keyed.get(f"{CHANNELS}?channel={channel}")
        assert page.status_code == 200, channel
        assert f'<input type="hidden" name="channel" value="{channel}">' in page.text
        for key in adapter.settings:
            assert f'name="settings.{key}"' in page.text, (channel, key)
        for name in adapter.secrets:
            assert f'type="password" name="secret.{name}" value=""' in page.text, (channel, name)
    assert keyed.get(f"{CHANNELS}?channel=pigeon").status_code == 404
