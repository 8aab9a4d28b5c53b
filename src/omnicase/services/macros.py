"""A brand's approved answers (macros) and the facts they state.

Brand admins and supervisors write their brand's macros; every user of the brand, and
provider staff engaged on it today, read them (an agent answers with them). Declared
facts must be ones the consistency detector knows (``refund_delay_business_days``,
``shipping_fee_eur``…), or they would silently check nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Case, Macro
from omnicase.model.base import utcnow
from omnicase.quality.consistency.facts import declared_fact
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal, visible_brand_ids

FIELDS = ("title", "body", "language", "reasons", "channels", "active", "facts")


def can_read_brand(session: Session, who: Principal, brand_id: int) -> bool:
    return brand_id in visible_brand_ids(session, who)


def _check_manager(who: Principal) -> None:
    if not (who.is_brand_staff and who.can_manage):
        raise ActionError("only the brand's admins and supervisors write macros", status=403)


def _check_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in facts.items():
        if isinstance(value, bool) or declared_fact(key, value) is None:
            raise ActionError(
                "unknown fact or value: a slot with its unit or currency "
                "(refund_delay_business_days: 5, shipping_fee_eur: 4.9, "
                "delivery_delay_days: [3, 5])",
                f"facts.{key}",
                422,
            )
    return dict(facts)


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(changes)
    for name in ("title", "body"):
        if name in out:
            out[name] = str(out[name] or "").strip()
            if not out[name]:
                raise ActionError("must not be empty", name, 422)
    if "facts" in out:
        out["facts"] = _check_facts(out["facts"] or {})
    return out


def do_create_macro(session: Session, who: Principal, **fields: Any) -> Macro:
    """A new macro of the user's brand."""
    _check_manager(who)
    values = _clean({k: v for k, v in fields.items() if k in FIELDS})
    now = utcnow()
    macro = Macro(
        brand_id=who.organisation_id,
        title=values["title"],
        body=values["body"],
        language=values.get("language"),
        reasons=list(values.get("reasons") or []),
        channels=list(values.get("channels") or []),
        active=bool(values.get("active", True)),
        facts=values.get("facts") or {},
        created_by=who.actor,
        created_at=now,
        updated_at=now,
    )
    session.add(macro)
    session.flush()
    record_event(
        session,
        "macro.created",
        brand_id=macro.brand_id,
        actor=who.actor,
        data={"macro": macro.id, "facts": sorted(macro.facts)},
    )
    return macro


def do_update_macro(
    session: Session, macro: Macro, who: Principal, changes: Mapping[str, Any]
) -> Macro:
    """Change some fields (deactivate with ``active: false``; macros are never deleted:
    recorded inconsistencies point at them)."""
    _check_manager(who)
    if macro.brand_id != who.organisation_id:
        raise ActionError("not your brand's macro", status=404)
    values = _clean({k: v for k, v in changes.items() if k in FIELDS})
    changed = []
    for name, value in values.items():
        if getattr(macro, name) != value:
            setattr(macro, name, value)
            changed.append(name)
    if changed:
        macro.updated_at = utcnow()
        record_event(
            session,
            "macro.updated",
            brand_id=macro.brand_id,
            actor=who.actor,
            data={"macro": macro.id, "changed": changed},
        )
    return macro


def macros_of(session: Session, brand_id: int, active: bool | None = None) -> list[Macro]:
    query = select(Macro).where(Macro.brand_id == brand_id)
    if active is not None:
        query = query.where(Macro.active.is_(active))
    return list(session.scalars(query.order_by(Macro.id)))


#: The placeholders a macro body may hold, filled when an agent inserts it.
PLACEHOLDERS = ("customer_name", "order_number", "agent_name", "case_reference")


def fill_placeholders(body: str, values: Mapping[str, str | None]) -> str:
    """The body with each known ``{placeholder}`` replaced by its value; one without a
    value (no order number on the case) stays as written, for the agent to fill. Plain
    replacement, not ``str.format``: a brace in a macro is text, never a format field."""
    for name in PLACEHOLDERS:
        value = values.get(name)
        if value:
            body = body.replace("{" + name + "}", value)
    return body


def macros_for_case(
    session: Session,
    who: Principal,
    case: Case,
    channel: str | None,
    search: str = "",
    limit: int = 20,
) -> list[Macro]:
    """The brand's active macros that fit the case: its language (or none set), its
    contact reason and the reply's channel (an empty list = any); ``search`` matches the
    title or the body. Nothing for a user who may not read the case's brand (the caller
    found the case through the access rule; this is the second lock)."""
    if not can_read_brand(session, who, case.brand_id):
        return []
    language = case.language if isinstance(case.language, str) else None
    words = search.lower().split()
    out = []
    for macro in macros_of(session, case.brand_id, active=True):
        if macro.language and language and macro.language != language:
            continue
        if macro.reasons and case.reason and case.reason not in macro.reasons:
            continue
        if macro.channels and channel and channel not in macro.channels:
            continue
        text = f"{macro.title} {macro.body}".lower()
        if any(w not in text for w in words):
            continue
        out.append(macro)
    # the macros written for this reason first, then the general ones
    out.sort(key=lambda m: (not (case.reason and case.reason in (m.reasons or [])), m.title))
    return out[:limit]
