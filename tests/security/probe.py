"""Helpers shared by the matrix test: route enumeration and one request per case."""

from __future__ import annotations

import re

from httpx import Response
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

from tests.security.world import World

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def enumerate_routes(routes: list[BaseRoute], prefix: str = "") -> set[tuple[str, str]]:
    """(method, path template) of every route, through mounts, without /static."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                continue
            found |= enumerate_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, prefix + route.path))
    return found


def app_routes(app: Starlette) -> set[tuple[str, str]]:
    return enumerate_routes(list(app.routes))


_ID_BY_PREFIX = (
    ("/account/sessions/", "spare_session"),
    ("/account/tokens/", "spare_token"),
    ("/admin/creators/", "organiser"),
    ("/challenges/", "challenge"),
    ("/programmes/", "programme"),
    ("/teams/", "team"),
    ("/projects/", "project"),
    ("/adoptions/", "adoption"),
    ("/sponsors/", "sponsor"),
    ("/companies/", "company"),
    ("/rounds/", "round"),
    ("/pairwise/", "pairwise"),
    ("/rubrics/", "rubric"),
    ("/judging/assignments/", "assignment"),
    ("/assignments/", "assignment"),
)


def concrete_path(template: str, world: World) -> str:
    """The template with every parameter replaced by an object of challenge A."""
    values = world.params()
    bare = template.removeprefix("/api/v1")
    if bare.startswith("/rounds/{id:int}/vote"):  # the people's choice: the open public vote
        return _PARAM.sub(
            lambda m: {**values, "id": str(world.vote_round.id)}[m.group(1)], template
        )
    if "/representatives/invitations/" in bare:  # a representative's, to the company
        values["invitation_id"] = str(world.colleague_invitation.id)
    for prefix, name in _ID_BY_PREFIX:
        if bare.startswith(prefix):
            values["id"] = str(
                {
                    "spare_session": world.spare_session_id,
                    "spare_token": world.spare_token_id,
                    "organiser": world.users["organiser"].id,  # type: ignore[union-attr]
                    "challenge": world.challenge.id,
                    "programme": world.programme.id,
                    "team": world.team.id,
                    "project": world.project.id,
                    "adoption": world.adoption.id,
                    "sponsor": world.sponsor.id,
                    "company": world.sponsor.company_id,
                    "round": world.round.id,
                    "pairwise": world.pairwise_round.id,
                    "rubric": world.round.rubric_id,
                    "assignment": world.assignment.id,
                }[name]
            )
            break
    return _PARAM.sub(lambda m: values[m.group(1)], template)


async def send(world: World, method: str, template: str, role: str) -> Response:
    """One request as the role: pages with the login cookie, the API with a bearer token.

    Page writes carry a valid CSRF token and nothing else. API writes carry a JSON array,
    which no endpoint accepts: one that read its body before checking the permission would
    answer 422 where the permission says 401/403/404 (an empty object is valid for some).
    """
    path = concrete_path(template, world)
    is_api = template.startswith("/api/")
    http = world.api[role] if is_api else world.pages[role]
    if method == "GET":
        return await http.get(path)
    if is_api:
        return await http.request(method, path, json=[])
    return await http.request(method, path, data={"csrf_token": world.tokens[role]})
