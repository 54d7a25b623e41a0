"""Who is asking: a session cookie for pages, a bearer token for the API."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app.accounts import queries
from app.accounts.models import User
from app.errors import Forbidden, Unauthorized
from app.i18n import gettext as _
from app.middleware import cookie_name, cookie_value
from app.web import services, settings

SESSION_COOKIE = "madrina_session"


class Authentication:
    """Puts the current user (or None) in request.state.user, once per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        db = services(conn).db
        user: User | None = None
        if scope["path"].startswith("/api/"):
            # The API never reads cookies, so it needs no CSRF protection.
            scheme, _sep, token = conn.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and token:
                async with db.read() as session:
                    user = await queries.user_for_api_token(session, token.strip())
        else:
            cookie = cookie_value(scope, cookie_name(settings(conn), SESSION_COOKIE))
            if cookie:
                async with db.read() as session:
                    user = await queries.user_for_session_token(session, cookie)
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)


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
