"""Cases: list, read with the cross-channel timeline, patch, merge, split, undo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import Reader, Writer, get_db
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.api.paging import before_id
from omnicase.api.schemas import (
    CaseDetail,
    CasePage,
    CaseSummary,
    EventOut,
    LinkOut,
    MessageOut,
    NoteOut,
)
from omnicase.ingest.schema import Channel
from omnicase.model import Case, CaseLink, CaseStatus, Event, Message
from omnicase.services.audit import do_record_access
from omnicase.services.cases import (
    do_merge_cases,
    do_patch_case,
    do_split_message,
    do_undo_link,
)
from omnicase.services.replies import notes_of
from omnicase.store.queries import (
    CaseQuery,
    brand_prefixes,
    channels_of,
    encode_cursor,
    find_case,
    list_cases,
)
from omnicase.store.references import format_reference
from omnicase.store.scope import Principal
from omnicase.understand.taxonomy import TRIAGE

router = APIRouter(prefix="/api/v1", tags=["cases"])


def summaries(session: Session, cases: list[Case]) -> list[CaseSummary]:
    brands = brand_prefixes(session)
    channels = channels_of(session, [c.id for c in cases])
    return [
        CaseSummary(
            id=c.id,
            reference=format_reference(brands[c.brand_id][1], c.id),
            brand=brands[c.brand_id][0],
            customer_id=c.customer_id,
            status=c.status,
            channel=c.channel,
            channels=channels.get(c.id, []),
            subject=c.subject,
            reason=c.reason,
            reason_confidence=c.reason_confidence,
            triage=c.reason == TRIAGE,
            language=c.language,
            priority=c.priority,
            signals=list(c.signals or ()),
            queue=c.queue,
            team_id=c.team_id,
            assignee_id=c.assignee_id,
            message_count=c.message_count,
            first_inbound_at=c.first_inbound_at,
            first_response_at=c.first_response_at,
            last_message_at=c.last_message_at,
            resolved_at=c.resolved_at,
            created_at=c.created_at,
            sla_state=c.sla_state,
            first_response_due_at=c.first_response_due_at,
            next_response_due_at=c.next_response_due_at,
            resolution_due_at=c.resolution_due_at,
            sla_paused_at=c.sla_paused_at,
        )
        for c in cases
    ]


@router.get("/cases", response_model=CasePage, responses=ERRORS)
def get_cases(
    request: Request,
    auth: Reader,
    status: CaseStatus | None = None,
    channel: Channel | None = None,
    reason: Annotated[str | None, Query(max_length=32)] = None,
    queue: Annotated[str | None, Query(max_length=64)] = None,
    assignee: int | None = None,
    customer: int | None = None,
    text: Annotated[str | None, Query(min_length=2, max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    """Cases you may see, newest first, with cursor paging."""
    session, who = auth
    before = before_id(cursor)
    q = CaseQuery(
        status=status.value if status else None,
        channel=channel.value if channel else None,
        reason=reason,
        queue=queue,
        assignee_id=assignee,
        customer_id=customer,
        text=text,
    )
    rows, last = list_cases(session, who, q, limit=limit, before_id=before)
    do_record_access(
        get_db(request), who, "cases_listed", case_ids=[c.id for c in rows], client=_client(request)
    )
    return CasePage(
        items=summaries(session, rows),
        next_cursor=encode_cursor(last) if last is not None else None,
    )


def _visible_case(session: Session, who: Principal, reference: str) -> Case:
    case = find_case(session, who, reference)
    if case is None:
        raise HTTPException(404, f"no case {reference!r} visible to you")
    return case


@router.get(
    "/cases/{reference}",
    response_model=CaseDetail,
    responses={
        **ERRORS,
        **NOT_FOUND,
        308: {"description": "the case was merged: Location is the case it joined"},
    },
)
def get_case(reference: str, request: Request, auth: Reader) -> CaseDetail | RedirectResponse:
    """One case: every message across channels in time order, with why each was linked."""
    session, who = auth
    case = _visible_case(session, who, reference)
    if case.merged_into_id is not None:
        target = session.get(Case, case.merged_into_id)
        if target is not None:
            prefix = brand_prefixes(session)[target.brand_id][1]
            url = request.url_for("get_case", reference=format_reference(prefix, target.id))
            return RedirectResponse(str(url), status_code=308)
    do_record_access(get_db(request), who, "case_read", case_ids=[case.id], client=_client(request))
    return case_detail(session, case)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def case_detail(session: Session, case: Case) -> CaseDetail:
    summary = summaries(session, [case])[0]
    prefix = brand_prefixes(session)[case.brand_id][1]
    messages = session.scalars(
        select(Message).where(Message.case_id == case.id).order_by(Message.received_at, Message.id)
    )
    links = session.scalars(
        select(CaseLink)
        .where((CaseLink.source_case_id == case.id) | (CaseLink.target_case_id == case.id))
        .order_by(CaseLink.id)
    )
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    return CaseDetail(
        **summary.model_dump(),
        order_numbers=list(case.order_numbers or ()),
        timeline=[MessageOut.of(m) for m in messages],
        links=[
            LinkOut(
                id=lk.id,
                kind=lk.kind,
                source_case=format_reference(prefix, lk.source_case_id),
                target_case=format_reference(prefix, lk.target_case_id),
                created_at=lk.created_at,
                undone_at=lk.undone_at,
                actor_user_id=lk.actor_user_id,
            )
            for lk in links
        ],
        events=[EventOut.of(e) for e in events],
        notes=[NoteOut.model_validate(n, from_attributes=True) for n in notes_of(session, case.id)],
    )


class CasePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus | None = None
    assignee_id: int | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=32)
    priority: int | None = Field(default=None, ge=0, le=3)
    queue: str | None = Field(default=None, min_length=1, max_length=64)


@router.patch(
    "/cases/{reference}", response_model=CaseDetail, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def patch_case(reference: str, body: CasePatch, auth: Writer) -> CaseDetail:
    session, who = auth
    case = _visible_case(session, who, reference)
    changes = body.model_dump(exclude_unset=True)
    if "status" in changes and changes["status"] is not None:
        changes["status"] = changes["status"].value
    do_patch_case(session, case, changes, who)
    session.commit()
    return case_detail(session, case)


class MergeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: str = Field(
        description="reference of the case that keeps the request", examples=["AC-000123"]
    )


@router.post(
    "/cases/{reference}/merge",
    response_model=CaseDetail,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
)
def merge_case(reference: str, body: MergeBody, auth: Writer) -> CaseDetail:
    """Merge this case into ``into``; this case then redirects there."""
    session, who = auth
    source = _visible_case(session, who, reference)
    target = _visible_case(session, who, body.into)
    link = do_merge_cases(session, source.id, target.id, who)
    session.commit()
    final = session.get(Case, link.target_case_id)
    assert final is not None
    return case_detail(session, final)


class SplitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: int = Field(description="the message that is another request")


@router.post(
    "/cases/{reference}/split",
    response_model=CaseDetail,
    status_code=201,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
)
def split_case(reference: str, body: SplitBody, auth: Writer) -> CaseDetail:
    """Move one message of this case to a new case; returns the new case."""
    session, who = auth
    case = _visible_case(session, who, reference)
    message = session.get(Message, body.message_id)
    if message is None or message.case_id != case.id:
        raise HTTPException(
            422,
            {
                "detail": "that message is not on this case",
                "errors": [{"field": "message_id", "reason": "not a message of this case"}],
            },
        )
    link = do_split_message(session, body.message_id, who)
    session.commit()
    new_case = session.get(Case, link.target_case_id)
    assert new_case is not None
    return case_detail(session, new_case)


@router.post(
    "/case-links/{link_id}/undo",
    response_model=CaseDetail,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
)
def undo_link(link_id: int, auth: Writer) -> CaseDetail:
    """Undo a merge or a split; returns the case that got its messages back."""
    session, who = auth
    link = session.get(CaseLink, link_id)
    if link is None or _visible_or_none(session, who, link.source_case_id) is None:
        raise HTTPException(404, f"no merge/split {link_id} visible to you")
    do_undo_link(session, link_id, who)
    session.commit()
    case = session.get(Case, link.source_case_id)
    assert case is not None
    return case_detail(session, case)


def _visible_or_none(session: Session, who: Principal, case_id: int) -> Case | None:
    return find_case(session, who, str(case_id))
