"""An attachment of a message as a download: the one response both the API and the web
case view give, so a customer's file is never rendered by the browser as a page."""

from __future__ import annotations

from typing import Any

from fastapi.responses import FileResponse

from omnicase.channels.attachments import SHA256_RE, AttachmentStore
from omnicase.model import Message


def attachment_meta(message: Message | None, sha256: str) -> dict[str, Any] | None:
    """The message's attachment with that digest, or None (no such message or file)."""
    if message is None or not SHA256_RE.match(sha256):
        return None
    return next((a for a in (message.attachments or []) if a.get("sha256") == sha256), None)


def download_response(store: AttachmentStore, sha256: str, meta: dict[str, Any]) -> FileResponse:
    """Always a download (``Content-Disposition: attachment``, ``nosniff``, a sandbox CSP,
    never cached by a shared proxy)."""
    return FileResponse(
        store.path_of(sha256),
        media_type=str(meta.get("content_type") or "application/octet-stream"),
        filename=str(meta.get("filename") or "attachment"),
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )
