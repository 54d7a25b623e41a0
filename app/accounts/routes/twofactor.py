"""Pages: turning two-factor login on (QR code, then a code) and off (password and code)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import ratelimit, twofactor
from app.accounts.auth import require_user, trusted_device
from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.accounts.routes.login import client_address
from app.accounts.schemas import TwoFactorDisable, TwoFactorEnrol
from app.errors import FIXABLE_ON_A_FORM, Forbidden, form_errors
from app.forms import Filled, form_values, read_form, validate
from app.i18n import gettext as _
from app.permissions import require
from app.templating import render
from app.web import path_for, services


async def _eligible(request: Request) -> User:
    """Organisers and admins: anyone else is told so before the form is read."""
    user = require_user(request)
    async with services(request).db.read() as session:
        allowed = await twofactor.may_enrol(session, user=user)
    require(
        allowed or user.totp_secret is not None,
        visible=True,
        message=_("Two-factor login is for organisers and administrators."),
    )
    return user


async def _page(
    request: Request, user: User, filled: Filled | None = None, **context: Any
) -> Response:
    assert user.id is not None
    redis = services(request).redis
    if user.totp_secret is None and "recovery_codes" not in context:
        secret = await twofactor.setup_secret(redis, user_id=user.id)
        uri = twofactor.provisioning_uri(secret, user.email)
        context.update(secret=secret, qr=twofactor.qr_code(uri))
    async with services(request).db.read() as session:
        left = await twofactor.unused_recovery_codes(session, user_id=user.id)
    return render(
        request,
        "accounts/two_factor.html",
        {"enabled": user.totp_secret is not None, "codes_left": left, **context},
        filled=filled,
    )


async def two_factor(request: Request) -> Response:
    user = await _eligible(request)
    assert user.id is not None
    if request.method == "GET":
        return await _page(request, user)
    values = form_values(await read_form(request))
    redis = services(request).redis
    try:
        data = validate(TwoFactorEnrol, values)
        # The secret of the QR code shown (kept 15 minutes): without it, scan a new one.
        secret = await twofactor.pending_secret(redis, user_id=user.id)
        if secret is None:
            raise twofactor.code_not_right()
        async with services(request).db.transaction() as session:
            codes = await twofactor.enable(session, user=user, secret=secret, code=data.code)
    except FIXABLE_ON_A_FORM as exc:
        filled = Filled({"code": values.get("code", "")}, form_errors(exc), exc.status_code)
        return await _page(request, user, filled)
    await twofactor.end_setup(redis, user_id=user.id)
    # Shown once, on this answer only (only their hashes are kept): no redirect.
    user.totp_secret = secret
    return await _page(request, user, recovery_codes=codes)


async def disable(request: Request) -> Response:
    user = require_user(request)
    if user.totp_secret is None:
        raise Forbidden(_("Two-factor login is not on for your account."))
    values = form_values(await read_form(request))
    kept = {"code": values.get("code", "")}
    try:
        data = validate(TwoFactorDisable, values)
    except FIXABLE_ON_A_FORM as exc:
        return await _page(request, user, Filled(kept, form_errors(exc), exc.status_code))
    found = services(request)
    # Guessing the password here is guessing a password: counted like a log-in.
    reservation = await ratelimit.reserve_login(
        found.redis,
        email=user.email,
        address=client_address(request),
        device=trusted_device(request, user.email),
    )
    if not await verify_password(user.password_hash, data.password):
        errors = {"password": _("This is not your current password.")}
        return await _page(request, user, Filled(kept, errors, 400))
    try:
        async with found.db.transaction() as session:
            await twofactor.disable(session, user=user, code=data.code)
    except FIXABLE_ON_A_FORM as exc:
        return await _page(request, user, Filled(kept, form_errors(exc), exc.status_code))
    await ratelimit.release(found.redis, reservation)
    return RedirectResponse(path_for(request, "account") + "?done=two-factor-off", 303)


routes: list[BaseRoute] = [
    Route("/account/two-factor", two_factor, methods=["GET", "POST"], name="two_factor"),
    Route("/account/two-factor/disable", disable, methods=["POST"], name="disable_two_factor"),
]
