"""Security headers on every HTML page: a Content-Security-Policy that allows nothing
but this origin (no inline script, no remote anything; images also as ``data:``), no
framing, no MIME sniffing.

A response that sets its own policy keeps it (the public web form, the sandboxed message
frame). The interactive API docs (``/docs``, ``/redoc``) load their scripts from a CDN and
are left alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
UNTOUCHED = ("/docs", "/redoc")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(UNTOUCHED):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                html = content_type.startswith(b"text/html")
                if html and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                    if b"x-frame-options" not in names:
                        headers.append((b"x-frame-options", b"DENY"))
                    headers.append((b"referrer-policy", b"same-origin"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
