"""Pages: register, log in and out, and the account page (logins and API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.accounts import ratelimit, service
from app.accounts.auth import SESSION_COOKIE, require_user
from app.accounts.schemas import LoginForm, RegisterForm, TokenCreate
from app.errors import ValidationFailed
from app.forms import form_values, read_form, validate
from app.i18n import gettext as _
from app.templating import render


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a login link cannot send people elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_response(request: Request, token: str, target: str) -> Response:
    settings = request.app.state.settings
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )
    return response


async def register(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/register.html")
    form = await read_form(request)
    values = form_values(form)
    try:
        data = validate(RegisterForm, values)
        async with request.app.state.db.transaction() as session:
            user = await service.register_user(
                session,
                name=data.name,
                email=data.email,
                password=data.password,
                locale=request.state.locale,
            )
            token = await service.start_session(
                session,
                user=user,
                days=request.app.state.settings.session_days,
                user_agent=request.headers.get("user-agent", ""),
            )
    except service.EmailTaken as exc:
        values.pop("password", None)
        return render(
            request,
            "accounts/register.html",
            {"form": values, "errors": {"email": exc.message}},
            status_code=409,
        )
    except ValidationFailed as exc:
        values.pop("password", None)
        return render(
            request,
            "accounts/register.html",
            {"form": values, "errors": exc.errors},
            status_code=422,
        )
    return _login_response(request, token, request.query_params.get("next", "/"))


async def login(request: Request) -> Response:
    target = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "accounts/login.html", {"next": target})
    form = await read_form(request)
    values = form_values(form)
    values.pop("password", None)
    try:
        data = validate(LoginForm, form_values(form))
    except ValidationFailed as exc:
        return render(
            request,
            "accounts/login.html",
            {"form": values, "errors": exc.errors, "next": target},
            status_code=422,
        )
    client = request.client.host if request.client else "unknown"
    await ratelimit.check_login(request.app.state.redis, email=data.email, address=client)
    async with request.app.state.db.transaction() as session:
        user = await service.authenticate(session, email=data.email, password=data.password)
        token = None
        if user is not None:
            # A fresh token at every login: a session id planted before login is useless.
            token = await service.start_session(
                session,
                user=user,
                days=request.app.state.settings.session_days,
                user_agent=request.headers.get("user-agent", ""),
            )
    if token is None:
        await ratelimit.record_failure(request.app.state.redis, email=data.email, address=client)
        message = _("The e-mail or password is not right.")
        return render(
            request,
            "accounts/login.html",
            {"form": values, "errors": {"__all__": message}, "next": target},
            status_code=400,
        )
    return _login_response(request, token, target)


async def logout(request: Request) -> Response:
    await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with request.app.state.db.transaction() as session:
            await service.end_session(session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def account(request: Request) -> Response:
    user = require_user(request)
    assert user.id is not None
    async with request.app.state.db.read() as session:
        sessions = await service.active_sessions(session, user_id=user.id)
        tokens = await service.api_tokens(session, user_id=user.id)
    return render(
        request,
        "accounts/account.html",
        {"sessions": sessions, "tokens": tokens, "new_token": None},
    )


async def revoke_session(request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    async with request.app.state.db.transaction() as session:
        await service.revoke_session(session, user=user, session_id=request.path_params["id"])
    return RedirectResponse("/account", status_code=303)


async def create_token(request: Request) -> Response:
    user = require_user(request)
    assert user.id is not None
    form = await read_form(request)
    try:
        data = validate(TokenCreate, form_values(form))
    except ValidationFailed as exc:
        async with request.app.state.db.read() as session:
            sessions = await service.active_sessions(session, user_id=user.id)
            tokens = await service.api_tokens(session, user_id=user.id)
        return render(
            request,
            "accounts/account.html",
            {
                "sessions": sessions,
                "tokens": tokens,
                "new_token": None,
                "errors": exc.errors,
                "form": form_values(form),
            },
            status_code=422,
        )
    async with request.app.state.db.transaction() as session:
        _token, secret = await service.create_api_token(session, user=user, name=data.name)
    async with request.app.state.db.read() as session:
        sessions = await service.active_sessions(session, user_id=user.id)
        tokens = await service.api_tokens(session, user_id=user.id)
    # Shown once, on this response only; it is never stored in clear.
    return render(
        request,
        "accounts/account.html",
        {"sessions": sessions, "tokens": tokens, "new_token": secret},
        status_code=201,
    )


async def revoke_token(request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    async with request.app.state.db.transaction() as session:
        await service.revoke_api_token(session, user=user, token_id=request.path_params["id"])
    return RedirectResponse("/account", status_code=303)


routes = [
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/account", account, name="account"),
    Route("/account/sessions/{id:int}/revoke", revoke_session, methods=["POST"]),
    Route("/account/tokens", create_token, methods=["POST"], name="create_token"),
    Route("/account/tokens/{id:int}/revoke", revoke_token, methods=["POST"]),
]
