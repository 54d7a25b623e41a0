"""Pages: a project, writing it, and submitting or withdrawing it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import queries as challenge_queries
from app.forms import Filled, no_fields, schema, submit
from app.teams import permissions, projects, views
from app.teams.schemas import ProjectInput
from app.templating import render
from app.web import path_for, path_id, services


async def project_page(request: Request, filled: Filled | None = None) -> Response:
    async with services(request).db.read() as session:
        view = await views.project_view(
            session, user=current_user(request), project_id=path_id(request)
        )
    return render(request, "teams/project.html", {"view": view}, filled=filled)


async def edit_project(request: Request) -> Response:
    user = require_user(request)
    team_id = path_id(request)
    async with services(request).db.read() as session:
        view = await views.team_view(session, user=user, team_id=team_id)
        permissions.ensure_coach(view.access)
        tracks = await challenge_queries.tracks(session, view.team.challenge_id)
    fresh = {"track_id": str(view.team.track_id or "")}
    if view.project is not None:
        fresh = {
            "title": view.project.title,
            "summary": view.project.summary,
            "description": view.project.description,
            "track_id": str(view.project.track_id or ""),
        }

    async def page(filled: Filled) -> Response:
        context = {"view": view, "track_options": [(t.id, t.name) for t in tracks], "form": fresh}
        return render(request, "teams/project_form.html", context, filled=filled)

    if request.method == "GET":
        return await page(Filled())
    return await submit(
        request,
        parse=schema(ProjectInput),
        act=lambda session, data: projects.save_project(
            session, user=user, team_id=team_id, data=data
        ),
        done=lambda project: path_for(request, "project", id=project.id),
        again=page,
    )


async def submit_project(request: Request) -> Response:
    user = require_user(request)
    project_id = path_id(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: projects.submit_project(
            session, user=user, project_id=project_id
        ),
        done=lambda _project: path_for(request, "project", id=project_id),
        again=lambda filled: project_page(request, filled),
    )


async def withdraw_project(request: Request) -> Response:
    user = require_user(request)
    project_id = path_id(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: projects.withdraw_project(
            session, user=user, project_id=project_id
        ),
        done=lambda _project: path_for(request, "project", id=project_id),
        again=lambda filled: project_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/teams/{id:int}/project", edit_project, methods=["GET", "POST"], name="edit_project"),
    Route("/projects/{id:int}", project_page, name="project"),
    Route("/projects/{id:int}/submit", submit_project, methods=["POST"], name="submit_project"),
    Route(
        "/projects/{id:int}/withdraw", withdraw_project, methods=["POST"], name="withdraw_project"
    ),
]
