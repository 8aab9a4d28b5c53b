"""POST /api/v1/messages: the canonical message in, through the one ingestion pipeline."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, Response
from pydantic import ValidationError

from omnicase.api.deps import Writer, get_db
from omnicase.api.errors import ERRORS
from omnicase.api.schemas import BatchItemOut, BatchOut, IngestOut
from omnicase.ingest.pipeline import IngestResult, IngestStatus, InvalidBatch, ingest
from omnicase.ingest.schema import InboundMessage, format_validation_error
from omnicase.store.queries import brand_prefixes
from omnicase.store.scope import active_grants, visible_brand_ids

router = APIRouter(prefix="/api/v1/messages", tags=["messages"])

MAX_BATCH = 1000


def _check_brands(
    auth: Writer, brands: set[str], channels: Collection[tuple[str, str]] = ()
) -> None:
    """422 for a brand that does not exist, 403 for one the user does not work for.

    Provider staff post only where an engagement lets them work every case: not on an
    overflow-only engagement (they see only the cases handed to them) and only on the
    engagement's channels (a message on another channel threads into cases they may not
    see, and the answer would name them)."""
    session, who = auth
    allowed = visible_brand_ids(session, who)
    existing = {slug: bid for bid, (slug, _) in brand_prefixes(session).items()}
    if not who.is_brand_staff:
        grants = [g for g in active_grants(session, who) if not g.overflow_only]
        allowed = {g.brand_id for g in grants}
        for brand, channel in sorted(channels):
            bid = existing.get(brand)
            if bid is not None and not any(
                g.brand_id == bid and (not g.channels or channel in g.channels) for g in grants
            ):
                raise HTTPException(403, f"you may not post {channel} messages for brand {brand!r}")
    for brand in sorted(brands):
        if brand not in existing:
            raise HTTPException(
                422,
                {
                    "detail": f"no brand named {brand!r}",
                    "errors": [{"field": "brand", "reason": f"no brand named {brand!r}"}],
                },
            )
        if existing[brand] not in allowed:
            raise HTTPException(403, f"you may not post messages for brand {brand!r}")
    session.rollback()  # release the read transaction before the pipeline writes


def _out(result: IngestResult) -> IngestOut:
    assert result.message_id is not None and result.case_id is not None
    assert result.reference is not None and result.customer_id is not None
    return IngestOut(
        status=result.status.value,
        message_id=result.message_id,
        case=result.reference,
        case_id=result.case_id,
        customer_id=result.customer_id,
        rule=result.rule,
    )


@router.post(
    "",
    status_code=201,
    response_model=IngestOut,
    responses={
        200: {"model": IngestOut, "description": "already stored: the same message"},
        **ERRORS,
    },
    summary="Ingest one canonical message",
)
def post_message(
    message: InboundMessage, request: Request, response: Response, auth: Writer
) -> IngestOut:
    """201 when stored, 200 when this (brand, channel, external_id) was already stored."""
    _check_brands(auth, {message.brand}, {(message.brand, message.channel.value)})
    result = ingest(get_db(request), [message], default_window_days=_window(request))[0]
    if result.status is IngestStatus.invalid:
        raise HTTPException(422, {"detail": "the message was refused", "errors": result.errors})
    if result.status is IngestStatus.duplicate:
        response.status_code = 200
    return _out(result)


@router.post(
    "/batch",
    response_model=BatchOut,
    responses=ERRORS,
    summary="Ingest up to 1,000 canonical messages",
)
def post_batch(
    request: Request,
    auth: Writer,
    messages: Annotated[list[dict[str, Any]], Body(max_length=MAX_BATCH)],
) -> BatchOut:
    """All-or-nothing validation: if any item is invalid, nothing is stored (422 lists
    every invalid item with its index, field and reason)."""
    parsed: list[InboundMessage] = []
    errors: list[dict[str, str]] = []
    for i, raw in enumerate(messages):
        try:
            parsed.append(InboundMessage.model_validate(raw))
        except ValidationError as exc:
            errors.extend(
                {"field": f"[{i}].{e['field']}", "reason": e["reason"]}
                for e in format_validation_error(exc)
            )
    if errors:
        raise HTTPException(
            422,
            {
                "detail": f"{len({e['field'].split('.')[0] for e in errors})}"
                " message(s) invalid; nothing was stored",
                "errors": errors,
            },
        )
    _check_brands(auth, {m.brand for m in parsed}, {(m.brand, m.channel.value) for m in parsed})
    try:
        results = ingest(get_db(request), parsed, atomic=True, default_window_days=_window(request))
    except InvalidBatch as exc:
        errors = [
            {"field": f"[{i}].{e['field']}", "reason": e["reason"]}
            for i, r in enumerate(exc.results)
            for e in r.errors
        ]
        raise HTTPException(
            422, {"detail": "invalid message(s); nothing was stored", "errors": errors}
        ) from exc
    items = [
        BatchItemOut(
            index=i,
            status=r.status.value,
            message_id=r.message_id,
            case=r.reference,
            case_id=r.case_id,
            customer_id=r.customer_id,
            rule=r.rule,
            errors=r.errors,
        )
        for i, r in enumerate(results)
    ]
    return BatchOut(
        created=sum(r.status is IngestStatus.created for r in results),
        duplicate=sum(r.status is IngestStatus.duplicate for r in results),
        invalid=0,
        results=items,
    )


def _window(request: Request) -> int:
    """The deployment's default reopen window (``OMNICASE_THREAD_WINDOW_DAYS``)."""
    return int(request.app.state.settings.thread_window_days)
