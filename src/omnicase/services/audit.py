"""The access audit: who at a provider read which case or customer, when, from where.

A brand lets a provider's people into its customers' data only if it can see, afterwards,
exactly what they looked at. Reads by brand staff are not logged (they own the data);
reads by provider staff are, each in its own small transaction so that the read itself
stays read-only and an audit failure never hides data from a legitimate reader silently
(it raises).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

from sqlalchemy import select

from omnicase.model import Case, Customer, Event
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from omnicase.store.scope import Principal

MAX_IDS = 200
#: Where the current request comes from: (client IP, user agent). Set by the API's
#: request middleware, so every access event says from where without each endpoint
#: passing it along.
request_origin: ContextVar[tuple[str | None, str | None]] = ContextVar(
    "omnicase_request_origin", default=(None, None)
)


def do_record_access(
    db: Database,
    who: Principal,
    kind: str,
    *,
    case_ids: Iterable[int] = (),
    customer_ids: Iterable[int] = (),
    client: str | None = None,
    force: bool = False,
    brand_id: int | None = None,
) -> None:
    """Write ``access.<kind>`` events, one per brand concerned. Provider staff only,
    unless ``force`` (exports are logged for everyone). Each says who (actor,
    organisation, role), what (cases, customers), when (``at``) and from where (client
    IP, user agent)."""
    if who.is_brand_staff and not force:
        return
    cases = sorted(set(case_ids))
    customers = sorted(set(customer_ids))
    if not cases and not customers and brand_id is None:
        return
    with db.transaction() as session:
        brands: dict[int, dict[str, list[int]]] = {}
        if brand_id is not None:  # an export of the brand's data names no case
            brands[brand_id] = {"cases": [], "customers": []}
        if cases:
            for case_id, case_brand in session.execute(
                select(Case.id, Case.brand_id).where(Case.id.in_(cases))
            ):
                brands.setdefault(case_brand, {"cases": [], "customers": []})["cases"].append(
                    case_id
                )
        if customers:
            for customer_id, customer_brand in session.execute(
                select(Customer.id, Customer.brand_id).where(Customer.id.in_(customers))
            ):
                brands.setdefault(customer_brand, {"cases": [], "customers": []})[
                    "customers"
                ].append(customer_id)
        now = utcnow()
        ip, agent = request_origin.get()
        for event_brand, ids in sorted(brands.items()):
            session.add(
                Event(
                    brand_id=event_brand,
                    kind=f"access.{kind}",
                    actor=who.actor,
                    at=now,
                    case_id=ids["cases"][0] if len(ids["cases"]) == 1 else None,
                    customer_id=ids["customers"][0] if len(ids["customers"]) == 1 else None,
                    data={
                        "organisation": who.organisation_id,
                        "role": who.role,
                        "client": client or ip,
                        "user_agent": (agent or "")[:300] or None,
                        "cases": ids["cases"][:MAX_IDS],
                        "customers": ids["customers"][:MAX_IDS],
                        "count": len(ids["cases"]) + len(ids["customers"]),
                    },
                )
            )
