"""Channel accounts of a brand (mailboxes, pages, numbers): create, change, disable,
read, and their secrets encrypted at rest.

Only the brand's admins manage them. Secrets go in as plain values and are stored as
Fernet tokens; nothing here ever returns, logs or records a plain value (events name
the secrets that changed, never their values). :func:`account_view` decrypts for an
adapter, in memory, at the moment of use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.channels.base import Account, AccountError, Adapter
from omnicase.channels.registry import UnknownChannel, get_adapter
from omnicase.model import ChannelAccount, Organisation
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal

MAX_SECRET = 10_000


def check_may_manage(who: Principal) -> None:
    if not (who.is_brand_staff and who.role == "admin"):
        raise ActionError("only the brand's admins manage its channel accounts", status=403)


def _adapter(channel: str) -> Adapter:
    try:
        return get_adapter(channel)
    except UnknownChannel as exc:
        raise ActionError(str(exc), field="channel", status=422) from None


def _check(adapter: Adapter, channel: str, address: str, settings: Mapping[str, Any]) -> str:
    try:
        return adapter.check_account(channel, address.strip(), settings)
    except AccountError as exc:
        raise ActionError(exc.reason, field=exc.field, status=422) from None


def _put_secrets(
    box: SecretBox, adapter: Adapter, stored: dict[str, str], given: Mapping[str, str | None]
) -> tuple[dict[str, str], list[str]]:
    """``stored`` with ``given`` applied (None removes); the new map and changed names."""
    out = dict(stored)
    changed: list[str] = []
    for name, value in given.items():
        if name not in adapter.secrets:
            known = ", ".join(adapter.secrets) or "none"
            raise ActionError(f"unknown secret (known: {known})", f"secrets.{name}", 422)
        if value is None:
            if out.pop(name, None) is not None:
                changed.append(name)
            continue
        if not isinstance(value, str) or not value or len(value) > MAX_SECRET:
            raise ActionError(
                f"must be a non-empty string of at most {MAX_SECRET} characters",
                f"secrets.{name}",
                422,
            )
        if not box.configured:
            raise ActionError(
                "OMNICASE_SECRET_KEYS is not set on this server: secrets cannot be stored",
                f"secrets.{name}",
                409,
            )
        out[name] = box.encrypt(value)
        changed.append(name)
    return out, sorted(changed)


def _taken(session: Session, channel: str, address: str, but: int | None = None) -> bool:
    stmt = select(ChannelAccount.id).where(
        ChannelAccount.channel == channel, ChannelAccount.address == address
    )
    if but is not None:
        stmt = stmt.where(ChannelAccount.id != but)
    return session.scalar(stmt) is not None


def do_create_account(
    session: Session,
    who: Principal,
    box: SecretBox,
    *,
    channel: str,
    name: str,
    address: str,
    settings: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str | None] | None = None,
) -> ChannelAccount:
    check_may_manage(who)
    adapter = _adapter(channel)
    settings = dict(settings or {})
    address = _check(adapter, channel, address, settings)
    if _taken(session, channel, address):
        raise ActionError(f"a {channel} account with this address exists already", "address")
    stored, changed = _put_secrets(box, adapter, {}, secrets or {})
    now = utcnow()
    account = ChannelAccount(
        brand_id=who.organisation_id,
        channel=channel,
        name=name,
        address=address,
        settings=settings,
        secrets=stored,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    record_event(
        session,
        "channel_account.created",
        brand_id=account.brand_id,
        actor=who.actor,
        data={"account": account.id, "channel": channel, "secrets_set": changed},
    )
    return account


def do_update_account(
    session: Session,
    who: Principal,
    box: SecretBox,
    account: ChannelAccount,
    *,
    name: str | None = None,
    address: str | None = None,
    settings: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str | None] | None = None,
    active: bool | None = None,
) -> ChannelAccount:
    """Change what is given; ``settings`` replaces the settings, ``secrets`` sets (or with
    None removes) only the secrets it names."""
    check_may_manage(who)
    adapter = _adapter(account.channel)
    changes: list[str] = []
    new_settings = dict(settings) if settings is not None else dict(account.settings or {})
    new_address = _check(adapter, account.channel, address or account.address, new_settings)
    if new_address != account.address:
        if _taken(session, account.channel, new_address, but=account.id):
            raise ActionError(
                f"a {account.channel} account with this address exists already", "address"
            )
        account.address = new_address
        changes.append("address")
    if settings is not None and new_settings != account.settings:
        account.settings = new_settings
        changes.append("settings")
    if name is not None and name != account.name:
        account.name = name
        changes.append("name")
    if active is not None and active != account.active:
        account.active = active
        changes.append("active")
    stored, changed_secrets = _put_secrets(box, adapter, dict(account.secrets or {}), secrets or {})
    if changed_secrets:
        account.secrets = stored
    if changes or changed_secrets:
        account.updated_at = utcnow()
        record_event(
            session,
            "channel_account.updated",
            brand_id=account.brand_id,
            actor=who.actor,
            data={"account": account.id, "changed": changes, "secrets_changed": changed_secrets},
        )
    return account


def list_accounts(session: Session, who: Principal) -> list[ChannelAccount]:
    check_may_manage(who)
    return list(
        session.scalars(
            select(ChannelAccount)
            .where(ChannelAccount.brand_id == who.organisation_id)
            .order_by(ChannelAccount.id)
        )
    )


def get_account(session: Session, who: Principal, account_id: int) -> ChannelAccount:
    """The brand's account, or 404 (another brand's account does not exist for you)."""
    check_may_manage(who)
    account = session.get(ChannelAccount, account_id)
    if account is None or account.brand_id != who.organisation_id:
        raise ActionError(f"no channel account {account_id}", status=404)
    return account


def secret_status(account: ChannelAccount) -> dict[str, str]:
    """Every secret the adapter knows: "set" or "not set" (never a value)."""
    try:
        names = get_adapter(account.channel).secrets
    except UnknownChannel:
        names = ()
    stored = account.secrets or {}
    return {
        n: "set" if n in stored else "not set" for n in (*names, *sorted(set(stored) - set(names)))
    }


def account_view(session: Session, box: SecretBox | None, account: ChannelAccount) -> Account:
    """The account as an adapter uses it, secrets decrypted (in memory only); without a
    box, no secrets."""
    brand = session.get(Organisation, account.brand_id)
    assert brand is not None
    return Account(
        id=account.id,
        brand=brand.slug,
        brand_name=brand.name,
        channel=account.channel,
        name=account.name,
        address=account.address,
        settings=dict(account.settings or {}),
        secrets={k: box.decrypt(v) for k, v in (account.secrets or {}).items()} if box else {},
    )


def do_rotate_secrets(session: Session, box: SecretBox) -> int:
    """Re-encrypt every stored secret with the first key; how many were rewritten. After
    it, the older keys can be removed from ``OMNICASE_SECRET_KEYS``."""
    count = 0
    for account in session.scalars(select(ChannelAccount).order_by(ChannelAccount.id)):
        if not account.secrets:
            continue
        account.secrets = {k: box.rotate(v) for k, v in account.secrets.items()}
        count += len(account.secrets)
    if count:
        record_event(session, "channel_account.secrets_rotated", brand_id=None, data={"n": count})
    return count
