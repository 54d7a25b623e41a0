"""Pages: registering a team, the team page, and changing the team and its members."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenge_queries
from app.challenges.models import PhaseKind
from app.db import utcnow
from app.errors import NotFound
from app.forms import Filled, form_values, read_form, submit
from app.teams import permissions, projects, service, views
from app.teams.schemas import MAX_MEMBERS, TeamInput, member_key, member_rows, parse_team
from app.teams.views import TeamView
from app.templating import render
from app.web import path_for, path_id, services

EXTRA_ROWS = 3
MIN_ROWS = 5


def _row_count(values: dict[str, str], *, limit: int, more: bool = False) -> int:
    """Rows for the members typed, a few blank ones, never more than a team may have
    (but every row typed is shown, so nothing typed is lost)."""
    used = [index for index, _row in member_rows(values)]
    typed = used[-1] + 1 if used else 0
    count = min(max(typed + EXTRA_ROWS, MIN_ROWS) + (5 if more else 0), limit)
    return min(max(count, typed), MAX_MEMBERS)


def _blank_rows_default_to_minor(values: dict[str, str], rows: int) -> dict[str, str]:
    """Most members are pupils: a fresh row starts ticked as a minor."""
    filled = {index for index, _row in member_rows(values)}
    for index in range(rows):
        if index not in filled:
            values.setdefault(member_key(index, "is_minor"), "on")
    return values


def _parse(values: dict[str, str]) -> TeamInput:
    return parse_team(values, member_rows(values))


async def _team_form(
    request: Request,
    filled: Filled,
    *,
    challenge_id: int,
    team_view: TeamView | None = None,
    more: bool = False,
) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
        registration_open = await challenge_queries.phase_is_open(
            session, challenge_id, PhaseKind.REGISTRATION, utcnow()
        )
        tracks = await challenge_queries.tracks(session, challenge_id)
        institutions = await challenge_queries.institutions(session)
    values = dict(filled.values) if filled.values else _fresh(team_view)
    limit = min(MAX_MEMBERS, access.challenge.team_size_max)
    rows = _row_count(values, limit=limit, more=more)
    context = {
        "challenge": access.challenge,
        "track_options": [(t.id, t.name) for t in tracks],
        "institution_options": [
            (i.id, f"{i.name}, {i.city}" if i.city else i.name) for i in institutions
        ],
        "team_view": team_view,
        "is_open": team_view.editable if team_view else registration_open,
        "rows": rows,
        "max_members": limit,
    }
    shown = Filled(_blank_rows_default_to_minor(values, rows), filled.errors, filled.status_code)
    return render(request, "teams/form.html", context, filled=shown)


def _fresh(view: TeamView | None) -> dict[str, str]:
    """The form as it starts: empty to register, the team as it is to change it."""
    if view is None:
        return {}
    team = view.team
    values = {
        "name": team.name,
        "track_id": str(team.track_id or ""),
        "institution_id": str(team.institution_id or ""),
        "class_name": team.class_name,
    }
    for index, member in enumerate(view.members):
        values[member_key(index, "id")] = str(member.id)
        values[member_key(index, "first_name")] = member.first_name
        values[member_key(index, "last_name")] = member.last_name
        if member.is_minor:
            values[member_key(index, "is_minor")] = "on"
        if member.consent_at:
            values[member_key(index, "consent_on")] = member.consent_at.date().isoformat()
    return values


async def _more_rows(request: Request, *, challenge_id: int, view: TeamView | None) -> Response:
    """ "More rows" shows the form again with empty rows added; nothing is saved."""
    values = form_values(await read_form(request))
    return await _team_form(
        request, Filled(values), challenge_id=challenge_id, team_view=view, more=True
    )


async def register_team(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _team_form(request, Filled(), challenge_id=challenge_id)
    if "more_rows" in request.query_params:
        return await _more_rows(request, challenge_id=challenge_id, view=None)
    return await submit(
        request,
        guard=lambda session: challenge_permissions.viewable(
            session, user=user, challenge_id=challenge_id
        ),
        parse=_parse,
        act=lambda session, data: service.register_team(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda team: path_for(request, "team", id=team.id),
        again=lambda filled: _team_form(request, filled, challenge_id=challenge_id),
    )


async def edit_team(request: Request) -> Response:
    user = require_user(request)
    team_id = path_id(request)
    async with services(request).db.read() as session:
        view = await views.team_view(session, user=user, team_id=team_id)
    permissions.ensure_coach(view.access)
    challenge_id = view.team.challenge_id
    if request.method == "GET":
        return await _team_form(request, Filled(), challenge_id=challenge_id, team_view=view)
    if "more_rows" in request.query_params:
        return await _more_rows(request, challenge_id=challenge_id, view=view)
    return await submit(
        request,
        parse=_parse,
        act=lambda session, data: service.update_team(
            session, user=user, team_id=team_id, data=data
        ),
        done=lambda team: path_for(request, "team", id=team.id),
        again=lambda filled: _team_form(request, filled, challenge_id=challenge_id, team_view=view),
    )


async def team_page(request: Request) -> Response:
    team_id = path_id(request)
    async with services(request).db.read() as session:
        try:
            view = await views.team_view(session, user=current_user(request), team_id=team_id)
        except NotFound:
            # Others may still see what the team handed in.
            project_id = await projects.public_project_id(session, team_id=team_id)
            if project_id is None:
                raise
            return RedirectResponse(path_for(request, "project", id=project_id), status_code=303)
    return render(request, "teams/team.html", {"view": view})


routes: list[BaseRoute] = [
    Route(
        "/challenges/{id:int}/teams/new",
        register_team,
        methods=["GET", "POST"],
        name="register_team",
    ),
    Route("/teams/{id:int}", team_page, name="team"),
    Route("/teams/{id:int}/edit", edit_team, methods=["GET", "POST"], name="edit_team"),
]
