"""Security in one place: the Content-Security-Policy and other headers, and CSRF on every form.

CSRF: each session holds a random token; every POST must carry it as the ``csrf_token`` form field
(the pages put it in each form). The middleware checks it before any endpoint runs, so a new form
cannot forget it.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",  # no inline scripts, no eval
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
MAX_FORM_BYTES = 64 * 1024
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SecurityHeaders:
    """Adds the CSP and friends to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """This session's token, created on first use; templates put it in every form."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


class CSRFMiddleware:
    """Rejects (403) any unsafe request whose form lacks the session's CSRF token.

    Runs inside the session middleware. Reads the (small, url-encoded) body once and replays it
    to the endpoint."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body, too_big = b"", False
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_FORM_BYTES:
                too_big = True
                break
            if not message.get("more_body"):
                break
        if too_big:
            await PlainTextResponse("form too large", status_code=413)(scope, receive, send)
            return
        expected = scope.get("session", {}).get("csrf")
        sent = parse_qs(body.decode("latin-1")).get("csrf_token", [""])[0]
        if not expected or not hmac.compare_digest(expected.encode(), sent.encode("latin-1")):
            await PlainTextResponse(
                "This form expired or came from another site (CSRF check failed): reload the page and try again.",
                status_code=403)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
