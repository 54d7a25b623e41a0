"""Pages: a person's notification preferences, and what a challenge's notifications did."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.challenges import permissions as challenge_permissions
from app.forms import Filled, schema, submit
from app.notifications import queries, service
from app.notifications.mails import PREFERENCES_PATH
from app.notifications.schemas import LABELS, MANDATORY, OPTIONAL, Kind, PreferencesForm
from app.templating import render
from app.web import path_for, path_id, services


async def _preferences_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    assert user.id is not None
    async with services(request).db.read() as session:
        out = await queries.opt_outs_of(session, user_id=user.id)
    context: dict[str, Any] = {
        "choices": [(str(kind), LABELS[kind], str(kind) not in out) for kind in OPTIONAL],
        "mandatory": sorted(str(kind) for kind in MANDATORY),
        "notice": request.query_params.get("done", ""),
    }
    return render(request, "notifications/preferences.html", context, filled=filled)


async def preferences(request: Request) -> Response:
    if request.method == "GET":
        return await _preferences_page(request, Filled())
    user = require_user(request)

    async def act(session: Any, data: PreferencesForm) -> set[Kind]:
        return await service.save_preferences(session, user=user, keep=data.keep())

    return await submit(
        request,
        parse=schema(PreferencesForm),
        act=act,
        done=lambda _out: path_for(request, "notification_preferences") + "?done=saved",
        again=lambda filled: _preferences_page(request, filled),
    )


async def challenge_notifications(request: Request) -> Response:
    """What was sent or failed in a challenge (organisers)."""
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await challenge_permissions.organised(
            session, user=user, challenge_id=path_id(request)
        )
        rows = await queries.challenge_log(session, challenge_id=access.challenge_id)
    context = {"challenge": access.challenge, "rows": rows, "limit": queries.LOG_LIMIT}
    return render(request, "notifications/log.html", context)


routes: list[BaseRoute] = [
    Route(PREFERENCES_PATH, preferences, methods=["GET", "POST"], name="notification_preferences"),
    Route(
        "/challenges/{id:int}/notifications",
        challenge_notifications,
        name="challenge_notifications",
    ),
]
