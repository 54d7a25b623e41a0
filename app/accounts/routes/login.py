"""Pages: register, log in and log out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import ratelimit, service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.passwords import hash_password
from app.accounts.schemas import LoginForm, RegisterForm
from app.errors import ValidationFailed, form_errors
from app.forms import Filled, carried, form_values, read_form, validate
from app.i18n import gettext as _
from app.middleware import cookie_name
from app.templating import render
from app.web import safe_path, services, settings


def _logged_in(request: Request, token: str, target: str) -> Response:
    return _with_login_cookie(request, RedirectResponse(safe_path(target), status_code=303), token)


def _with_login_cookie(request: Request, response: Response, token: str) -> Response:
    config = settings(request)
    response.set_cookie(
        cookie_name(config, SESSION_COOKIE),
        token,
        max_age=config.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=config.base_url.startswith("https://"),
    )
    return response


def _without_password(values: dict[str, str]) -> dict[str, str]:
    """A password is never sent back in a page."""
    return {k: v for k, v in values.items() if k != "password"}


async def register(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/register.html")
    values = form_values(await read_form(request))
    try:
        data = validate(RegisterForm, values)
        password_hash = await hash_password(data.password)  # before the transaction: slow
        async with services(request).db.transaction() as session:
            user = await service.register_user(
                session,
                name=data.name,
                email=data.email,
                password_hash=password_hash,
                locale=request.state.locale,
            )
            token = await service.start_session(
                session,
                user=user,
                days=settings(request).session_days,
                user_agent=request.headers.get("user-agent", ""),
            )
    except (ValidationFailed, service.EmailTaken) as exc:
        filled = Filled(_without_password(values), form_errors(exc), exc.status_code)
        return render(request, "accounts/register.html", filled=filled)
    return _logged_in(request, token, request.query_params.get("next", "/"))


async def login(request: Request) -> Response:
    target = safe_path(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "accounts/login.html", {"next": target})
    values = form_values(await read_form(request))
    # Another form's text, posted when the login had ended, rides along (app.main).
    context = {"next": target, "carry": carried(values)}
    try:
        data = validate(LoginForm, values)
    except ValidationFailed as exc:
        filled = Filled(_without_password(values), exc.errors, 422)
        return render(request, "accounts/login.html", context, filled=filled)
    found = services(request)
    client = request.client.host if request.client else "unknown"
    await ratelimit.check_login(found.redis, email=data.email, address=client)
    async with found.db.transaction() as session:
        user = await service.authenticate(session, email=data.email, password=data.password)
        token = None
        if user is not None:
            # A fresh token at every login: a session id planted before login is useless.
            token = await service.start_session(
                session,
                user=user,
                days=found.settings.session_days,
                user_agent=request.headers.get("user-agent", ""),
            )
    if token is None:
        await ratelimit.record_failure(found.redis, email=data.email, address=client)
        errors = {"__all__": _("The e-mail or password is not right.")}
        filled = Filled(_without_password(values), errors, 400)
        return render(request, "accounts/login.html", context, filled=filled)
    if context["carry"]:
        # Logged in again: the kept text is shown, to be sent to where it was going.
        page = render(request, "resend.html", {"action": target, "typed": context["carry"]})
        return _with_login_cookie(request, page, token)
    return _logged_in(request, token, target)


async def logout(request: Request) -> Response:
    await read_form(request)
    name = cookie_name(settings(request), SESSION_COOKIE)
    token = request.cookies.get(name)
    if token:
        async with services(request).db.transaction() as session:
            await service.end_session(session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(name, secure=settings(request).is_https)  # __Host- needs Secure
    return response


routes: list[BaseRoute] = [
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
