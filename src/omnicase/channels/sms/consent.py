"""SMS opt-out: a customer who texts STOP (ARRET, STOPP, BAJA…) gets no more SMS from us
until they text START.

The inbound keyword message is the record: the adapter marks it ``meta.sms.consent``
(``opt_out`` / ``opt_in``) and it stays on the customer's timeline with its date; the
customer's latest such message decides. :func:`check_sms_allowed` is what ``do_reply``
asks before queueing an SMS.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Message
from omnicase.services.cases import ActionError

#: Carriers' and Twilio's opt-out words, with the French, German, Spanish, Italian ones.
OPT_OUT = frozenset(
    {
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE",
        "ARRET", "ARRETER", "DESABONNER", "STOPP", "ABMELDEN", "BAJA", "ALTO", "PARAR",
        "ANNULLA", "FERMA",
    }
)  # fmt: skip
OPT_IN = frozenset({"START", "UNSTOP", "SUBSCRIBE", "OPTIN", "ARRETSTOP"})
#: How many of the customer's latest inbound SMS are read for a keyword.
LOOKBACK = 200


def consent_keyword(body: str) -> str | None:
    """``opt_out`` / ``opt_in`` when the whole text is one of the keywords (case, accents,
    spaces and final punctuation ignored: "Stop.", "arrêt", " STOP "), else None. A
    sentence that contains "stop" is a message, not an opt-out."""
    folded = unicodedata.normalize("NFKD", body or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c)).upper()
    word = re.sub(r"[\s.!,;:\-_'\"]+", "", folded)
    if word in OPT_OUT:
        return "opt_out"
    if word in OPT_IN:
        return "opt_in"
    return None


def sms_opt_out_since(session: Session, customer_id: int) -> Message | None:
    """The customer's STOP message when it is their latest keyword, else None."""
    metas = session.execute(
        select(Message.id, Message.meta)
        .where(
            Message.customer_id == customer_id,
            Message.channel == "sms",
            Message.direction == "inbound",
        )
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(LOOKBACK)
    ).all()
    for row in metas:
        consent = ((row.meta or {}).get("sms") or {}).get("consent")
        if consent == "opt_in":
            return None
        if consent == "opt_out":
            return session.get(Message, row.id)
    return None


def check_sms_allowed(session: Session, customer_id: int) -> None:
    """Refuse (409, field ``channel``) an SMS to a customer who opted out."""
    stop = sms_opt_out_since(session, customer_id)
    if stop is not None:
        raise ActionError(
            f"the customer opted out of SMS (texted {(stop.text or 'STOP').strip()[:20]!r} "
            f"on {stop.received_at:%Y-%m-%d %H:%M} UTC): answer on another channel",
            "channel",
            409,
        )
