"""POST /api/v1/cases/{ref}/replies and /notes: agents answer customers and leave notes.

Thin: the case must be visible to the user (404 otherwise), the role must write (403),
the service does the rest (:mod:`omnicase.services.replies`)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from omnicase.api.cases import _visible_case
from omnicase.api.deps import Writer
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.api.schemas import MessageOut, NoteOut
from omnicase.channels.attachments import AttachmentError, AttachmentStore
from omnicase.ingest.schema import Channel
from omnicase.model import CaseStatus
from omnicase.services.replies import MAX_ATTACHMENTS, do_add_note, do_reply

router = APIRouter(prefix="/api/v1/cases", tags=["replies"])

TOO_LARGE: dict[int | str, dict[str, str]] = {413: {"description": "an attachment is too large"}}


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=255)
    content_base64: str = Field(description="the file, base64")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000)
    html: str | None = Field(
        default=None, max_length=1_000_000, description="sanitised; made from text if absent"
    )
    channel: Channel | None = Field(
        default=None, description="default: the channel the customer last wrote on"
    )
    subject: str | None = Field(default=None, max_length=500, description="email only")
    status_after: CaseStatus | None = Field(
        default=None, description="the case's status once answered (e.g. pending, resolved)"
    )
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="channel options: WhatsApp {template: {name, language, parameters}}, "
        "Messenger/Instagram {tag: HUMAN_AGENT}; other channels take none",
    )


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000)


def _store_attachments(request: Request, items: list[AttachmentIn]) -> list[dict[str, object]]:
    store = AttachmentStore.from_settings(request.app.state.settings)
    out = []
    for i, item in enumerate(items):
        try:
            data = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(
                422,
                {
                    "detail": "an attachment is not valid base64",
                    "errors": [
                        {"field": f"attachments.{i}.content_base64", "reason": "not base64"}
                    ],
                },
            ) from None
        try:
            out.append(store.add(data, item.filename, item.content_type))
        except AttachmentError as exc:
            raise HTTPException(
                413,
                {"detail": str(exc), "errors": [{"field": f"attachments.{i}", "reason": str(exc)}]},
            ) from None
    return out


@router.post(
    "/{reference}/replies",
    response_model=MessageOut,
    status_code=201,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT, **TOO_LARGE},
)
def post_reply(reference: str, body: ReplyIn, request: Request, auth: Writer) -> MessageOut:
    """Answer the customer: the message is queued (``delivery_status``) and sent in the
    background; its status moves to sent, or failed with the error in ``meta.delivery``."""
    session, who = auth
    case = _visible_case(session, who, reference)
    message = do_reply(
        session,
        case,
        who,
        body.channel.value if body.channel else None,
        body.text,
        html=body.html,
        attachments=_store_attachments(request, body.attachments),
        status_after=body.status_after.value if body.status_after else None,
        subject=body.subject,
        options=body.options,
    )
    session.commit()
    return MessageOut.of(message)


@router.post(
    "/{reference}/notes",
    response_model=NoteOut,
    status_code=201,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
)
def post_note(reference: str, body: NoteIn, auth: Writer) -> NoteOut:
    """An internal note, shown in the case's ``notes``; never sent."""
    session, who = auth
    case = _visible_case(session, who, reference)
    note = do_add_note(session, case, who, body.text)
    session.commit()
    return NoteOut.model_validate(note, from_attributes=True)
