"""Pages: the account page, with the person's logins and API tokens."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts import queries, service
from app.accounts.auth import require_user
from app.accounts.schemas import TokenCreate
from app.errors import ValidationFailed
from app.forms import Filled, form_values, no_fields, read_form, submit, validate
from app.templating import render
from app.web import path_for, path_id, services


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
]
