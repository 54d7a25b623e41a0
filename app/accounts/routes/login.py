"""Pages: sign up, log in (with a second step for two-factor), log out."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import ratelimit, service, signup, twofactor
from app.accounts.auth import SESSION_COOKIE, trust_device, trusted_device
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.accounts.schemas import LoginCodeForm, LoginForm, RegisterForm
from app.errors import ValidationFailed
from app.forms import CARRIED, Filled, carried, form_values, read_form, validate
from app.i18n import gettext as _
from app.middleware import cookie_name
from app.templating import render
from app.web import path_for, safe_path, services, settings

# The password step's ticket, for the code step (two-factor): an opaque random key of what
# the server kept (app.accounts.twofactor), sent only to /login/...
TICKET_COOKIE = "madrina_login"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _logged_in(
    request: Request, user: User, target: str, carry: dict[str, str] | None = None
) -> Response:
    """Start a login for the person; the browser is remembered as one they use.
    With `carry` (another form's text, posted when the login had ended: app.main), the
    kept text is shown, to be sent on to where it was going."""
    config = settings(request)
    async with services(request).db.transaction() as session:
        # A fresh token at every login: a session id planted before login is useless.
        token = await service.start_session(
            session,
            user=user,
            days=config.session_days,
            user_agent=request.headers.get("user-agent", ""),
        )
    response: Response = RedirectResponse(safe_path(target), status_code=303)
    if carry:
        response = render(request, "resend.html", {"action": target, "typed": carry})
    response.set_cookie(
        cookie_name(config, SESSION_COOKIE),
        token,
        max_age=config.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=config.is_https,
    )
    trust_device(request, response, user.email)
    return response


def _without_password(values: dict[str, str]) -> dict[str, str]:
    """A password is never sent back in a page."""
    return {k: v for k, v in values.items() if "password" not in k}


async def register(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/register.html")
    values = form_values(await read_form(request))
    try:
        data = validate(RegisterForm, values)
    except ValidationFailed as exc:
        filled = Filled(_without_password(values), exc.errors, exc.status_code)
        return render(request, "accounts/register.html", filled=filled)
    found = services(request)
    await ratelimit.limit_signup(found.redis, email=data.email, address=client_address(request))
    # Hashed for a new address and an existing one alike, before the transaction (slow).
    password_hash = await hash_password(data.password)
    async with found.db.transaction() as session:
        await signup.register(
            session,
            name=data.name,
            email=data.email,
            password_hash=password_hash,
            locale=request.state.locale,
        )
    return render(request, "accounts/check_email.html", {"email": data.email, "reset": False})


def _login_page(
    request: Request, target: str, filled: Filled | None = None, **context: object
) -> Response:
    return render(
        request,
        "accounts/login.html",
        {"next": target, "notice": request.query_params.get("done", ""), **context},
        filled=filled,
    )


def _refused(request: Request, target: str, values: dict[str, str], message: str) -> Response:
    return _login_page(
        request,
        target,
        Filled(_without_password(values), {"__all__": message}, 400),
        carry=carried(values),
    )


async def login(request: Request) -> Response:
    target = safe_path(request.query_params.get("next"))
    if request.method == "GET":
        return _login_page(request, target)
    values = form_values(await read_form(request))
    carry = carried(values)
    try:
        data = validate(LoginForm, values)
    except ValidationFailed as exc:
        filled = Filled(_without_password(values), exc.errors, 422)
        return _login_page(request, target, filled, carry=carry)
    found = services(request)
    device = trusted_device(request, data.email)
    address = client_address(request)
    # Counted before it is checked: a burst of guesses checks at most the limit.
    reservation = await ratelimit.reserve_login(
        found.redis, email=data.email, address=address, device=device
    )
    user, ok = await service.authenticate(found.db, email=data.email, password=data.password)
    if user is not None and user.id is not None and user.totp_secret is not None:
        # The code is asked whether the password was right or not (see app.accounts.twofactor).
        pending = twofactor.PendingLogin(user_id=user.id, password_ok=ok, email=user.email)
        ticket = await twofactor.park_login(found.redis, pending)
        response: Response = RedirectResponse(
            path_for(request, "login_code") + "?next=" + quote(target, safe="/"), status_code=303
        )
        if carry:  # shown here, not redirected to, so the kept text rides along in it
            context = {"next": target, "carry": carry}
            response = render(request, "accounts/login_code.html", context)
        response.set_cookie(
            TICKET_COOKIE,
            ticket,
            max_age=twofactor.PENDING_SECONDS,
            path="/login",
            httponly=True,
            samesite="lax",
            secure=settings(request).is_https,
        )
        return response
    if user is None or not ok:
        return _refused(request, target, values, _("The e-mail or password is not right."))
    await ratelimit.release(found.redis, reservation)
    return await _logged_in(request, user, target, carry)


async def login_code(request: Request) -> Response:
    """The second step: the code from the app (or a recovery code)."""
    target = safe_path(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "accounts/login_code.html", {"next": target})
    values = form_values(await read_form(request))
    carry = carried(values)
    try:
        data = validate(LoginCodeForm, values)
    except ValidationFailed as exc:
        context = {"next": target, "carry": carry}
        filled = Filled({}, exc.errors, 422)
        return render(request, "accounts/login_code.html", context, filled=filled)
    response = await _second_step(request, target, code=data.code, carry=carry)
    response.delete_cookie(TICKET_COOKIE, path="/login")  # used: it opens nothing any more
    return response


async def _second_step(
    request: Request, target: str, *, code: str, carry: dict[str, str]
) -> Response:
    found = services(request)
    pending = await twofactor.take_login(found.redis, request.cookies.get(TICKET_COOKIE, ""))
    if pending is None:
        message = _("This log-in took too long. Please log in again.")
        return _refused(request, target, _carrying(carry), message)
    user: User | None = None
    if pending.password_ok:
        async with found.db.transaction() as session:
            if await twofactor.use_code(session, user_id=pending.user_id, code=code):
                user = await session.get(User, pending.user_id)
    if user is None:
        message = _("The e-mail, the password or the code is not right.")
        return _refused(request, target, {"email": pending.email, **_carrying(carry)}, message)
    device = trusted_device(request, pending.email)
    await ratelimit.release(
        found.redis,
        ratelimit.login_reservation(
            email=pending.email, address=client_address(request), device=device
        ),
    )
    return await _logged_in(request, user, target, carry)


def _carrying(carry: dict[str, str]) -> dict[str, str]:
    """Kept text as form values again, so the log-in page shown next keeps it too."""
    return {f"{CARRIED}{name}": value for name, value in carry.items()}


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
    Route("/login/code", login_code, methods=["GET", "POST"], name="login_code"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
