"""GET /api/v1/messages/{id}/attachments/{sha256}: download an attachment of a message
the user may see (through the case scope; anything else is a 404)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from omnicase.api.deps import Reader, get_db
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.downloads import attachment_meta, download_response
from omnicase.model import Case, Message
from omnicase.services.audit import do_record_access
from omnicase.store.scope import case_filter

router = APIRouter(prefix="/api/v1/messages", tags=["attachments"])


@router.get(
    "/{message_id}/attachments/{sha256}",
    response_class=FileResponse,
    responses={**ERRORS, **NOT_FOUND, 200: {"content": {"application/octet-stream": {}}}},
)
def download_attachment(
    message_id: int, sha256: str, request: Request, auth: Reader
) -> FileResponse:
    """Always a download (``Content-Disposition: attachment``, ``nosniff``, a sandbox
    CSP): a file from a customer is never rendered by the browser as a page."""
    session, who = auth
    message = session.scalar(
        select(Message)
        .join(Case, Case.id == Message.case_id)
        .where(Message.id == message_id, case_filter(session, who))
    )
    meta = attachment_meta(message, sha256)
    store = AttachmentStore.from_settings(request.app.state.settings)
    if message is None or meta is None or not store.exists(sha256):
        raise HTTPException(404, "no such attachment visible to you")
    do_record_access(
        get_db(request),
        who,
        "attachment_read",
        case_ids=[message.case_id],
        client=request.client.host if request.client else None,
    )
    return download_response(store, sha256, meta)
