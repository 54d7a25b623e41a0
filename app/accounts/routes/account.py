"""Pages: the account page (the address and its confirmation, the password, logins and
API tokens) and confirming the address with the e-mailed link."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import queries, ratelimit, recovery, service, signup, tokens, twofactor
from app.accounts.auth import SESSION_COOKIE, require_user, trusted_device
from app.accounts.mails import VERIFY_PATH
from app.accounts.passwords import hash_password, verify_password
from app.accounts.routes.login import client_address
from app.accounts.schemas import PasswordChange, TokenCreate
from app.errors import ValidationFailed
from app.forms import Filled, form_values, no_fields, read_form, submit, validate
from app.i18n import gettext as _
from app.templating import render
from app.web import path_for, path_id, services, settings


async def _account_page(
    request: Request, filled: Filled, *, new_token: str | None = None, status_code: int = 200
) -> Response:
    user = require_user(request)
    assert user.id is not None
    async with services(request).db.read() as session:
        context: dict[str, Any] = {
            "sessions": await queries.active_sessions(session, user_id=user.id),
            "tokens": await queries.api_tokens(session, user_id=user.id),
            "new_token": new_token,
            "two_factor": await twofactor.may_enrol(session, user=user),
            "notice": request.query_params.get("done", ""),
        }
    if filled.errors:
        return render(request, "accounts/account.html", context, filled=filled)
    return render(request, "accounts/account.html", context, status_code=status_code)


async def account(request: Request) -> Response:
    return await _account_page(request, Filled())


async def revoke_session(request: Request) -> Response:
    user = require_user(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: service.revoke_session(
            session, user=user, session_id=path_id(request)
        ),
        done=lambda _none: path_for(request, "account"),
    )


async def create_token(request: Request) -> Response:
    user = require_user(request)
    values = form_values(await read_form(request))
    try:
        data = validate(TokenCreate, values)
    except ValidationFailed as exc:
        return await _account_page(request, Filled(values, exc.errors, 422))
    async with services(request).db.transaction() as session:
        _token, secret = await service.create_api_token(session, user=user, name=data.name)
    # Shown once, on this answer only: it is never stored in clear, so no redirect.
    return await _account_page(request, Filled(), new_token=secret, status_code=201)


async def revoke_token(request: Request) -> Response:
    user = require_user(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: service.revoke_api_token(
            session, user=user, token_id=path_id(request)
        ),
        done=lambda _none: path_for(request, "account"),
    )


async def change_password(request: Request) -> Response:
    """A new password, with the current one: the person's other logins end."""
    user = require_user(request)
    values = form_values(await read_form(request))
    try:
        data = validate(PasswordChange, values)
    except ValidationFailed as exc:
        return await _account_page(request, Filled({}, exc.errors, 422))
    found = services(request)
    # Guessing the current password here is guessing a password: counted like a log-in.
    reservation = await ratelimit.reserve_login(
        found.redis,
        email=user.email,
        address=client_address(request),
        device=trusted_device(request, user.email),
    )
    if not await verify_password(user.password_hash, data.current_password):
        errors = {"current_password": _("This is not your current password.")}
        return await _account_page(request, Filled({}, errors, 400))
    await ratelimit.release(found.redis, reservation)
    new_hash = await hash_password(data.new_password)  # before the transaction: slow
    async with found.db.transaction() as session:
        await recovery.change_password(
            session,
            user=user,
            old_hash=user.password_hash,
            new_hash=new_hash,
            keep_token=request.cookies.get(SESSION_COOKIE, ""),
        )
    return RedirectResponse(path_for(request, "account") + "?done=password", status_code=303)


async def send_verification(request: Request) -> Response:
    """Send the confirmation link again (3 an hour)."""
    user = require_user(request)
    await read_form(request)
    found = services(request)
    await ratelimit.limit_resend(found.redis, email=user.email, address=client_address(request))
    async with found.db.transaction() as session:
        sent = await signup.request_verification(session, user=user)
    done = "sent" if sent else "verified"  # confirmed already: nothing to send
    return RedirectResponse(path_for(request, "account") + f"?done={done}", status_code=303)


async def verify(request: Request) -> Response:
    """The e-mailed link: logged in as the account it was sent for, one button confirms."""
    user = require_user(request)
    token = request.query_params.get("token", "")
    claim = tokens.read(
        settings(request).secret_key, tokens.VERIFY_EMAIL, token, max_age=tokens.VERIFY_MAX_AGE
    )
    if request.method == "GET":
        valid = claim is not None and claim.user_id == user.id and claim.email == user.email
        context = {"token": token if valid else "", "valid": valid}
        return render(request, "accounts/verify.html", context, status_code=200 if valid else 400)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: signup.verify_email(
            session,
            user=user,
            claim=claim or tokens.Claim(user_id=0, nonce=""),
        ),
        done=lambda _none: path_for(request, "account") + "?done=verified",
    )


routes: list[BaseRoute] = [
    Route("/account", account, name="account"),
    Route(
        "/account/sessions/{id:int}/revoke",
        revoke_session,
        methods=["POST"],
        name="revoke_session",
    ),
    Route("/account/tokens", create_token, methods=["POST"], name="create_token"),
    Route("/account/tokens/{id:int}/revoke", revoke_token, methods=["POST"], name="revoke_token"),
    Route("/account/password", change_password, methods=["POST"], name="change_password"),
    Route("/account/verify/send", send_verification, methods=["POST"], name="send_verification"),
    Route(VERIFY_PATH, verify, methods=["GET", "POST"], name="verify_email"),
]
