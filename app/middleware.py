"""Pure ASGI middleware: body size limit, locale and CSRF cookie, security headers."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n

CSRF_COOKIE = "madrina_csrf"
LOCALE_COOKIE = "madrina_lang"

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """413 before reading a body whose declared or actual size passes the limit.

    The actual count matters too: a client may send a Content-Length that lies, or none.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(scope, send)


async def _too_large(scope: Scope, send: Send) -> None:
    is_api = scope["path"].startswith("/api/")
    body = (
        b'{"error":{"code":"payload_too_large","message":"The request body is too large."}}'
        if is_api
        else b"<!doctype html><title>413</title><p>The upload is too large.</p>"
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json" if is_api else b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LocaleAndCsrf:
    """Sets the request's locale and gives every browser a CSRF cookie.

    Locale: ?lang= (remembered in a cookie), else the cookie, else the default.
    """

    def __init__(
        self, app: ASGIApp, *, default_locale: str, secure_cookies: bool, csrf_max_age: int
    ) -> None:
        self.app = app
        self.default_locale = default_locale
        self.secure = secure_cookies
        # As long as a login lasts: a form opened before the browser restarted still posts.
        self.csrf_max_age = csrf_max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        locale = i18n.pick_locale(query, cookies.get(LOCALE_COOKIE), default=self.default_locale)
        i18n.set_locale(locale)
        csrf = cookies.get(CSRF_COOKIE, "")
        new_csrf = len(csrf) != 43
        if new_csrf:
            csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})
        scope["state"]["locale"] = locale
        scope["state"]["csrf_cookie"] = csrf
        set_locale_cookie = query in i18n.LOCALES

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                flags = "; Path=/; SameSite=Lax" + ("; Secure" if self.secure else "")
                if new_csrf:
                    headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={csrf}; Max-Age={self.csrf_max_age}; HttpOnly{flags}",
                    )
                if set_locale_cookie:
                    headers.append(
                        "set-cookie", f"{LOCALE_COOKIE}={locale}; Max-Age=31536000{flags}"
                    )
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is the client's problem, not a 500
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def cookie_value(scope: Scope, name: str) -> str | None:
    return _cookies(scope).get(name)
