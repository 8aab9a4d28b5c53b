"""Survey state changes: scheduled on resolution, sent by the ``csat.send`` job, answered
by the link or by the customer's reply. Each ``do_*`` writes its event; none commits."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.channels.base import ReplyRefused
from omnicase.channels.registry import UnknownChannel, get_adapter
from omnicase.jobs import defer
from omnicase.model import (
    Case,
    CaseStatus,
    Message,
    Organisation,
    Survey,
    SurveyStatus,
    User,
)
from omnicase.model.base import utcnow
from omnicase.quality.csat import texts
from omnicase.services.cases import ActionError, record_event
from omnicase.store.references import format_reference

SEND_JOB = "csat.send"
DEFAULT_QUIET_DAYS = 30
DEFAULT_EXPIRE_DAYS = 14
FINISHED = (CaseStatus.resolved.value, CaseStatus.closed.value)


@dataclass(frozen=True, slots=True)
class CsatSettings:
    """``brand.settings["csat"]``: ``enabled``, ``quiet_days``, ``channels_off``,
    ``delay_minutes`` (after resolution), ``expire_days``, ``base_url`` (of the links)."""

    enabled: bool = True
    quiet_days: int = DEFAULT_QUIET_DAYS
    channels_off: tuple[str, ...] = ()
    delay_minutes: int = 0
    expire_days: int = DEFAULT_EXPIRE_DAYS
    base_url: str = ""


def _int(value: Any, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    )


def csat_settings(brand: Organisation) -> CsatSettings:
    raw = (brand.settings or {}).get("csat") or {}
    if not isinstance(raw, dict):
        raw = {}
    off = raw.get("channels_off") or ()
    return CsatSettings(
        enabled=raw.get("enabled", True) is not False,
        quiet_days=_int(raw.get("quiet_days"), DEFAULT_QUIET_DAYS),
        channels_off=tuple(str(c) for c in off) if isinstance(off, list | tuple) else (),
        delay_minutes=_int(raw.get("delay_minutes"), 0),
        expire_days=_int(raw.get("expire_days"), DEFAULT_EXPIRE_DAYS) or DEFAULT_EXPIRE_DAYS,
        base_url=str(raw.get("base_url") or os.environ.get("OMNICASE_PUBLIC_URL") or ""),
    )


def on_case_resolved(session: Session, case: Case, now: datetime) -> Survey | None:
    """Called where a case becomes resolved (or closed straight away): one survey per
    case, created ``pending`` with its send job; a case resolved again after a reopening
    before the survey went out gets its job again. None when the brand has no surveys."""
    brand = session.get(Organisation, case.brand_id)
    if brand is None or case.merged_into_id is not None:
        return None
    conf = csat_settings(brand)
    if not conf.enabled:
        return None
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    if survey is not None and survey.status != SurveyStatus.pending:
        return survey
    if survey is None:
        survey = Survey(
            brand_id=case.brand_id,
            case_id=case.id,
            customer_id=case.customer_id,
            token=secrets.token_urlsafe(24),
            status=SurveyStatus.pending,
            meta={},
            created_at=now,
        )
        session.add(survey)
        session.flush()
    run_at = now + timedelta(minutes=conf.delay_minutes) if conf.delay_minutes else None
    defer(session, SEND_JOB, run_at=run_at, survey_id=survey.id, brand_id=case.brand_id)
    return survey


def _suppress(session: Session, survey: Survey, reason: str) -> str:
    survey.status = SurveyStatus.suppressed
    survey.reason = reason[:200]
    record_event(
        session,
        "csat.suppressed",
        brand_id=survey.brand_id,
        case_id=survey.case_id,
        data={"survey": survey.id, "reason": survey.reason},
    )
    return "suppressed"


def _credited(session: Session, case: Case) -> tuple[int | None, int | None]:
    """The agent and team a rating counts for: the assignee, else the last answer's author."""
    agent_id = case.assignee_id or session.scalar(
        select(Message.author_user_id)
        .where(
            Message.case_id == case.id,
            Message.direction == "outbound",
            Message.author_user_id.is_not(None),
        )
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(1)
    )
    team_id = case.team_id
    if team_id is None and agent_id is not None:
        user = session.get(User, agent_id)
        team_id = user.team_id if user is not None else None
    return agent_id, team_id


