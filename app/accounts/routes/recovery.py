"""Pages: a forgotten password, reset with a link sent by e-mail."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import ratelimit, recovery, tokens
from app.accounts.auth import trust_device
from app.accounts.mails import FORGOT_PATH
from app.accounts.passwords import hash_password
from app.accounts.routes.login import client_address
from app.accounts.schemas import PasswordReset, ResetRequest
from app.accounts.signup import LinkNotValid
from app.errors import ValidationFailed
from app.forms import Filled, form_values, read_form, validate
from app.templating import render
from app.web import path_for, path_text, services, settings


async def forgot(request: Request) -> Response:
    """Ask for a reset link: the answer is the same whether an account has the address."""
    if request.method == "GET":
        return render(request, "accounts/forgot.html")
    values = form_values(await read_form(request))
    try:
        data = validate(ResetRequest, values)
    except ValidationFailed as exc:
        return render(request, "accounts/forgot.html", filled=Filled(values, exc.errors, 422))
    found = services(request)
    await ratelimit.limit_reset(found.redis, email=data.email, address=client_address(request))
    async with found.db.transaction() as session:
        recovery.request_reset(session, email=data.email)
    return render(request, "accounts/check_email.html", {"email": data.email, "reset": True})


def _claim(request: Request) -> tokens.Claim | None:
    return tokens.read(
        settings(request).secret_key,
        tokens.RESET_PASSWORD,
        path_text(request, "token"),
        max_age=tokens.RESET_MAX_AGE,
    )


def _reset_page(request: Request, filled: Filled | None = None, *, valid: bool) -> Response:
    context = {"token": path_text(request, "token") if valid else "", "valid": valid}
    status = 200 if valid else 400
    return render(request, "accounts/reset.html", context, status_code=status, filled=filled)


async def reset(request: Request) -> Response:
    """A new password with the e-mailed link: once, within the hour; every login ends."""
    claim = _claim(request)
    if request.method == "GET":
        return _reset_page(request, valid=claim is not None)
    values = form_values(await read_form(request))
    if claim is None:
        return _reset_page(request, valid=False)
    try:
        data = validate(PasswordReset, values)
    except ValidationFailed as exc:
        return _reset_page(request, Filled({}, exc.errors, 422), valid=True)
    new_hash = await hash_password(data.password)  # before the transaction: slow
    found = services(request)
    try:
        async with found.db.transaction() as session:
            user = await recovery.reset_password(session, claim=claim, new_hash=new_hash)
    except LinkNotValid:
        return _reset_page(request, valid=False)
    # The link proved the address: the lock strangers' guesses put on new browsers ends,
    # and this browser is one the person uses.
    await ratelimit.forgive_account(found.redis, email=user.email)
    response = RedirectResponse(path_for(request, "login") + "?done=reset", status_code=303)
    trust_device(request, response, user.email)
    return response


routes: list[BaseRoute] = [
    Route(FORGOT_PATH, forgot, methods=["GET", "POST"], name="forgot_password"),
    Route("/password/reset/{token}", reset, methods=["GET", "POST"], name="reset_password"),
]
