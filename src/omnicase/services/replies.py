"""Agents' replies (sent to the customer on a channel) and internal notes (never sent).

``do_reply`` writes the outbound message (``queued``), updates the case (first response,
status), records the contradictions the answer makes with earlier answers of the request
or the brand's macros (``inconsistencies``, :mod:`omnicase.services.consistency`) and
defers ``channels.send`` in the same transaction, so a reply is either
entirely recorded and queued, or not at all. The send job (:mod:`omnicase.channels.delivery`)
does the wire work with retries. Notes are rows of ``case_notes``: shown in the
timeline, never a contact, an answer or threading evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omnicase.channels.attachments import SHA256_RE, clean_content_type, safe_filename
from omnicase.channels.base import ReplyRefused
from omnicase.channels.html import sanitize_html, text_to_html
from omnicase.channels.registry import REPLY_INSTEAD, UnknownChannel, get_adapter
from omnicase.channels.sms.consent import check_sms_allowed
from omnicase.jobs import defer
from omnicase.model import (
    Case,
    CaseNote,
    CaseStatus,
    ChannelAccount,
    Identity,
    Message,
    User,
)
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError, do_patch_case, record_event
from omnicase.services.channel_accounts import account_view
from omnicase.services.consistency import do_record_inconsistencies, findings_for_reply
from omnicase.store.scope import Principal

SEND_JOB = "channels.send"
MAX_TEXT = 100_000
MAX_ATTACHMENTS = 20


def _check_writer(who: Principal, case: Case) -> None:
    if not who.can_write:
        raise ActionError(f"the {who.role} role is read-only", status=403)
    if case.merged_into_id is not None:
        raise ActionError("this case was merged; answer on the case it redirects to")


def _check_text(text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError("must not be empty", field=field, status=422)
    if len(text) > MAX_TEXT:
        raise ActionError(f"at most {MAX_TEXT} characters", field=field, status=422)
    return text


def default_channel(session: Session, case: Case) -> str:
    """The channel of the customer's latest message on the case (a web form is answered
    by email)."""
    channel = session.scalar(
        select(Message.channel)
        .where(Message.case_id == case.id, Message.direction == "inbound")
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(1)
    )
    if channel is None:
        raise ActionError(
            "the customer has not written on this case: choose the channel", "channel", 422
        )
    return REPLY_INSTEAD.get(channel, channel)


def recipient_identity(session: Session, case: Case, kind: str) -> Identity | None:
    """The customer's identity of ``kind`` to write to: the latest one linked."""
    return session.scalar(
        select(Identity)
        .where(Identity.customer_id == case.customer_id, Identity.kind == kind)
        .order_by(Identity.id.desc())
        .limit(1)
    )


def last_inbound_at(session: Session, case: Case, channel: str) -> datetime | None:
    """When the customer last wrote on ``channel`` (any case): messaging windows start
    there."""
    at = session.scalar(
        select(func.max(Message.received_at)).where(
            Message.customer_id == case.customer_id,
            Message.channel == channel,
            Message.direction == "inbound",
        )
    )
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at


def sending_account(session: Session, case: Case, channel: str) -> ChannelAccount:
    """The account the customer last wrote to on ``channel``, else the brand's first
    active one."""
    metas = session.scalars(
        select(Message.meta)
        .where(
            Message.case_id == case.id,
            Message.channel == channel,
            Message.direction == "inbound",
        )
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(5)
    )
    for meta in metas:
        account_id = (meta or {}).get("account_id")
        if isinstance(account_id, int):
            account = session.get(ChannelAccount, account_id)
            if account is not None and account.active and account.brand_id == case.brand_id:
                return account
    account = session.scalar(
        select(ChannelAccount)
        .where(
            ChannelAccount.brand_id == case.brand_id,
            ChannelAccount.channel == channel,
            ChannelAccount.active.is_(True),
        )
        .order_by(ChannelAccount.id)
        .limit(1)
    )
    if account is None:
        raise ActionError(f"the brand has no active {channel} account to send from", "channel")
    return account


def _reply_subject(session: Session, case: Case, channel: str) -> str | None:
    subject = session.scalar(
        select(Message.subject)
        .where(Message.case_id == case.id, Message.channel == channel, Message.subject.is_not(None))
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(1)
    )
    base = (subject or case.subject or "").strip()
    if not base:
        return None
    return base if base.lower().startswith(("re:", "re :", "aw:", "sv:")) else f"Re: {base}"


