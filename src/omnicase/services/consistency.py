"""Cross-channel consistency: a draft checked against what the request was already told.

The earlier answers are the outbound messages of the case and of the customer's other
cases about the same order number (``case_references``) that the user may see
(``store.scope.case_filter``: a provider agent is never told what a case outside its
engagement said); the brand's active macros for the case's language and the channel
give the policies. The detector is :mod:`omnicase.quality.consistency` (pure).
``do_reply`` records what it finds on the sent answer as ``inconsistencies``
(``detected``); a person confirms or dismisses each.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from omnicase.model import (
    Case,
    CaseReference,
    Inconsistency,
    Macro,
    Message,
    Organisation,
    Team,
    User,
)
from omnicase.model.base import utcnow
from omnicase.quality.consistency import (
    Finding,
    Said,
    extract_facts,
    find_contradictions,
    macro_facts,
)
from omnicase.quality.consistency.facts import Fact
from omnicase.services.cases import ActionError, record_event
from omnicase.store.references import format_reference
from omnicase.store.scope import Principal, case_filter

log = logging.getLogger(__name__)

#: Earlier answers read per check (the newest): a long case stays fast.
MAX_ANSWERS = 50


def related_case_ids(session: Session, case: Case, who: Principal) -> list[int]:
    """The case and the customer's other visible cases sharing one of its order numbers."""
    mine = aliased(CaseReference)
    theirs = aliased(CaseReference)
    others = session.scalars(
        select(theirs.case_id)
        .join(
            mine,
            and_(
                mine.kind == theirs.kind,
                mine.value == theirs.value,
                mine.brand_id == theirs.brand_id,
            ),
        )
        .join(Case, Case.id == theirs.case_id)
        .where(
            mine.case_id == case.id,
            theirs.customer_id == case.customer_id,
            theirs.case_id != case.id,
            case_filter(session, who),
        )
        .distinct()
    ).all()
    return [case.id, *sorted(set(others))]


