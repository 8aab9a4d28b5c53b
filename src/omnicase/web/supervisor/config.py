"""The brand's configuration screens: the shared pieces (``Reader`` / ``Writer``: brand
supervisors and admins; a provider's staff configure nothing of a brand: 403) and the
queues (ordered rules). Overflow rules, team hours and engagements are in
:mod:`omnicase.web.supervisor.config_routing`; users and teams, service levels and channel
accounts in ``config_people``, ``config_sla`` and ``config_channels``; macros in
``macros``.

Forms post to the same ``do_*`` services as the API (routing/configure.py); a refusal is
shown next to its field (422) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from omnicase.model import (
    Organisation,
    RoutingQueue,
)
from omnicase.routing.configure import brand_queues, do_create_queue, do_update_queue
from omnicase.services.cases import ActionError
from omnicase.web.deps import Page, PageError, require_role, require_write_role
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)


def _brand_staff(page: Page) -> Page:
    if not page.who.is_brand_staff:
        raise PageError(403, "error.role")
    return page


def brand_supervisor(page: Annotated[Page, Depends(require_role("supervisor"))]) -> Page:
    return _brand_staff(page)


def brand_supervisor_writer(
    page: Annotated[Page, Depends(require_write_role("supervisor"))],
) -> Page:
    return _brand_staff(page)


Reader = Annotated[Page, Depends(brand_supervisor)]
Writer = Annotated[Page, Depends(brand_supervisor_writer)]

CHANNELS = ("email", "chat", "messenger", "instagram", "whatsapp", "x", "phone", "sms", "webform")


def _words(value: Any) -> list[str]:
    """A comma/space separated form field as a list (empty = any)."""
    text = value if isinstance(value, str) else ""
    return [w for w in text.replace(",", " ").split() if w]


def _int_or_text(value: Any) -> Any:
    """Numbers as numbers (the services check types); anything else as typed, so the
    service's refusal names the field."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return int(text) if text.isdigit() else text


def _brand(page: Page) -> Organisation:
    return page.organisation


class _BrandRow(Protocol):
    id: Any
    brand_id: Any


class _Placed(Protocol):
    id: Any
    position: Any


RowT = TypeVar("RowT", bound=_BrandRow)
PlacedT = TypeVar("PlacedT", bound=_Placed)


def brand_row(page: Page, model: type[RowT], row_id: int) -> RowT:
    """One of the brand's rows by id; another brand's (or none) is a 404, never a 403, so
    an id guessed in a URL says nothing about other brands."""
    row = page.db.get(model, row_id)
    if row is None or row.brand_id != page.who.organisation_id:
        raise PageError(404, "error.not_found")
    return row


def swapped_positions(
    ordered: Sequence[PlacedT], row_id: int, direction: Any
) -> list[tuple[PlacedT, int]]:
    """Moving a row up or down one place: it and its neighbour swap positions (equal
    positions are told apart first); none at either end; the row not listed is a 404."""
    index = next((i for i, r in enumerate(ordered) if r.id == row_id), None)
    if index is None:
        raise PageError(404, "error.not_found")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return []
    a, b = ordered[index], ordered[other]
    pa, pb = a.position, b.position
    if pa == pb:
        pb = pa + (1 if other > index else -1)
    return [(a, max(pb, 0)), (b, max(pa, 0))]


@router.get("")
def config_home(page: Reader) -> Response:
    return RedirectResponse("/supervisor/config/queues", status_code=303)


# -- queues --------------------------------------------------------------------------


def _queues_page(
    request: Request, page: Page, *, errors: dict[str, str] | None = None, form: Any = None
) -> Response:
    return render(
        request,
        "supervisor/config_queues.html",
        page,
        queues=brand_queues(page.db, page.who.organisation_id),
        channels=CHANNELS,
        errors=errors or {},
        form=form or {},
        status=422 if errors else 200,
    )


@router.get("/queues")
def queues(request: Request, page: Reader) -> Response:
    return _queues_page(request, page)


@router.post("/queues")
async def create_queue(request: Request, page: Writer) -> Response:
    form = await request.form()
    rule: dict[str, Any] = {}
    for key in ("channels", "reasons", "languages", "customer_tags"):
        if words := _words(form.get(key)):
            rule[key] = words
    if (prio := _int_or_text(form.get("min_priority"))) is not None:
        rule["min_priority"] = prio
    body: dict[str, Any] = {
        "key": str(form.get("key") or "").strip(),
        "name": str(form.get("name") or "").strip() or str(form.get("key") or "").strip(),
        "rules": [rule] if rule else [],
        "is_default": form.get("is_default") == "on",
    }
    try:
        do_create_queue(page.db, _brand(page), body, page.who)
    except ActionError as exc:
        page.db.rollback()
        return _queues_page(request, page, errors={_field(exc): str(exc)}, form=dict(form))
    page.db.commit()
    return RedirectResponse("/supervisor/config/queues", status_code=303)


def _field(exc: ActionError) -> str:
    """The form field a refusal names (``rules[0].reasons[1]`` → ``reasons``)."""
    name = exc.field or "form"
    if name.startswith("rules"):
        name = name.split(".", 1)[1] if "." in name else "rules"
    return name.split("[", 1)[0]


@router.post("/queues/{queue_id}/move")
async def move_queue(request: Request, queue_id: int, page: Writer) -> Response:
    """Up or down one place: positions are swapped with the neighbour."""
    form = await request.form()
    ordered = brand_queues(page.db, page.who.organisation_id)
    moves = swapped_positions(ordered, queue_id, form.get("direction"))
    if moves:
        brand = _brand(page)
        try:
            for queue, position in moves:
                do_update_queue(page.db, brand, queue, {"position": position}, page.who)
        except ActionError as exc:  # an earlier rule would then hide this queue
            page.db.rollback()
            return _queues_page(request, page, errors={"order": str(exc)})
        page.db.commit()
    return RedirectResponse("/supervisor/config/queues", status_code=303)


__all__ = ["RoutingQueue", "router"]