def _attachments(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if len(items) > MAX_ATTACHMENTS:
        raise ActionError(f"at most {MAX_ATTACHMENTS} attachments", "attachments", 422)
    out = []
    for i, item in enumerate(items):
        sha = str(item.get("sha256", ""))
        if not SHA256_RE.match(sha):
            raise ActionError("not a stored attachment id", f"attachments[{i}].sha256", 422)
        out.append(
            {
                "filename": safe_filename(str(item.get("filename") or "")),
                "content_type": clean_content_type(str(item.get("content_type") or "")),
                "size": int(item.get("size") or 0),
                "sha256": sha,
            }
        )
    return out


def _lock(session: Session, case: Case) -> Case:
    locked = session.execute(select(Case).where(Case.id == case.id).with_for_update()).scalar_one()
    return locked


def do_reply(
    session: Session,
    case: Case,
    who: Principal,
    channel: str | None,
    text: str,
    html: str | None = None,
    attachments: Sequence[Mapping[str, Any]] = (),
    status_after: str | None = None,
    subject: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Message:
    """Queue an answer to the customer on ``channel`` (default: where they last wrote).

    Refused, with the field and reason: a channel no adapter sends on, a channel the
    customer has no identity for, a brand without an account on it, an empty text, a
    subject with line breaks (header injection), a reply the channel refuses
    (``adapter.check_reply``: WhatsApp's 24-hour window, ``options`` it does not take)."""
    _check_writer(who, case)
    case = _lock(session, case)
    text = _check_text(text)
    channel = channel or default_channel(session, case)
    try:
        adapter = get_adapter(channel)
    except UnknownChannel:
        raise ActionError(f"replies cannot be sent on {channel!r}", "channel", 422) from None
    kind = adapter.reply_identity.get(channel)
    if kind is None:
        raise ActionError(f"replies cannot be sent on {channel!r}", "channel", 422)
    identity = recipient_identity(session, case, kind)
    if identity is None:
        raise ActionError(
            f"the customer has no {kind} identity: they cannot be answered on {channel}",
            "channel",
            422,
        )
    if subject is not None and any(c in subject for c in "\r\n"):
        raise ActionError("must be one line (no CR or LF)", "subject", 422)
    if channel == "sms":  # a customer who texted STOP gets no more SMS
        check_sms_allowed(session, case.customer_id)
    if status_after is not None and status_after not in CaseStatus.__members__:
        raise ActionError(f"one of {', '.join(CaseStatus)}", "status_after", 422)
    options = dict(options or {})
    now = utcnow()
    try:
        adapter.check_reply(channel, options, last_inbound_at(session, case, channel), now)
    except ReplyRefused as exc:
        raise ActionError(exc.reason, exc.field, 422) from None
    account = sending_account(session, case, channel)
    findings = findings_for_reply(session, case, who, text, channel, now)
    external_id = adapter.new_external_id(account_view(session, None, account))
    thread_ids, in_reply_to, conversation = _thread(session, case, channel)
    author = session.get(User, who.user_id)
    message = Message(
        brand_id=case.brand_id,
        case_id=case.id,
        customer_id=case.customer_id,
        channel=channel,
        direction="outbound",
        external_id=external_id,
        conversation_id=conversation,
        in_reply_to=in_reply_to,
        references=thread_ids[-20:],
        author_user_id=who.user_id,
        author_name=author.name if author is not None else None,
        subject=subject.strip() if subject else _reply_subject(session, case, channel),
        text=text,
        html=sanitize_html(html) if html else text_to_html(text),
        attachments=_attachments(attachments),
        meta={
            "account_id": account.id,
            "to_identity_id": identity.id,
            **({"options": options} if options else {}),
        },
        entities={},
        delivery_status="queued",
        received_at=now,
        created_at=now,
        link_rule="agent_reply",
        link_score=1.0,
        link_detail={"by": who.actor},
    )
    session.add(message)
    session.flush()
    do_record_inconsistencies(session, case, message, who, findings)
    case.message_count = (case.message_count or 0) + 1
    case.last_message_at = now
    if case.first_response_at is None and case.first_inbound_at is not None:
        case.first_response_at = now
    case.updated_at = now
    record_event(
        session,
        "message.replied",
        brand_id=case.brand_id,
        actor=who.actor,
        case_id=case.id,
        message_id=message.id,
        data={"channel": channel, "account": account.id},
    )
    target = status_after or (CaseStatus.open.value if case.status == CaseStatus.new else None)
    if target is not None:
        do_patch_case(session, case, {"status": target}, who)
    defer(session, SEND_JOB, message_id=message.id, brand_id=case.brand_id)
    return message


def _thread(session: Session, case: Case, channel: str) -> tuple[list[str], str | None, str | None]:
    """The case's message ids on ``channel`` (oldest first), the customer's latest one,
    and the conversation to continue (chat session, DM thread)."""
    rows = session.execute(
        select(Message.external_id, Message.direction, Message.conversation_id)
        .where(Message.case_id == case.id, Message.channel == channel)
        .order_by(Message.received_at, Message.id)
    ).all()
    ids = [r.external_id for r in rows]
    inbound = [r for r in rows if r.direction == "inbound"]
    last = inbound[-1] if inbound else None
    conversation = next((r.conversation_id for r in reversed(rows) if r.conversation_id), None)
    return ids, (last.external_id if last else None), conversation


def do_add_note(session: Session, case: Case, who: Principal, text: str) -> CaseNote:
    """An internal note on the case, for colleagues (the brand's and the provider's
    people who may see the case); never sent to the customer."""
    _check_writer(who, case)
    note = CaseNote(
        brand_id=case.brand_id,
        case_id=case.id,
        author_user_id=who.user_id,
        text=_check_text(text),
        created_at=utcnow(),
    )
    session.add(note)
    session.flush()
    record_event(
        session,
        "case.note_added",
        brand_id=case.brand_id,
        actor=who.actor,
        case_id=case.id,
        data={"note": note.id},
    )
    return note


def notes_of(session: Session, case_id: int) -> list[CaseNote]:
    return list(
        session.scalars(select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id))
    )
