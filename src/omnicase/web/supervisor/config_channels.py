"""Channel accounts of the brand (``/supervisor/config/channels``): list, create, change
(name, address, the adapter's settings, secrets, active). The brand's admins only, as
``services.channel_accounts`` decides (anyone else: 403).

Secrets are write-only: each is a password field that is always empty, shown only as
"set" / "not set"; a blank field keeps the stored secret, a ticked "remove" box removes
it. A typed secret is never put back into a page (not even after a refusal: it must be
typed again), never logged, and the audit event names the secrets changed, never a value.
Settings are one field per setting the channel's adapter knows, typed as it wants them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from omnicase.channels.base import Adapter
from omnicase.channels.registry import UnknownChannel, get_adapter, load_adapters
from omnicase.model import ChannelAccount
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import ActionError
from omnicase.services.channel_accounts import (
    do_create_account,
    do_update_account,
    get_account,
    list_accounts,
    secret_status,
)
from omnicase.web.deps import Page, PageError
from omnicase.web.supervisor.config import Reader, Writer
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)
HOME = "/supervisor/config/channels"
SECRET = "secret."
CLEAR = "clear."
SETTING = "settings."
_TRUE, _FALSE = ("true", "yes", "on", "1", "oui"), ("false", "no", "off", "0", "non")


def _adapter(channel: str) -> Adapter:
    try:
        return get_adapter(channel)
    except UnknownChannel as exc:
        raise PageError(404, "error.not_found") from exc


def _kept(form: FormData | None) -> dict[str, str]:
    """What was typed, to show again: everything but the secrets."""
    if form is None:
        return {}
    return {k: str(v) for k, v in form.items() if not k.startswith(SECRET)}


def _values_of(account: ChannelAccount, adapter: Adapter) -> dict[str, str]:
    values = {"name": account.name, "address": account.address}
    for key, value in (account.settings or {}).items():
        kind = adapter.settings.get(key)
        values[SETTING + key] = ("true" if value else "false") if kind is bool else str(value)
    values["active"] = "on" if account.active else ""
    return values


def _page(
    request: Request,
    page: Page,
    *,
    channel: str,
    account: ChannelAccount | None = None,
    errors: dict[str, str] | None = None,
    form: FormData | None = None,
) -> Response:
    try:
        listed = list_accounts(page.db, page.who)
    except ActionError as exc:  # the brand's admins only, as in the API
        raise PageError(403, "error.role") from exc
    adapter = _adapter(channel)
    values = _kept(form) if form is not None else {}
    if form is None and account is not None:
        values = _values_of(account, adapter)
    return render(
        request,
        "supervisor/config_channels.html",
        page,
        accounts=[(a, secret_status(a)) for a in listed],
        channels=sorted(load_adapters()),
        channel=channel,
        editing=account,
        settings_spec=[(k, t.__name__) for k, t in adapter.settings.items()],
        secrets=secret_status(account) if account else dict.fromkeys(adapter.secrets, "not set"),
        errors=errors or {},
        form=values,
        status=422 if errors else 200,
    )


def read_settings(form: FormData, adapter: Adapter) -> dict[str, Any]:
    """The adapter's settings from their fields (blank: not set); a value of the wrong
    type is refused naming its field."""
    out: dict[str, Any] = {}
    for key, kind in adapter.settings.items():
        text = str(form.get(SETTING + key) or "").strip()
        if not text:
            continue
        if kind is bool:
            if text.lower() not in (*_TRUE, *_FALSE):
                raise ActionError("yes or no", field=SETTING + key, status=422)
            out[key] = text.lower() in _TRUE
        elif kind is int:
            if not text.lstrip("-").isdigit():
                raise ActionError("a whole number", field=SETTING + key, status=422)
            out[key] = int(text)
        else:
            out[key] = text
    return out


def read_secrets(form: FormData, adapter: Adapter) -> dict[str, str | None]:
    """The secrets typed (blank: keep the stored one) and those to remove."""
    out: dict[str, str | None] = {}
    for name in adapter.secrets:
        value = form.get(SECRET + name)
        if isinstance(value, str) and value:
            out[name] = value
        elif form.get(CLEAR + name) == "on":
            out[name] = None
    return out


def _box(request: Request) -> SecretBox:
    return SecretBox.from_settings(request.app.state.settings)


def _field(exc: ActionError) -> str:
    return exc.field or "form"


@router.get("/channels")
def channels(request: Request, page: Reader) -> Response:
    """The accounts and the form of a new one (``?channel=sms``: that channel's fields)."""
    return _page(request, page, channel=str(request.query_params.get("channel") or "email"))


@router.get("/channels/{account_id}")
def edit_account(account_id: int, request: Request, page: Reader) -> Response:
    account = _account(page, account_id)
    return _page(request, page, channel=account.channel, account=account)


def _account(page: Page, account_id: int) -> ChannelAccount:
    try:
        return get_account(page.db, page.who, account_id)
    except ActionError as exc:
        raise PageError(
            exc.status, "error.role" if exc.status == 403 else "error.not_found"
        ) from exc


@router.post("/channels")
async def create_account(request: Request, page: Writer) -> Response:
    form = await request.form()
    channel = str(form.get("channel") or "")
    if channel not in load_adapters():
        refusal = {"channel": f"one of {', '.join(sorted(load_adapters()))}"}
        return _page(request, page, channel="email", errors=refusal, form=form)
    adapter = _adapter(channel)
    try:
        do_create_account(
            page.db,
            page.who,
            _box(request),
            channel=channel,
            name=str(form.get("name") or "").strip() or channel,
            address=str(form.get("address") or "").strip(),
            settings=read_settings(form, adapter),
            secrets=read_secrets(form, adapter),
        )
    except ActionError as exc:
        page.db.rollback()
        if exc.status == 403:
            raise PageError(403, "error.role") from exc
        return _page(request, page, channel=channel, errors={_field(exc): str(exc)}, form=form)
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.post("/channels/{account_id}")
async def update_account(account_id: int, request: Request, page: Writer) -> Response:
    account = _account(page, account_id)
    adapter = _adapter(account.channel)
    form = await request.form()
    try:
        do_update_account(
            page.db,
            page.who,
            _box(request),
            account,
            name=str(form.get("name") or "").strip() or account.name,
            address=str(form.get("address") or "").strip() or None,
            settings=read_settings(form, adapter),
            secrets=read_secrets(form, adapter),
            active=form.get("active") == "on",
        )
    except ActionError as exc:
        page.db.rollback()
        account = _account(page, account_id)
        return _page(
            request,
            page,
            channel=account.channel,
            account=account,
            errors={_field(exc): str(exc)},
            form=form,
        )
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)
