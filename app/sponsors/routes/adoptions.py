"""Pages: making an offer, answering or withdrawing it, a team's offers and the organisers'
report of every adoption."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.accounts.models import User
from app.forms import Filled, schema, submit
from app.sponsors import adoptions, views
from app.sponsors.models import Adoption
from app.sponsors.schemas import AdoptionCreate
from app.templating import render
from app.web import path_for, path_id, safe_path, services


async def _proposal_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.proposal(session, user=user, project_id=path_id(request))
    return render(request, "sponsors/propose.html", {"page": page}, filled=filled)


async def propose(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return await _proposal_page(request, Filled())
    project_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: adoptions.project_to_adopt(session, user=user, project_id=project_id),
        parse=schema(AdoptionCreate),
        act=lambda session, data: adoptions.propose_adoption(
            session, user=user, project_id=project_id, data=data
        ),
        done=lambda adoption: path_for(request, "sponsor_dashboard", id=adoption.challenge_id),
        again=lambda filled: _proposal_page(request, filled),
    )


Answer = Callable[..., Awaitable[Adoption]]


async def _answer(request: Request, act: Answer) -> Response:
    """Accept, decline or withdraw, then back to the page the button was on (its `next`)."""
    user: User = require_user(request)
    adoption_id = path_id(request)

    async def answer(session: AsyncSession, back: str | None) -> tuple[Adoption, str | None]:
        return await act(session, user=user, adoption_id=adoption_id), back

    def done(result: tuple[Adoption, str | None]) -> str:
        adoption, back = result
        return safe_path(back, path_for(request, "sponsor_dashboard", id=adoption.challenge_id))

    return await submit(request, parse=lambda values: values.get("next"), act=answer, done=done)


async def accept(request: Request) -> Response:
    return await _answer(request, adoptions.accept_adoption)


async def decline(request: Request) -> Response:
    return await _answer(request, adoptions.decline_adoption)


async def withdraw(request: Request) -> Response:
    return await _answer(request, adoptions.withdraw_adoption)


async def team_adoptions(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.team_adoptions(session, user=user, team_id=path_id(request))
    return render(request, "sponsors/team_adoptions.html", {"page": page})


async def adoptions_report(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.adoptions_report(session, user=user, challenge_id=path_id(request))
    return render(request, "sponsors/report.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/adoptions", adoptions_report, name="adoptions_report"),
    Route("/projects/{id:int}/adopt", propose, methods=["GET", "POST"], name="propose_adoption"),
    Route("/adoptions/{id:int}/accept", accept, methods=["POST"], name="accept_adoption"),
    Route("/adoptions/{id:int}/decline", decline, methods=["POST"], name="decline_adoption"),
    Route("/adoptions/{id:int}/withdraw", withdraw, methods=["POST"], name="withdraw_adoption"),
    Route("/teams/{id:int}/adoptions", team_adoptions, name="team_adoptions"),
]
