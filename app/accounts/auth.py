"""Who is asking: a session cookie for pages, a bearer token for the API."""

from __future__ import annotations

import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import queries
from app.accounts.models import User
from app.accounts.ratelimit import account_key
from app.errors import Forbidden, Unauthorized
from app.i18n import gettext as _
from app.middleware import cookie_name, cookie_value
from app.personalcache import SESSION_ENDS
from app.web import services, settings

SESSION_COOKIE = "madrina_session"
# A browser the account has logged in from: its log-in attempts are counted apart from
# strangers' (app.accounts.ratelimit), so their failures do not lock the owner out.
DEVICE_COOKIE = "madrina_device"
DEVICE_DAYS = 365
MAX_TRUSTED_ACCOUNTS = 5  # a shared school computer


class Authentication:
    """Puts the current user (or None) in request.state.user, once per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        state = scope.setdefault("state", {})
        api = scope["path"].startswith("/api/")
        if api:
            # The API never reads cookies, so it needs no CSRF protection.
            scheme, _sep, token = conn.headers.get("authorization", "").partition(" ")
            credential = token.strip() if scheme.lower() == "bearer" and token else ""
        else:
            credential = cookie_value(scope, cookie_name(settings(conn), SESSION_COOKIE)) or ""
        if not credential:
            state["user"] = None
            await self.app(scope, receive, send)
            return

        async def look_up(session: AsyncSession) -> None:
            if api:
                state["user"] = await queries.user_for_api_token(session, credential)
                return
            owner = await queries.session_owner(session, credential)
            state["user"], ends = owner if owner is not None else (None, None)
            # When the login ends: a page kept for this browser is not served past it
            # (app.personalcache).
            state[SESSION_ENDS] = ends.timestamp() if ends is not None else None

        db = services(conn).db
        if scope["method"] not in ("GET", "HEAD"):
            async with db.read() as session:
                await look_up(session)
            await self.app(scope, receive, send)
            return
        # A page: the lookup's session and transaction go on to the page's first read
        # (app.db.Database.read), one session per page instead of two. The person is looked
        # up at every request that reaches here (a page kept for this browser does not, but
        # it is dropped by any write: app.personalcache): an ended session or a removed
        # role counts at once.
        async with db.handing_over():
            async with db.read(hand_over=True) as session:
                await look_up(session)

            async def releasing_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await db.release_handed_over()
                await send(message)

            await self.app(scope, receive, releasing_send)


def current_user(request: HTTPConnection) -> User | None:
    user: User | None = request.state.user
    return user


def require_user(request: HTTPConnection) -> User:
    user = current_user(request)
    if user is None:
        raise Unauthorized(_("Please log in."))
    return user


def require_admin(request: HTTPConnection) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden(_("You are not allowed to do this."))
    return user


def _devices(request: HTTPConnection) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings(request).secret_key, salt="madrina.device")


def _device_cookie(request: HTTPConnection) -> tuple[str, list[str]]:
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw or len(raw) > 1000:
        return "", []
    try:
        data: Any = _devices(request).loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return "", []
    if not isinstance(data, dict):
        return "", []
    device, accounts = data.get("d"), data.get("a")
    if not isinstance(device, str) or not isinstance(accounts, list):
        return "", []
    return device, [a for a in accounts if isinstance(a, str)]


def trusted_device(request: HTTPConnection, email: str) -> str | None:
    """This browser's id if the account of `email` has logged in from it, else None."""
    device, accounts = _device_cookie(request)
    return device if device and account_key(email) in accounts else None


def trust_device(request: HTTPConnection, response: Response, email: str) -> None:
    """Remember (in a signed cookie) that the account of `email` logged in from here."""
    device, accounts = _device_cookie(request)
    account = account_key(email)
    others = [a for a in accounts if a != account][-(MAX_TRUSTED_ACCOUNTS - 1) :]
    response.set_cookie(
        DEVICE_COOKIE,
        _devices(request).dumps(
            {"d": device or secrets.token_urlsafe(16), "a": [*others, account]}
        ),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=settings(request).base_url.startswith("https://"),
    )
