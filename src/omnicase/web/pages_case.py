"""The case page and its actions: reason, status, merge, split, undo; the message's
sanitised HTML in a sandboxed frame. Every case is found through the access rule
(``find_case``): a case outside the user's scope is a 404, exactly like one that does not
exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.downloads import attachment_meta, download_response
from omnicase.model import Case, CaseLink, CaseStatus, Message
from omnicase.services.audit import do_record_access
from omnicase.services.cases import (
    ActionError,
    do_merge_cases,
    do_patch_case,
    do_split_message,
    do_undo_link,
)
from omnicase.services.replies import default_channel
from omnicase.store.queries import brand_prefixes, find_case
from omnicase.store.references import format_reference
from omnicase.web.case_view import build_case_view
from omnicase.web.composer import composer_context
from omnicase.web.deps import Page, PageError, PageReader, PageWriter
from omnicase.web.queries import reasons_for
from omnicase.web.templating import render

router = APIRouter(include_in_schema=False)
STATUSES = tuple(s.value for s in CaseStatus)
REPLY_CHANNELS = ("email", "chat", "messenger", "instagram", "whatsapp", "x", "sms")


def visible_case(page: Page, reference: str) -> Case:
    case = find_case(page.db, page.who, reference)
    if case is None:
        raise PageError(404, "error.not_found")
    return case


def case_url(page: Page, case_id: int) -> str:
    case = page.db.get(Case, case_id)
    assert case is not None
    return "/cases/" + format_reference(brand_prefixes(page.db)[case.brand_id][1], case.id)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _after_action(request: Request, url: str) -> Response:
    """A form post → 303 to the case; an HTMX post → HX-Redirect (full reload)."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _action_error(exc: ActionError) -> PageError:
    return PageError(exc.status, "error.action", str(exc), exc.field or "")


def case_page(
    request: Request,
    page: Page,
    case: Case,
    *,
    reply_error: dict[str, str] | None = None,
    status: int = 200,
    draft: str = "",
    channel: str = "",
    status_after: str = "",
    warnings: list[str] | None = None,
    files_dropped: bool = False,
) -> Response:
    """The case; after a refused or warned reply, the composer as the agent left it
    (draft, channel, status after) with the refusal or the consistency warning."""
    view = build_case_view(page.db, page.who, case)
    try:
        default = default_channel(page.db, case)
    except ActionError:
        default = case.channel
    return render(
        request,
        "case.html",
        page,
        status=status,
        v=view,
        reasons=reasons_for(page.db, page.who),
        statuses=STATUSES,
        reply_channels=REPLY_CHANNELS,
        default_channel=default,
        chosen_channel=channel or default,
        reply_error=reply_error,
        draft=draft,
        status_after=status_after,
        warnings=warnings or [],
        files_dropped=files_dropped,
        **composer_context(page, case, channel or None),
    )


@router.get("/cases/{reference}")
def case_view(reference: str, request: Request, page: PageReader) -> Response:
    case = visible_case(page, reference)
    if case.merged_into_id is not None:
        return RedirectResponse(case_url(page, case.merged_into_id), status_code=303)
    do_record_access(
        request.app.state.db, page.who, "case_read", case_ids=[case.id], client=_client(request)
    )
    return case_page(request, page, case)


FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src {images}; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
)


@router.get("/cases/{reference}/messages/{message_id}/frame")
def message_frame(
    reference: str,
    message_id: int,
    page: PageReader,
    images: Annotated[bool, Query()] = False,
) -> Response:
    """The message's sanitised HTML, for a ``sandbox`` iframe (no scripts, no forms, no
    same-origin): its own CSP forbids every script and, unless the agent asked, every
    remote image (tracking pixels)."""
    case = visible_case(page, reference)
    message = page.db.scalar(
        select(Message).where(Message.id == message_id, Message.case_id == case.id)
    )
    if message is None or not message.html:
        raise PageError(404, "error.not_found")
    csp = FRAME_CSP.format(images="https: data:" if images else "data:")
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><base target=_blank>" + message.html,
        headers={
            "Content-Security-Policy": csp,
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


@router.get("/cases/{reference}/messages/{message_id}/attachments/{sha256}")
def download_attachment(
    reference: str, message_id: int, sha256: str, request: Request, page: PageReader
) -> Response:
    """An attachment of a message of a case the user may see, as a download (the API's
    response: never rendered by the browser); the read goes to the access audit."""
    case = visible_case(page, reference)
    message = page.db.scalar(
        select(Message).where(Message.id == message_id, Message.case_id == case.id)
    )
    meta = attachment_meta(message, sha256)
    store = AttachmentStore.from_settings(request.app.state.settings)
    if meta is None or not store.exists(sha256):
        raise PageError(404, "error.not_found")
    do_record_access(
        request.app.state.db,
        page.who,
        "attachment_read",
        case_ids=[case.id],
        client=_client(request),
    )
    return download_response(store, sha256, meta)


@router.post("/cases/{reference}/update")
def update_case(
    reference: str,
    request: Request,
    page: PageWriter,
    reason: Annotated[str, Form(max_length=32)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    priority: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """Reason (the correction path the reason model learns from), status, priority."""
    case = visible_case(page, reference)
    changes: dict[str, object] = {}
    if reason:
        changes["reason"] = reason
    if status:
        if status not in STATUSES:
            raise PageError(422, "error.action", f"status: {status}", "status")
        changes["status"] = status
    if priority:
        if not priority.isdigit() or not 0 <= int(priority) <= 3:
            raise PageError(422, "error.action", "priority: 0-3", "priority")
        changes["priority"] = int(priority)
    try:
        do_patch_case(page.db, case, changes, page.who)
    except ActionError as exc:
        raise _action_error(exc) from exc
    page.db.commit()
    return _after_action(request, case_url(page, case.id))


@router.post("/cases/{reference}/merge")
def merge_case(
    reference: str,
    request: Request,
    page: PageWriter,
    into: Annotated[str, Form(min_length=1, max_length=40)],
) -> Response:
    """This case joins ``into`` (both must be visible); the page moves to the result."""
    source = visible_case(page, reference)
    target = visible_case(page, into.strip())
    try:
        link = do_merge_cases(page.db, source.id, target.id, page.who)
    except ActionError as exc:
        raise _action_error(exc) from exc
    page.db.commit()
    return _after_action(request, case_url(page, link.target_case_id))


@router.post("/cases/{reference}/split")
def split_case(
    reference: str,
    request: Request,
    page: PageWriter,
    message_id: Annotated[int, Form()],
) -> Response:
    case = visible_case(page, reference)
    message = page.db.get(Message, message_id)
    if message is None or message.case_id != case.id:
        raise PageError(422, "error.action", "not a message of this case", "message_id")
    try:
        link = do_split_message(page.db, message_id, page.who)
    except ActionError as exc:
        raise _action_error(exc) from exc
    page.db.commit()
    return _after_action(request, case_url(page, link.target_case_id))


@router.post("/case-links/{link_id}/undo")
def undo_link(link_id: int, request: Request, page: PageWriter) -> Response:
    link = page.db.get(CaseLink, link_id)
    if link is None or find_case(page.db, page.who, str(link.source_case_id)) is None:
        raise PageError(404, "error.not_found")
    try:
        do_undo_link(page.db, link_id, page.who)
    except ActionError as exc:
        raise _action_error(exc) from exc
    page.db.commit()
    return _after_action(request, case_url(page, link.source_case_id))
