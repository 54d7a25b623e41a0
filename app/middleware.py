"""Pure ASGI middleware: security headers, body limits, locale and CSRF cookie; cookie names."""

from __future__ import annotations

import asyncio
import html
import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.config import Settings
from app.errors import AppError, PayloadTooLarge, RequestTimeout
from app.i18n import gettext as _

CSRF_COOKIE = "madrina_csrf"
LOCALE_COOKIE = "madrina_lang"
HOST_PREFIX = "__Host-"

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
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers every answer carries; browsers are told to keep to HTTPS only when the
    site is served over it."""
    return {**SECURITY_HEADERS, "strict-transport-security": HSTS} if https else SECURITY_HEADERS


def cookie_name(settings: Settings, name: str) -> str:
    """The name our cookie `name` has in browsers: over HTTPS with the __Host- prefix, which
    browsers accept only from this host, Secure, for the whole site: no other host (a
    sibling subdomain) and no plain-HTTP answer can plant or replace it."""
    return HOST_PREFIX + name if settings.is_https else name


class SecurityHeaders:
    """Adds the security headers to every answer that passes through it, error answers
    included; it is the outermost middleware, so only the 500 page (Starlette's own
    outermost layer) adds them itself."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in security_headers(https=https).items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Those the answer does not set itself (ASGI header names are lower case);
                # one pass over its headers, not one per header added: every answer pays it.
                headers = list(message.get("headers", ()))
                present = {name for name, _value in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimits:
    """The bounds on a request's body, checked while it arrives: 413 once it passes
    `max_bytes` (at once when its Content-Length says so, which a client may lie about or
    leave out), 408 when it takes more than `timeout` seconds in all, or pauses for `idle`
    seconds. The clocks start when the app first reads the body.

    While the app reads, the refusals are raised from `receive`, so the app's error handler
    answers in its own format and nothing is written; the answer closes the connection, as
    the rest of the body was not read.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout: float, idle: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.idle = idle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _refuse(scope, send, PayloadTooLarge())
            return
        loop = asyncio.get_running_loop()
        received = 0
        deadline: float | None = None
        complete = started = False
        refused: AppError | None = None

        async def limited_receive() -> Message:
            nonlocal received, deadline, complete, refused
            if complete:
                return await receive()  # the body is in: what may follow is a disconnect
            if refused is not None:
                raise refused
            now = loop.time()
            deadline = deadline or now + self.timeout
            try:
                if now >= deadline:
                    raise TimeoutError
                async with asyncio.timeout(min(self.idle, deadline - now)):
                    message = await receive()
            except TimeoutError:
                refused = RequestTimeout(_(RequestTimeout.message))
                raise refused from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = PayloadTooLarge(_(PayloadTooLarge.message))
                    raise refused
                complete = not message.get("more_body", False)
            return message

        async def closing_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if refused is not None:
                    MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        try:
            await self.app(scope, limited_receive, closing_send)
        except (PayloadTooLarge, RequestTimeout) as exc:
            if started or exc is not refused:
                raise
            await _refuse(scope, send, exc)  # raised where no error handler reached


async def _refuse(scope: Scope, send: Send, exc: AppError) -> None:
    if scope["path"].startswith("/api/"):
        error = {"code": exc.code, "message": exc.message}
        body = json.dumps({"error": error}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        page = f"<!doctype html><title>{exc.status_code}</title><p>{html.escape(exc.message)}</p>"
        body = page.encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": exc.status_code,
            "headers": [
                (b"content-type", content_type),
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

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.default_locale = settings.default_locale
        self.csrf_cookie = cookie_name(settings, CSRF_COOKIE)
        self.locale_cookie = cookie_name(settings, LOCALE_COOKIE)
        self.flags = "; Path=/; SameSite=Lax" + ("; Secure" if settings.is_https else "")
        # As long as a login lasts: a form opened before the browser restarted still posts.
        self.csrf_max_age = settings.session_days * 86400

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        query_string = scope.get("query_string", b"")
        query = (
            parse_qs(query_string.decode("latin-1")).get("lang", [None])[0]
            if b"lang=" in query_string
            else None
        )
        cookie = cookies.get(self.locale_cookie)
        locale = i18n.pick_locale(query, cookie, default=self.default_locale)
        i18n.set_locale(locale)
        csrf = cookies.get(self.csrf_cookie, "")
        new_csrf = len(csrf) != 43
        if new_csrf:
            csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})
        scope["state"]["locale"] = locale
        scope["state"]["csrf_cookie"] = csrf
        set_locale_cookie = query in i18n.LOCALES

        if not (new_csrf or set_locale_cookie):  # the browser has them: nothing to add
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_csrf:
                    headers.append(
                        "set-cookie",
                        f"{self.csrf_cookie}={csrf}; Max-Age={self.csrf_max_age}"
                        f"; HttpOnly{self.flags}",
                    )
                if set_locale_cookie:
                    headers.append(
                        "set-cookie",
                        f"{self.locale_cookie}={locale}; Max-Age=31536000{self.flags}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_cookies)


async def held_back(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> tuple[Message, bytes] | None:
    """Run `app` holding its answer back: its start message and body when it came in one
    piece (for the caller to keep, then send), else None: a streamed answer is passed on
    as it comes, its first part included."""
    start: Message | None = None
    chunks: list[bytes] = []
    passing = False

    async def capture(message: Message) -> None:
        nonlocal start, passing
        if passing:
            await send(message)
        elif message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                passing = True
                assert start is not None
                await send(start)
                await send({**message, "body": b"".join(chunks)})

    await app(scope, receive, capture)
    if passing or start is None:
        return None
    return start, b"".join(chunks)


COOKIES = "cookies"  # the request's cookies in its state, parsed once for every middleware


def _cookies(scope: Scope) -> dict[str, str]:
    state = scope.setdefault("state", {})
    parsed: dict[str, str] | None = state.get(COOKIES)
    if parsed is None:
        parsed = state[COOKIES] = _parse_cookies(scope)
    return parsed


def _parse_cookies(scope: Scope) -> dict[str, str]:
    raw = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
    if not raw:
        return {}
    if '"' not in raw and "\\" not in raw:
        # Plain `name=value; ...`, as every browser sends ours: split, without SimpleCookie's
        # regular expressions (every request parses them). Quoted values take the long way.
        pairs = (pair.partition("=") for pair in raw.split(";"))
        return {name.strip(): value.strip() for name, sep, value in pairs if sep and name.strip()}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is the client's problem, not a 500
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def cookie_value(scope: Scope, name: str) -> str | None:
    return _cookies(scope).get(name)
