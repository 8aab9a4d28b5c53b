"""/api/v1/macros: the brand's approved answers and the facts they state.

Brand admins and supervisors write; every user of the brand and provider staff engaged
on it read (``?brand=`` for a provider engaged on several brands). Thin: the service
(:mod:`omnicase.services.macros`) checks roles and facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.ingest.schema import Channel
from omnicase.model import Macro
from omnicase.services.macros import can_read_brand, do_create_macro, do_update_macro, macros_of
from omnicase.store.scope import Principal, visible_brand_ids

router = APIRouter(prefix="/api/v1/macros", tags=["consistency"])

FACTS = (
    "slot with its unit or currency: refund_delay_business_days, return_window_days, "
    "shipping_fee_eur, delivery_delay_days ([low, high] for a range)"
)


class MacroIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    language: str | None = Field(default=None, max_length=8)
    reasons: list[str] = Field(default_factory=list, max_length=50)
    channels: list[Channel] = Field(default_factory=list)
    active: bool = True
    facts: dict[str, float | list[float]] = Field(default_factory=dict, description=FACTS)


class MacroPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)
    language: str | None = Field(default=None, max_length=8)
    reasons: list[str] | None = Field(default=None, max_length=50)
    channels: list[Channel] | None = None
    active: bool | None = None
    facts: dict[str, float | list[float]] | None = Field(default=None, description=FACTS)


class MacroOut(BaseModel):
    id: int
    brand_id: int
    title: str
    body: str
    language: str | None
    reasons: list[str]
    channels: list[str]
    active: bool
    facts: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, macro: Macro) -> MacroOut:
        return cls.model_validate(macro, from_attributes=True)


def _visible_macro(session: Session, who: Principal, macro_id: int) -> Macro:
    macro = session.get(Macro, macro_id)
    if macro is None or not can_read_brand(session, who, macro.brand_id):
        raise HTTPException(404, f"no macro {macro_id} visible to you")
    return macro


@router.get("", response_model=list[MacroOut], responses={**ERRORS})
def list_macros(
    auth: Reader, brand: int | None = None, active: bool | None = None
) -> list[MacroOut]:
    """The macros of the user's brand (or of the brand a provider is engaged on)."""
    session, who = auth
    brands = visible_brand_ids(session, who)
    if brand is None:
        if len(brands) > 1:
            raise HTTPException(
                422,
                {
                    "detail": "you are engaged on several brands: choose one",
                    "errors": [{"field": "brand", "reason": "required"}],
                },
            )
        brand = next(iter(brands), None)
    if brand is None or brand not in brands:
        return []
    return [MacroOut.of(m) for m in macros_of(session, brand, active)]


@router.post("", response_model=MacroOut, status_code=201, responses={**ERRORS})
def create_macro(body: MacroIn, auth: Writer) -> MacroOut:
    session, who = auth
    values = body.model_dump()
    values["channels"] = [c.value for c in body.channels]
    macro = do_create_macro(session, who, **values)
    session.commit()
    return MacroOut.of(macro)


@router.get("/{macro_id}", response_model=MacroOut, responses={**ERRORS, **NOT_FOUND})
def get_macro(macro_id: int, auth: Reader) -> MacroOut:
    session, who = auth
    return MacroOut.of(_visible_macro(session, who, macro_id))


@router.patch("/{macro_id}", response_model=MacroOut, responses={**ERRORS, **NOT_FOUND})
def patch_macro(macro_id: int, body: MacroPatch, auth: Writer) -> MacroOut:
    session, who = auth
    macro = _visible_macro(session, who, macro_id)
    changes = body.model_dump(exclude_unset=True)
    if body.channels is not None:
        changes["channels"] = [c.value for c in body.channels]
    macro = do_update_macro(session, macro, who, changes)
    session.commit()
    return MacroOut.of(macro)
