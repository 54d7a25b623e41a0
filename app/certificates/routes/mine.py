"""Pages: the certificates a person received in a challenge."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.certificates import views
from app.certificates.routes.verification import LABELS
from app.templating import render
from app.web import path_id, services


async def my_certificates(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.my_certificates(
            session, user=user, challenge_id=path_id(request, "challenge_id")
        )
    context = {"challenge": page.challenge, "certificates": page.certificates, **LABELS}
    return render(request, "certificates/mine.html", context)


routes: list[BaseRoute] = [
    Route(
        "/challenges/{challenge_id:int}/certificates/mine",
        my_certificates,
        name="my_certificates",
    ),
]