def _team_label(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None:
        return None
    org = session.get(Organisation, user.organisation_id)
    team = session.get(Team, user.team_id) if user.team_id is not None else None
    if org is None:
        return None
    if org.kind == "brand":
        return "internal" if team is None else f"internal / {team.name}"
    return org.name if team is None else f"{org.name} / {team.name}"


def earlier_answers(session: Session, case: Case, who: Principal) -> list[tuple[Said, list[Fact]]]:
    rows = session.execute(
        select(
            Message.id,
            Message.case_id,
            Message.channel,
            Message.text,
            Message.received_at,
            Message.author_user_id,
        )
        .where(
            Message.case_id.in_(related_case_ids(session, case, who)),
            Message.direction == "outbound",
        )
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(MAX_ANSWERS)
    ).all()
    prefixes: dict[int, str] = {}
    out = []
    for r in rows:
        if not r.text:
            continue
        other = case if r.case_id == case.id else session.get(Case, r.case_id)
        assert other is not None
        if other.brand_id not in prefixes:
            brand = session.get(Organisation, other.brand_id)
            prefixes[other.brand_id] = (brand.case_prefix if brand else None) or "C"
        said = Said(
            message_id=r.id,
            channel=r.channel,
            team=_team_label(session, r.author_user_id),
            case=format_reference(prefixes[other.brand_id], other.id),
        )
        out.append((said, extract_facts(r.text, r.received_at)))
    return out


def active_macros(
    session: Session, brand_id: int, language: str | None, channel: str | None
) -> list[tuple[Said, list[Fact]]]:
    out = []
    for macro in session.scalars(
        select(Macro).where(Macro.brand_id == brand_id, Macro.active.is_(True)).order_by(Macro.id)
    ):
        if macro.language and language and macro.language != language:
            continue
        if macro.channels and channel and channel not in macro.channels:
            continue
        said = Said(macro_id=macro.id, macro_title=macro.title)
        out.append((said, macro_facts(macro.body, macro.facts or {})))
    return out


def check_draft(
    session: Session,
    case: Case,
    who: Principal,
    body: str,
    channel: str | None,
    at: datetime | None = None,
) -> list[Finding]:
    """What the draft contradicts; reads only, writes nothing."""
    facts = extract_facts(body, at or utcnow())
    if not any(f.kind != "order" for f in facts):
        return []
    language = case.language if isinstance(case.language, str) else None
    return find_contradictions(
        facts,
        earlier_answers(session, case, who),
        active_macros(session, case.brand_id, language, channel),
    )


def findings_for_reply(
    session: Session, case: Case, who: Principal, text: str, channel: str, at: datetime
) -> list[Finding]:
    """``check_draft`` for a reply being sent: a fault of the detector never stops an
    answer from going out (logged without the text, which may hold personal data)."""
    try:
        with session.begin_nested():
            return check_draft(session, case, who, text, channel, at)
    except Exception as exc:  # the reply matters more than the warning
        log.warning("consistency check failed on case %s: %s", case.id, type(exc).__name__)
        return []


def finding_view(finding: Finding) -> dict[str, Any]:
    said = {k: v for k, v in asdict(finding.said).items() if v is not None}
    return {
        "kind": finding.kind,
        "slot": finding.slot,
        "value": finding.value,
        "other_value": finding.other_value,
        "said": said,
    }


def do_record_inconsistencies(
    session: Session, case: Case, message: Message, who: Principal, findings: list[Finding]
) -> list[Inconsistency]:
    """The findings of a sent answer, as ``detected`` inconsistencies (one event)."""
    rows = []
    now = utcnow()
    for finding in findings:
        view = finding_view(finding)
        row = Inconsistency(
            brand_id=case.brand_id,
            case_id=case.id,
            message_id=message.id,
            kind=finding.kind,
            detail={k: v for k, v in view.items() if k != "kind"},
            status="detected",
            detected_at=now,
        )
        session.add(row)
        rows.append(row)
    if rows:
        session.flush()
        record_event(
            session,
            "consistency.detected",
            brand_id=case.brand_id,
            actor=who.actor,
            case_id=case.id,
            message_id=message.id,
            data={"inconsistencies": [r.id for r in rows], "kinds": sorted({r.kind for r in rows})},
        )
    return rows


def _decide(session: Session, row: Inconsistency, who: Principal, status: str) -> Inconsistency:
    if not who.can_write:
        raise ActionError(f"the {who.role} role is read-only", status=403)
    if row.status == status:
        return row
    old = row.status
    row.status = status
    row.decided_by = who.actor
    row.decided_at = utcnow()
    record_event(
        session,
        f"consistency.{status}",
        brand_id=row.brand_id,
        actor=who.actor,
        case_id=row.case_id,
        message_id=row.message_id,
        data={"inconsistency": row.id, "from": old},
    )
    return row


def do_confirm_inconsistency(session: Session, row: Inconsistency, who: Principal) -> Inconsistency:
    """A person agrees the answer contradicted what was said: it counts in the KPIs."""
    return _decide(session, row, who, "confirmed")


def do_dismiss_inconsistency(session: Session, row: Inconsistency, who: Principal) -> Inconsistency:
    """A false alarm (or not a contradiction after all): it does not count."""
    return _decide(session, row, who, "dismissed")


def consistency_counts(
    session: Session, brand_id: int, start: datetime, end: datetime
) -> dict[str, int]:
    """Counts of the consistency rate over answers sent in ``[start, end)``:

    ``answers_checked`` agents' answers sent; ``answers_in_repeated_requests`` those of a
    case answered more than once (ever); ``answers_detected`` / ``answers_confirmed``
    answers with at least one inconsistency detected (any status but dismissed) /
    confirmed. Rate = 1 - confirmed / answers_in_repeated_requests (docs/consistency.md).
    """
    answered = (
        select(Message.id, Message.case_id)
        .where(
            Message.brand_id == brand_id,
            Message.direction == "outbound",
            Message.author_user_id.is_not(None),
            Message.received_at >= start,
            Message.received_at < end,
        )
        .subquery()
    )
    repeated = (
        select(Message.case_id)
        .where(
            Message.brand_id == brand_id,
            Message.direction == "outbound",
            Message.author_user_id.is_not(None),
        )
        .group_by(Message.case_id)
        .having(func.count() > 1)
        .subquery()
    )
    checked = session.scalar(select(func.count()).select_from(answered)) or 0
    in_repeated = (
        session.scalar(
            select(func.count())
            .select_from(answered)
            .where(answered.c.case_id.in_(select(repeated.c.case_id)))
        )
        or 0
    )

    def with_status(*statuses: str) -> int:
        return (
            session.scalar(
                select(func.count(func.distinct(Inconsistency.message_id))).where(
                    Inconsistency.brand_id == brand_id,
                    Inconsistency.status.in_(statuses),
                    Inconsistency.message_id.in_(select(answered.c.id)),
                )
            )
            or 0
        )

    return {
        "answers_checked": checked,
        "answers_in_repeated_requests": in_repeated,
        "answers_detected": with_status("detected", "confirmed"),
        "answers_confirmed": with_status("confirmed"),
    }


def consistency_rate(counts: dict[str, int]) -> float | None:
    """1 - confirmed inconsistent answers / answers in requests answered more than once."""
    base = counts["answers_in_repeated_requests"]
    return None if base == 0 else 1 - counts["answers_confirmed"] / base