def do_send_survey(session: Session, survey_id: int, now: datetime | None = None) -> str:
    """Send a pending survey on the case's last customer channel, or suppress it with
    the reason (quiet days, channel switched off, no way to reach the customer there,
    the channel's window closed). The outcome: sent, suppressed, waiting, or done."""
    from omnicase.services import replies  # replies builds on cases, which calls us

    now = now or utcnow()
    survey = session.execute(
        select(Survey).where(Survey.id == survey_id).with_for_update()
    ).scalar_one_or_none()
    if survey is None or survey.status != SurveyStatus.pending:
        return "done"
    case = session.get(Case, survey.case_id)
    brand = session.get(Organisation, survey.brand_id)
    assert case is not None and brand is not None
    if case.status not in FINISHED:
        return "waiting"  # reopened before it went out: the next resolution defers again
    conf = csat_settings(brand)
    survey.agent_id, survey.team_id = _credited(session, case)
    try:
        channel = replies.default_channel(session, case)
    except ActionError:
        return _suppress(session, survey, "the customer never wrote on this case")
    survey.channel = channel
    if channel in conf.channels_off:
        return _suppress(session, survey, f"surveys are switched off on {channel}")
    quiet_from = now - timedelta(days=conf.quiet_days)
    recent = session.scalar(
        select(Survey.id)
        .where(
            Survey.customer_id == survey.customer_id,
            Survey.id != survey.id,
            Survey.sent_at.is_not(None),
            Survey.sent_at >= quiet_from,
        )
        .limit(1)
    )
    if recent is not None:
        return _suppress(session, survey, f"customer surveyed in the last {conf.quiet_days} days")
    try:
        adapter = get_adapter(channel)
    except UnknownChannel:
        return _suppress(session, survey, f"no survey can be sent on {channel}")
    kind = adapter.reply_identity.get(channel)
    identity = replies.recipient_identity(session, case, kind) if kind else None
    if identity is None:
        return _suppress(session, survey, f"the customer cannot be reached on {channel}")
    if channel == "sms":
        from omnicase.channels.sms.consent import check_sms_allowed

        try:
            check_sms_allowed(session, case.customer_id)
        except ActionError as exc:
            return _suppress(session, survey, str(exc))
    try:
        adapter.check_reply(channel, {}, replies.last_inbound_at(session, case, channel), now)
    except ReplyRefused as exc:
        return _suppress(session, survey, exc.reason)
    try:
        account = replies.sending_account(session, case, channel)
    except ActionError as exc:
        return _suppress(session, survey, str(exc))
    from omnicase.services.channel_accounts import account_view

    reference = format_reference(brand.case_prefix or brand.slug[:2].upper(), case.id)
    language = case.language or brand.language
    subject: str | None = None
    if channel == "email":
        if not conf.base_url:
            return _suppress(session, survey, "no base_url for the survey link (csat.base_url)")
        subject, text, html = texts.email_parts(
            language, reference, brand.name, conf.base_url, survey.token
        )
    else:
        text = texts.chat_text(language, reference)
        html = None
    _ids, in_reply_to, conversation = replies._thread(session, case, channel)
    message = Message(
        brand_id=case.brand_id,
        case_id=case.id,
        customer_id=case.customer_id,
        channel=channel,
        direction="outbound",
        external_id=adapter.new_external_id(account_view(session, None, account)),
        conversation_id=conversation,
        in_reply_to=in_reply_to,
        references=_ids[-20:],
        author_user_id=None,
        author_name=brand.name,
        subject=subject,
        text=text,
        html=html,
        attachments=[],
        # kind=csat: not an agent's answer (KPIs of responses must skip it)
        meta={"account_id": account.id, "to_identity_id": identity.id, "kind": "csat"},
        entities={},
        delivery_status="queued",
        received_at=now,
        created_at=now,
        link_rule="csat_survey",
        link_score=1.0,
        link_detail={"survey": survey.id},
    )
    session.add(message)
    session.flush()
    survey.message_id = message.id
    survey.status = SurveyStatus.sent
    survey.sent_at = now
    survey.meta = {
        "case_status": case.status,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "language": texts.language_of(language),
    }
    record_event(
        session,
        "csat.sent",
        brand_id=case.brand_id,
        case_id=case.id,
        message_id=message.id,
        data={"survey": survey.id, "channel": channel},
    )
    defer(session, replies.SEND_JOB, message_id=message.id, brand_id=case.brand_id)
    return "sent"


def do_answer_survey(
    session: Session,
    survey: Survey,
    rating: int,
    comment: str | None,
    now: datetime,
    *,
    message_id: int | None = None,
    via: str = "link",
) -> Survey:
    """Record the customer's rating (1–5) and comment; a later answer through the link
    replaces the earlier one while the survey is open (the customer changed their mind)."""
    if not 1 <= rating <= 5:
        raise ActionError("a whole number from 1 to 5", "rating", 422)
    if survey.status not in (SurveyStatus.sent, SurveyStatus.answered):
        raise ActionError("this survey is not open for answers", "token", 409)
    if survey.sent_at is not None and now - survey.sent_at > timedelta(
        days=_expiry(session, survey)
    ):
        survey.status = SurveyStatus.expired
        raise ActionError("this survey has expired", "token", 410)
    comment = (comment or "").strip()[:2000] or None
    survey.rating = rating
    survey.comment = comment if comment is not None else survey.comment
    survey.answered_at = now
    survey.status = SurveyStatus.answered
    if message_id is not None:
        survey.answer_message_id = message_id
    record_event(
        session,
        "csat.answered",
        brand_id=survey.brand_id,
        case_id=survey.case_id,
        message_id=message_id,
        data={"survey": survey.id, "rating": rating, "via": via},
    )
    return survey


def _expiry(session: Session, survey: Survey) -> int:
    brand = session.get(Organisation, survey.brand_id)
    return csat_settings(brand).expire_days if brand is not None else DEFAULT_EXPIRE_DAYS


def survey_by_token(session: Session, token: str) -> Survey | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Survey).where(Survey.token == token))


def do_expire_surveys(session: Session, now: datetime, limit: int = 500) -> int:
    """Sent surveys unanswered after ``expire_days`` become ``expired`` (their later
    replies are ordinary messages)."""
    rows = session.scalars(
        select(Survey)
        .where(Survey.status == SurveyStatus.sent, Survey.sent_at < now - timedelta(days=1))
        .order_by(Survey.id)
        .limit(limit)
    ).all()
    done = 0
    for survey in rows:
        if survey.sent_at is not None and now - survey.sent_at > timedelta(
            days=_expiry(session, survey)
        ):
            survey.status = SurveyStatus.expired
            done += 1
    return done
