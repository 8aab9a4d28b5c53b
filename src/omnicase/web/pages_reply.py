"""The reply composer's post: an answer on a channel (default: where the customer last
wrote) with attachments, or an internal note; the case's status after it. A refusal of
the channel's rules (no identity on it, WhatsApp's 24-hour window…) re-shows the page
with the reason next to the field and the draft kept; nothing is written.

Before an answer goes out its draft is checked (``check_draft``, the API check's access
rule): a contradiction with what the request was already told, or with the brand's
macros, re-shows the composer (409) with the findings and a "send anyway" button (the
second submit carries ``send_anyway=1``; ``do_reply`` then records the inconsistencies).
No finding: the answer goes at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from omnicase.channels.attachments import AttachmentError, AttachmentStore
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError, do_patch_case
from omnicase.services.consistency import findings_for_reply
from omnicase.services.replies import MAX_ATTACHMENTS, do_add_note, do_reply
from omnicase.web.composer import reply_channel, warning_view
from omnicase.web.deps import PageWriter
from omnicase.web.pages_case import REPLY_CHANNELS, STATUSES, case_page, visible_case

router = APIRouter(include_in_schema=False)


@router.post("/cases/{reference}/reply")
async def reply(
    reference: str,
    request: Request,
    page: PageWriter,
    text: Annotated[str, Form(max_length=100_000)] = "",
    channel: Annotated[str, Form(max_length=16)] = "",
    internal_note: Annotated[str, Form(max_length=3)] = "",
    status_after: Annotated[str, Form(max_length=16)] = "",
    send_anyway: Annotated[str, Form(max_length=3)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    case = visible_case(page, reference)
    uploads = [f for f in (files or []) if f.filename]

    def refuse(field: str, reason: str, status: int = 422) -> Response:
        page.db.rollback()
        return case_page(
            request,
            page,
            case,
            reply_error={"field": field, "reason": reason},
            status=status,
            draft=text,
            channel=channel,
            status_after=status_after,
        )

    if channel and channel not in REPLY_CHANNELS:
        return refuse("channel", f"not a channel replies are sent on: {channel}")
    if status_after and status_after not in STATUSES:
        return refuse("status_after", f"not a status: {status_after}")
    if len(uploads) > MAX_ATTACHMENTS:
        return refuse("files", f"at most {MAX_ATTACHMENTS} attachments")
    try:
        if internal_note:
            if uploads:
                return refuse("files", page.t("reply.note_no_files"))
            do_add_note(page.db, case, page.who, text)
            if status_after:
                do_patch_case(page.db, case, {"status": status_after}, page.who)
        else:
            if not send_anyway and text.strip():
                target = reply_channel(page, case, channel or None) or ""
                findings = findings_for_reply(page.db, case, page.who, text, target, utcnow())
                if findings:  # shown; nothing sent until the agent confirms or edits
                    page.db.rollback()
                    return case_page(
                        request,
                        page,
                        case,
                        status=409,
                        draft=text,
                        channel=channel,
                        status_after=status_after,
                        warnings=warning_view(page, case, findings),
                        files_dropped=bool(uploads),
                    )
            store = AttachmentStore.from_settings(request.app.state.settings)
            attachments = []
            for upload in uploads:
                data = await upload.read(store.max_bytes + 1)
                try:
                    attachments.append(store.add(data, upload.filename, upload.content_type))
                except AttachmentError as exc:
                    return refuse("files", str(exc), 413)
            do_reply(
                page.db,
                case,
                page.who,
                channel or None,
                text,
                attachments=attachments,
                status_after=status_after or None,
            )
    except ActionError as exc:
        return refuse(exc.field or "text", str(exc), exc.status)
    page.db.commit()
    return RedirectResponse(f"/cases/{reference}#timeline-end", status_code=303)
