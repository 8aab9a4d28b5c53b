"""Web pages' errors: no session → the login page; a PageError → an error page (or, for
an HTMX request, a fragment the page shows in its flash area)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from omnicase.web.deps import LoginRequired, PageError, page_language
from omnicase.web.templating import render


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        location = "/login?next=" + quote(target, safe="/")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        lang = page_language(request, None)
        template = "_flash_error.html" if request.headers.get("hx-request") else "error.html"
        return render(request, template, None, lang=lang, status=exc.status, error=exc)
