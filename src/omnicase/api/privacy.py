"""Personal data on request: export a customer (zip archive), erase a customer.

Brand admins only, on their own brand's customers (anyone else: 403 for another role, 404
for a customer they cannot see). Both are written to the audit log with ids and counts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from omnicase.api.deps import Writer
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.channels.attachments import AttachmentStore
from omnicase.services.erasure import do_erase_customer
from omnicase.services.gdpr import export_customer, may_export
from omnicase.store.queries import find_customer
from omnicase.store.scope import Principal

router = APIRouter(prefix="/api/v1/customers", tags=["personal data"])

ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "the archive"}
}


class ErasureOut(BaseModel):
    customer_id: int
    counts: dict[str, Any]


def _customer_for_admin(session: Any, who: Principal, customer_id: int) -> Any:
    customer = find_customer(session, who, customer_id)
    if customer is None:
        raise HTTPException(404, f"no customer {customer_id} visible to you")
    if not may_export(who, customer):
        raise HTTPException(403, "only an admin of the customer's brand may do this")
    return customer


@router.get(
    "/{customer_id}/export",
    response_class=Response,
    responses={**ERRORS, **NOT_FOUND, **ZIP},
)
def export(customer_id: int, request: Request, auth: Writer) -> Response:
    """Everything held about the customer: JSON per table, attachments, manifest."""
    session, who = auth
    customer = _customer_for_admin(session, who, customer_id)
    data = export_customer(
        session,
        who,
        customer,
        AttachmentStore.from_settings(request.app.state.settings),
        client=request.client.host if request.client else None,
    )
    session.commit()
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="customer-{customer.id}.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/{customer_id}/erase", response_model=ErasureOut, responses={**ERRORS, **NOT_FOUND})
def erase(customer_id: int, request: Request, auth: Writer) -> ErasureOut:
    """Erase the customer's personal data; the contacts still count (idempotent)."""
    session, who = auth
    customer = _customer_for_admin(session, who, customer_id)
    result = do_erase_customer(
        session,
        customer,
        AttachmentStore.from_settings(request.app.state.settings),
        actor=who.actor,
    )
    session.commit()
    return ErasureOut(customer_id=customer.id, counts=result.counts())
