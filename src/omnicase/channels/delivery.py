"""Sending agents' replies: the ``channels.send`` job.

One run: read the queued message and build the :class:`OutboundContext` (account with
its secrets decrypted, recipient, thread ids, case reference), mark it ``sending``, call
the adapter's ``send``, record the outcome:

* sent → ``delivery_status = sent``, the provider's details in ``meta.delivery`` (and its
  id as ``external_id`` when it gives one, ours kept in ``meta.local_id``);
* retryable (4xx, connection refused, timeout, any exception in the adapter) → the job
  raises and runs again after its backoff; the error is kept on the message meanwhile;
  after the last attempt the message is ``failed`` with the error and the job is dead
  (an admin's retry gives it one more run);
* permanent (5xx, refused configuration) → ``failed`` at once, with the error and a
  ``message.failed`` event; the job ends (retrying cannot help).

Delivery is at least once: a crash between the provider's acceptance and our commit
sends again on the retry (the email's Message-ID is the same, so mail clients show one).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.base import (
    OutboundAttachment,
    OutboundContext,
    SendResult,
    SendStatus,
)
from omnicase.channels.registry import get_adapter
from omnicase.jobs import JobContext, RetryPolicy, get_spec, job
from omnicase.model import Case, ChannelAccount, Identity, Message, Organisation
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox, SecretError
from omnicase.services.cases import record_event
from omnicase.services.channel_accounts import account_view
from omnicase.services.replies import SEND_JOB
from omnicase.store.db import Database
from omnicase.store.references import format_reference

log = logging.getLogger(__name__)

DONE = ("sent", "delivered", "read")


class SendRetry(RuntimeError):
    """A temporary failure: the job system runs the send again after its backoff."""


class Unsendable(ValueError):
    """The reply cannot be built (no account, no recipient, no key): permanent."""


@job(
    SEND_JOB,
    queue="channels",
    retry=RetryPolicy(max_attempts=6, backoff=30, factor=2, max_delay=3600),
    lock=lambda kwargs: f"send:{kwargs['message_id']}",
)
def send_job(ctx: JobContext, message_id: int, brand_id: int | None = None) -> str:
    final = ctx.attempt >= get_spec(SEND_JOB).retry.max_attempts
    return send_message(
        ctx.db,
        message_id,
        SecretBox.from_settings(ctx.settings),
        AttachmentStore.from_settings(ctx.settings),
        attempt=ctx.attempt,
        final=final,
    )


def send_message(
    db: Database,
    message_id: int,
    box: SecretBox,
    store: AttachmentStore,
    *,
    attempt: int = 1,
    final: bool = True,
) -> str:
    """Send one queued reply; its delivery status after this run (raises
    :class:`SendRetry` when the job should run again)."""
    with db.transaction() as session:
        message = session.get(Message, message_id)
        if message is None or message.direction != "outbound":
            return "missing"
        if message.delivery_status in DONE:
            return message.delivery_status
        try:
            outbound = build_context(session, message, box, store, attempt)
        except (Unsendable, SecretError) as exc:
            _failed(session, message, str(exc), attempt)
            return "failed"
        message.delivery_status = "sending"
    try:
        result = get_adapter(outbound.channel).send(outbound)
    except Exception as exc:  # a crash in the adapter is a temporary failure
        log.warning("send of message %s crashed: %s", message_id, type(exc).__name__)
        result = SendResult.retry(f"{type(exc).__name__}: {exc}")
    with db.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        if result.status is SendStatus.sent:
            _sent(session, message, result, attempt)
            return "sent"
        error = result.error or "unknown error"
        if result.status is SendStatus.failed or final:
            _failed(session, message, error, attempt)
            if result.status is SendStatus.failed:
                return "failed"
        else:
            message.delivery_status = "queued"
            _note(message, attempts=attempt, last_error=error[:1000])
    raise SendRetry(error)


def build_context(
    session: Session, message: Message, box: SecretBox, store: AttachmentStore, attempt: int
) -> OutboundContext:
    meta = message.meta or {}
    account = session.get(ChannelAccount, meta.get("account_id") or 0)
    if account is None or not account.active:
        raise Unsendable("the account this reply goes out from is missing or disabled")
    identity = session.get(Identity, meta.get("to_identity_id") or 0)
    if identity is None:
        raise Unsendable("the customer's identity this reply was addressed to is gone")
    case = session.get(Case, message.case_id)
    brand = session.get(Organisation, message.brand_id)
    assert case is not None and brand is not None
    name = session.scalar(
        select(Message.author_name)
        .where(Message.customer_id == message.customer_id, Message.direction == "inbound")
        .where(Message.author_name.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )
    return OutboundContext(
        message_id=message.id,
        external_id=message.external_id,
        channel=message.channel,
        account=account_view(session, box, account),
        recipient=identity.value,
        recipient_name=name,
        case_reference=format_reference(brand.case_prefix or brand.slug[:2].upper(), case.id),
        subject=message.subject,
        text=message.text or "",
        html=message.html,
        attachments=[
            OutboundAttachment(a["sha256"], a["filename"], a["content_type"], int(a["size"]))
            for a in message.attachments or []
        ],
        thread=list(message.references or []),
        in_reply_to=message.in_reply_to,
        author_name=message.author_name,
        store=store,
        attempt=attempt,
        options=dict(meta.get("options") or {}),
    )


def _note(message: Message, **values: Any) -> None:
    meta = dict(message.meta or {})
    meta["delivery"] = {**(meta.get("delivery") or {}), **values}
    message.meta = meta


def _sent(session: Session, message: Message, result: SendResult, attempt: int) -> None:
    message.delivery_status = "sent"
    _note(message, sent_at=utcnow().isoformat(), attempts=attempt, **dict(result.meta))
    if result.external_id and result.external_id != message.external_id:
        meta = dict(message.meta or {})
        meta["local_id"] = message.external_id
        message.meta = meta
        message.external_id = result.external_id
    record_event(
        session,
        "message.sent",
        brand_id=message.brand_id,
        case_id=message.case_id,
        message_id=message.id,
        data={"channel": message.channel, "attempts": attempt},
    )


def _failed(session: Session, message: Message, error: str, attempt: int) -> None:
    message.delivery_status = "failed"
    _note(message, error=error[:1000], failed_at=utcnow().isoformat(), attempts=attempt)
    record_event(
        session,
        "message.failed",
        brand_id=message.brand_id,
        case_id=message.case_id,
        message_id=message.id,
        data={"channel": message.channel, "attempts": attempt, "error": error[:300]},
    )
    log.warning("reply %s failed for good after %s attempt(s)", message.id, attempt)
