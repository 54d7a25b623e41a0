"""Pages: the audit log of a challenge (organisers) and of the platform (administrators)."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.errors import NotFound
from app.ids import parse_id
from app.reports import audit
from app.reports.audit import AuditFilters
from app.templating import render
from app.web import path_id, services


def filters_of(request: Request) -> AuditFilters:
    """?person=&action=&from=&to=&page= as filters; a value that names nothing is 404."""
    params = request.query_params
    person, action = params.get("person") or None, params.get("action") or None
    page = params.get("page")
    try:
        since = date.fromisoformat(params["from"]) if params.get("from") else None
        until = date.fromisoformat(params["to"]) if params.get("to") else None
    except ValueError:
        raise NotFound() from None
    number = parse_id(page) if page is not None else 1
    actor_id = parse_id(person) if person is not None else None
    if number is None or (person is not None and actor_id is None):
        raise NotFound()
    if action is not None and (len(action) > 80 or not action.replace(".", "_").isidentifier()):
        raise NotFound()
    return AuditFilters(actor_id=actor_id, action=action, since=since, until=until, page=number)


async def challenge_audit(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await audit.challenge_log(
            session, user=user, challenge_id=path_id(request), filters=filters_of(request)
        )
    return render(request, "reports/audit.html", {"page": page})


async def platform_audit(request: Request) -> Response:
    require_user(request)
    async with services(request).db.read() as session:
        page = await audit.platform_log(
            session, user=current_user(request), filters=filters_of(request)
        )
    return render(request, "reports/audit.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/audit", challenge_audit, name="challenge_audit"),
    Route("/admin/audit", platform_audit, name="platform_audit"),
]
