"""Pages: registering a team, the team page and editing the team and its members."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.accounts.models import User
from app.challenges import queries as challenge_queries
from app.challenges import service as challenges_service
from app.challenges.models import PhaseKind
from app.db import utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.forms import form_values, read_form
from app.teams import permissions, projects, service
from app.teams.project_routes import routes as project_routes
from app.teams.schemas import MAX_MEMBERS, member_key, member_rows, parse_team
from app.teams.service import TeamView
from app.templating import render

EXTRA_ROWS = 3
MIN_ROWS = 5


def _row_count(values: dict[str, str], *, more: bool = False) -> int:
    used = [index for index, _row in member_rows(values)]
    count = max((used[-1] + 1 if used else 0) + EXTRA_ROWS, MIN_ROWS)
    return min(count + (5 if more else 0), MAX_MEMBERS)


def _blank_rows_default_to_minor(values: dict[str, str], rows: int) -> dict[str, str]:
    """Most members are pupils: a fresh row starts ticked as a minor."""
    filled = {index for index, _row in member_rows(values)}
    for index in range(rows):
        if index not in filled:
            values.setdefault(member_key(index, "is_minor"), "on")
    return values


async def _team_form(
    request: Request,
    *,
    challenge_id: int,
    user: User,
    form: dict[str, str],
    rows: int,
    team_view: TeamView | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db.read() as session:
        challenge, _actor = await challenges_service.load(
            session, user=user, challenge_id=challenge_id
        )
        registration_open = await challenge_queries.phase_is_open(
            session, challenge_id, PhaseKind.REGISTRATION, utcnow()
        )
        context: dict[str, Any] = {
            "challenge": challenge,
            "track_options": [
                (t.id, t.name) for t in await challenge_queries.tracks(session, challenge_id)
            ],
            "institution_options": [
                (i.id, f"{i.name}, {i.city}" if i.city else i.name)
                for i in await challenge_queries.institutions(session)
            ],
            "team_view": team_view,
            "is_open": team_view.editable if team_view else registration_open,
            "rows": rows,
            "max_members": MAX_MEMBERS,
            "form": form,
            "errors": errors or {},
        }
    return render(request, "teams/form.html", context, status_code=status_code)


async def _save(
    request: Request, user: User, challenge_id: int, team_view: TeamView | None
) -> Response:
    """Register a team (no team_view yet) or change one."""
    values = form_values(await read_form(request))
    rows = _row_count(values, more="more_rows" in values)
    if "more_rows" in values:
        # "More rows" re-shows the form with empty rows added; nothing is saved.
        values = _blank_rows_default_to_minor(values, rows)
        return await _team_form(
            request,
            challenge_id=challenge_id,
            user=user,
            form=values,
            rows=rows,
            team_view=team_view,
        )
    try:
        data = parse_team(values, member_rows(values))
        async with request.app.state.db.transaction() as session:
            if team_view is None:
                team = await service.register_team(
                    session, user=user, challenge_id=challenge_id, data=data
                )
            else:
                team = await service.update_team(
                    session, user=user, team_id=team_view.team.id or 0, data=data
                )
    except (ValidationFailed, Conflict) as exc:
        if isinstance(exc, ValidationFailed):
            errors = exc.errors
        elif isinstance(exc, service.TeamNameTaken):
            errors = {"name": exc.message}
        else:
            errors = {"__all__": exc.message}
        return await _team_form(
            request,
            challenge_id=challenge_id,
            user=user,
            form=_blank_rows_default_to_minor(values, rows),
            rows=rows,
            team_view=team_view,
            errors=errors,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/teams/{team.id}", status_code=303)


async def register_team(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    if request.method == "POST":
        return await _save(request, user, challenge_id, None)
    form = _blank_rows_default_to_minor({}, MIN_ROWS)
    return await _team_form(request, challenge_id=challenge_id, user=user, form=form, rows=MIN_ROWS)


async def edit_team(request: Request) -> Response:
    user = require_user(request)
    team_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        view = await service.team_view(session, user=user, team_id=team_id)
    permissions.ensure_coach(view.access)
    if request.method == "POST":
        return await _save(request, user, view.team.challenge_id, view)
    form = _team_values(view)
    rows = _row_count(form)
    return await _team_form(
        request,
        challenge_id=view.team.challenge_id,
        user=user,
        form=_blank_rows_default_to_minor(form, rows),
        rows=rows,
        team_view=view,
    )


def _team_values(view: TeamView) -> dict[str, str]:
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


async def team_page(request: Request) -> Response:
    user = current_user(request)
    team_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        try:
            view = await service.team_view(session, user=user, team_id=team_id)
        except NotFound:
            # Others may still see what the team handed in.
            project_id = await projects.public_project_id(session, team_id=team_id)
            if project_id is None:
                raise
            return RedirectResponse(f"/projects/{project_id}", status_code=303)
    return render(request, "teams/team.html", {"view": view})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/teams/new", register_team, methods=["GET", "POST"]),
    Route("/teams/{id:int}", team_page, name="team"),
    Route("/teams/{id:int}/edit", edit_team, methods=["GET", "POST"]),
    *project_routes,
]
