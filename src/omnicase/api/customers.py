"""Customers with their identities and cases; merging two customers of one brand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.cases import summaries
from omnicase.api.deps import Reader, Writer, get_db
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.api.paging import newest_page
from omnicase.api.schemas import CustomerOut, CustomerPage, IdentityOut
from omnicase.model import Case, Customer, Identity
from omnicase.services.audit import do_record_access
from omnicase.services.customers import do_merge_customers
from omnicase.store.queries import brand_prefixes, find_customer
from omnicase.store.scope import Principal, case_filter, customer_filter

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


def customer_out(session: Session, who: Principal, customer: Customer) -> CustomerOut:
    identities = session.scalars(
        select(Identity).where(Identity.customer_id == customer.id).order_by(Identity.id)
    )
    cases = list(
        session.scalars(
            select(Case)
            .where(
                Case.customer_id == customer.id,
                Case.merged_into_id.is_(None),
                case_filter(session, who),
            )
            .order_by(Case.id.desc())
        )
    )
    return CustomerOut(
        id=customer.id,
        brand=brand_prefixes(session)[customer.brand_id][0],
        name=customer.name,
        merged_into_id=customer.merged_into_id,
        identities=[
            IdentityOut(
                kind=i.kind, value=i.value, rule=i.rule, score=i.score, created_at=i.created_at
            )
            for i in identities
        ],
        cases=summaries(session, cases),
    )


@router.get("", response_model=CustomerPage, responses=ERRORS)
def get_customers(
    request: Request,
    auth: Reader,
    identity: Annotated[
        str | None, Query(max_length=320, description="exact normalised identity value")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CustomerPage:
    session, who = auth
    stmt = select(Customer).where(customer_filter(session, who), Customer.merged_into_id.is_(None))
    if identity:
        stmt = stmt.where(
            Customer.id.in_(
                select(Identity.customer_id).where(Identity.value == identity.strip().lower())
            )
        )
    rows, next_cursor = newest_page(session, stmt, Customer.id, cursor, limit)
    do_record_access(
        get_db(request),
        who,
        "customers_listed",
        customer_ids=[c.id for c in rows],
        client=request.client.host if request.client else None,
    )
    return CustomerPage(
        items=[customer_out(session, who, c) for c in rows],
        next_cursor=next_cursor,
    )


@router.get("/{customer_id}", response_model=CustomerOut, responses={**ERRORS, **NOT_FOUND})
def get_customer(customer_id: int, request: Request, auth: Reader) -> CustomerOut:
    session, who = auth
    customer = find_customer(session, who, customer_id)
    if customer is None:
        raise HTTPException(404, f"no customer {customer_id} visible to you")
    do_record_access(
        get_db(request),
        who,
        "customer_read",
        customer_ids=[customer.id],
        client=request.client.host if request.client else None,
    )
    return customer_out(session, who, customer)


class CustomerMergeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: int


@router.post(
    "/{customer_id}/merge",
    response_model=CustomerOut,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
)
def merge_customer(customer_id: int, body: CustomerMergeBody, auth: Writer) -> CustomerOut:
    """This customer and ``into`` are one person: everything moves to ``into``."""
    session, who = auth
    if not who.is_brand_staff or not who.can_manage:
        raise HTTPException(403, "only the brand's admins and supervisors merge customers")
    for cid in (customer_id, body.into):
        if find_customer(session, who, cid) is None:
            raise HTTPException(404, f"no customer {cid} visible to you")
    target = do_merge_customers(session, customer_id, body.into, who)
    session.commit()
    return customer_out(session, who, target)
