"""GET /api/v1/messages/{id}/original: the raw bytes a message was made from (the full
email as received, headers and every part), for a user who may see its case."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from omnicase.api.deps import Reader, get_db
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.model import Case, InboxItem, Message
from omnicase.services.audit import do_record_access
from omnicase.store.scope import case_filter

router = APIRouter(prefix="/api/v1/messages", tags=["channels"])

_TYPES = {"email": "message/rfc822"}


@router.get(
    "/{message_id}/original",
    responses={**ERRORS, **NOT_FOUND, 200: {"content": {"message/rfc822": {}}}},
)
def message_original(message_id: int, request: Request, auth: Reader) -> Response:
    """Always a download (never rendered: the original is the unsanitised input); a
    message without a stored original, or on a case out of scope, is a 404."""
    session, who = auth
    message = session.scalar(
        select(Message)
        .join(Case, Case.id == Message.case_id)
        .where(Message.id == message_id, case_filter(session, who))
    )
    inbox_id = (message.meta or {}).get("inbox_id") if message is not None else None
    row = session.get(InboxItem, inbox_id) if isinstance(inbox_id, int) else None
    if message is None or row is None or row.brand_id != message.brand_id:
        raise HTTPException(404, "no original visible to you for this message")
    do_record_access(
        get_db(request),
        who,
        "message_original_read",
        case_ids=[message.case_id],
        client=request.client.host if request.client else None,
    )
    kind = _TYPES.get(row.channel, "application/octet-stream")
    extension = "eml" if row.channel == "email" else "bin"
    return Response(
        bytes(row.body),
        media_type=kind,
        headers={
            "Content-Disposition": f'attachment; filename="message-{message.id}.{extension}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )
