"""The refer-back look-up's reads: the brand's recent cases of customers with a name.

One prebuilt statement per look-up, in one round trip: the customers whose name keys match
the sender (through the indexes on ``name_first``/``name_last``) and those customers'
recent cases together. The batch path runs it for every sender nobody knows who refers to
an earlier contact, so building a statement per call (and a second round trip for the
cases) was a fifth of the PostgreSQL batch time. Conditions that do not apply to a sender
get NULL or an empty list, which match nothing: the rows are those of the per-sender
``OR`` it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from omnicase.ingest.refer_back import name_keys
from omnicase.model import Case, Customer

CASES = cast(Table, Case.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
C = CASES.c
CU = CUSTOMERS.c

#: Handles a message may give (``refer_back.mentioned_handles`` keeps three): one
#: prebuilt (first key, last key) pair each.
HANDLE_SLOTS = 3

#: Customers read per look-up (newest first, the same answer on every database), and
#: recent cases of theirs.
PEOPLE_LIMIT = 200
CASES_LIMIT = 200

#: Each way a record may bear the sender's name; one indexed select each, on
#: (brand_id, name_first) or (brand_id, name_last): SQLite plans an ``OR`` of them as a
#: scan of the brand's customers (a third of the batch time at 100,000 messages).
_NAME_TERMS = (
    CU.name_last.in_(bindparam("lasts", expanding=True)),
    and_(
        CU.name_first.in_(bindparam("surnames", expanding=True)),
        CU.name_last.is_(None),
    ),
    and_(
        CU.name_first == bindparam("first"),
        # a sender with a surname matches a namesake only if the record has no surname
        # to contradict it: none, an initial, or a handle (no space)
        or_(
            bindparam("any_surname", type_=Boolean),
            CU.name_last.is_(None),
            func.length(CU.name_last) <= 2,
            CU.name.not_like("% %"),
        ),
    ),
    CU.name_first.in_(bindparam("prefixes", expanding=True)),
    # a handle named after the family ("the_bakers_nest" for Sophie Baker)
    and_(CU.name_first.in_(bindparam("families", expanding=True)), CU.name.not_like("% %")),
    and_(CU.name_first > bindparam("above"), CU.name_first < bindparam("below")),
    and_(
        CU.name_first >= bindparam("short_above"),
        CU.name_first < bindparam("short_below"),
        func.substr(CU.name_last, 1, 1).in_(bindparam("initials", expanding=True)),
    ),
    *(
        and_(
            CU.name_first == bindparam(f"handle{i}_first"),
            CU.name_last == bindparam(f"handle{i}_last"),
        )
        for i in range(HANDLE_SLOTS)
    ),
)

_PEOPLE = (
    select(CU.id, CU.name)
    .where(
        CU.id.in_(
            union_all(
                *(
                    select(CU.id).where(CU.brand_id == bindparam("brand"), term)
                    for term in _NAME_TERMS
                )
            )
        ),
        CU.merged_into_id.is_(None),
    )
    .order_by(CU.id.desc())
    .limit(PEOPLE_LIMIT)
    .cte("people")
)


def _recent() -> Any:
    return and_(
        C.merged_into_id.is_(None),
        C.last_message_at >= bindparam("since"),
        C.last_message_at <= bindparam("until"),
    )


_FOUND = (
    select(
        literal_column("0", Integer).label("part"),
        C.id,
        C.customer_id,
        C.channel,
        C.keywords,
        C.last_message_at,
        _PEOPLE.c.name,
    )
    .join(_PEOPLE, _PEOPLE.c.id == C.customer_id)
    .where(_recent())
    .order_by(C.last_message_at.desc(), C.id.desc())
    .limit(CASES_LIMIT)
    .subquery()
)

#: Cases first (part 0, in their order), then every customer found (part 1).
NAMED = union_all(
    select(*_FOUND.c),
    select(
        literal_column("1", Integer),
        null(),
        _PEOPLE.c.id,
        null(),
        null(),
        null(),
        _PEOPLE.c.name,
    ),
).order_by(
    literal_column("part"),
    literal_column("last_message_at").desc(),
    literal_column("id").desc(),
)

ANONYMOUS_CHATS = (
    select(C.id, C.customer_id, C.channel, C.keywords, C.last_message_at, CU.name)
    .join(CUSTOMERS, CU.id == C.customer_id)
    .where(C.brand_id == bindparam("brand"), C.channel == "chat", CU.name.is_(None), _recent())
    .order_by(C.last_message_at.desc(), C.id.desc())
    .limit(100)
)


def name_conditions(
    sender: Sequence[str], handle: bool, handles: Sequence[str] = ()
) -> dict[str, Any] | None:
    """The name-key parameters of :data:`NAMED` for this sender and the handles the
    message gives, or None when no name condition applies (nothing to look up)."""
    params: dict[str, Any] = {
        "lasts": [],
        "surnames": [],
        "first": None,
        "prefixes": [],
        "above": None,
        "below": None,
        "short_above": None,
        "short_below": None,
        "initials": [],
        "families": [],
        "any_surname": True,
    }
    found = False
    if sender:
        first = sender[0][:64]
        long_names = sorted({t[:64] for t in sender[1:] if len(t) >= 3})
        # a full name: records with that surname or its initial ("Tim G." on X is
        # Timothée Giraud), and records named by a surname alone ("M. Carrel")
        families = {t for t in long_names if len(t) >= 4}
        families |= {t + "s" for t in families}
        params["lasts"] = sorted(set(long_names) | {t[0] for t in long_names} | families)
        params["families"] = sorted(families)
        params["surnames"] = long_names
        if long_names and len(first) >= 4:
            # a handle's short form ("loulou_frr" for Louise Ferrière): the same first
            # three letters and a surname with the same initial
            params["short_above"], params["short_below"] = first[:3], first[:3] + "\uffff"
            params["initials"] = sorted({t[0] for t in long_names})
        # the first name (a record may be a handle: "maiwenn.lgf")
        params["first"] = first if len(first) >= 3 else None
        # (refer_back.name_match: two full names agree on a surname, or not at all)
        params["any_surname"] = handle or not long_names
        if handle or len(first) >= 4:
            # a handle shortens first names ("salo.brchd" is Salomé), either side
            params["prefixes"] = [first[:n] for n in range(4, len(first))]
            params["above"], params["below"] = first, first + "\uffff"
        found = bool(long_names) or params["first"] is not None or params["above"] is not None
    for i in range(HANDLE_SLOTS):
        params[f"handle{i}_first"] = params[f"handle{i}_last"] = None
    for i, given in enumerate(handles[:HANDLE_SLOTS]):
        # a handle the message gives ("(mimi.dlc)"): the record named by it
        first_key, last_key = name_keys(given)
        if first_key and last_key:
            params[f"handle{i}_first"], params[f"handle{i}_last"] = first_key, last_key
            found = True
    return params if found else None


def named_contacts(
    conn: Connection, brand: int, names: dict[str, Any], at: datetime, window: timedelta
) -> tuple[dict[int, str | None], list[Any]]:
    """The customers bearing the sender's name ({id: name}) and their cases active in
    ``window`` before ``at``, most recent first, as (case, customer, channel, keywords,
    last message, customer name) rows."""
    people: dict[int, str | None] = {}
    cases: list[Any] = []
    for part, case_id, customer_id, channel, keywords, last, name in conn.execute(
        NAMED, {"brand": brand, "since": at - window, "until": at, **names}
    ):
        if part == 0:
            cases.append((case_id, customer_id, channel, keywords, last, name))
        else:
            people[customer_id] = name
    return people, cases


def anonymous_chats(conn: Connection, brand: int, at: datetime, window: timedelta) -> list[Any]:
    """Recent web chats of the brand whose visitor left no name."""
    return list(
        conn.execute(ANONYMOUS_CHATS, {"brand": brand, "since": at - window, "until": at}).all()
    )
