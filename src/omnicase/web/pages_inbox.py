"""The agent's inbox: my cases, my team's queues, filters, search, paging, live rows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from omnicase.web.deps import PageReader
from omnicase.web.nav import home_for
from omnicase.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(page: PageReader) -> Response:
    target = home_for(page.who.role)
    if target != "/inbox":
        return RedirectResponse(target, status_code=303)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox")
def inbox(request: Request, page: PageReader) -> Response:
    return render(request, "inbox.html", page)
