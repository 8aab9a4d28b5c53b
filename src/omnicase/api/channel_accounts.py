"""/api/v1/channel-accounts: a brand's admins connect mailboxes, pages and numbers.

Secrets are write-only: sent in ``secrets`` and stored encrypted, shown as "set" /
"not set", never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.model import ChannelAccount
from omnicase.security.secrets import SecretBox
from omnicase.services.channel_accounts import (
    do_create_account,
    do_update_account,
    get_account,
    list_accounts,
    secret_status,
)

router = APIRouter(prefix="/api/v1/channel-accounts", tags=["channel accounts"])

Secret = Annotated[str, Field(min_length=1, max_length=10_000)]


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=16, examples=["email"])
    name: str = Field(min_length=1, max_length=200, examples=["Service client"])
    address: str = Field(
        min_length=1,
        max_length=320,
        description="mailbox address, page id, phone number, X user id…",
        examples=["service@acme.example"],
    )
    settings: dict[str, Any] = Field(
        default_factory=dict, description="non-secret settings of the channel's adapter"
    )
    secrets: dict[str, Secret] = Field(
        default_factory=dict,
        description="write-only: stored encrypted, never returned",
        examples=[{"smtp_password": "…"}],
    )


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, min_length=1, max_length=320)
    settings: dict[str, Any] | None = Field(default=None, description="replaces the settings")
    secrets: dict[str, Secret | None] | None = Field(
        default=None, description="sets the secrets named (null removes one); others stay"
    )
    active: bool | None = None


class AccountOut(BaseModel):
    id: int
    channel: str
    name: str
    address: str
    settings: dict[str, Any]
    secrets: dict[str, Literal["set", "not set"]]
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: ChannelAccount) -> AccountOut:
        return cls(
            id=account.id,
            channel=account.channel,
            name=account.name,
            address=account.address,
            settings=dict(account.settings or {}),
            secrets=secret_status(account),
            active=account.active,
            created_at=account.created_at,
            updated_at=account.updated_at,
        )


def _box(request: Request) -> SecretBox:
    return SecretBox.from_settings(request.app.state.settings)


@router.get("", response_model=list[AccountOut], responses=ERRORS)
def get_accounts(auth: Reader) -> list[AccountOut]:
    """The brand's channel accounts (brand admins only)."""
    session, who = auth
    return [AccountOut.of(a) for a in list_accounts(session, who)]


@router.post("", response_model=AccountOut, status_code=201, responses={**ERRORS, **CONFLICT})
def create_account(body: AccountIn, request: Request, auth: Writer) -> AccountOut:
    session, who = auth
    account = do_create_account(
        session,
        who,
        _box(request),
        channel=body.channel,
        name=body.name,
        address=body.address,
        settings=body.settings,
        secrets=body.secrets,
    )
    session.commit()
    return AccountOut.of(account)


@router.get("/{account_id}", response_model=AccountOut, responses={**ERRORS, **NOT_FOUND})
def get_one(account_id: int, auth: Reader) -> AccountOut:
    session, who = auth
    return AccountOut.of(get_account(session, who, account_id))


@router.patch(
    "/{account_id}", response_model=AccountOut, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def patch_account(
    account_id: int, body: AccountPatch, request: Request, auth: Writer
) -> AccountOut:
    session, who = auth
    account = get_account(session, who, account_id)
    do_update_account(
        session,
        who,
        _box(request),
        account,
        name=body.name,
        address=body.address,
        settings=body.settings,
        secrets=body.secrets,
        active=body.active,
    )
    session.commit()
    return AccountOut.of(account)


@router.delete("/{account_id}", response_model=AccountOut, responses={**ERRORS, **NOT_FOUND})
def disable_account(account_id: int, request: Request, auth: Writer) -> AccountOut:
    """Disable the account (kept: its inbox rows and messages refer to it); PATCH
    ``active: true`` brings it back."""
    session, who = auth
    account = get_account(session, who, account_id)
    do_update_account(session, who, _box(request), account, active=False)
    session.commit()
    return AccountOut.of(account)
