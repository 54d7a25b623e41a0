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
from app.sponsors import adoptions, rules, views
from app.sponsors.models import Adoption
from app.sponsors.schemas import AdoptionCreate, AdoptionRefusal, AdoptionRulesUpdate
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


async def confirm(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)

    async def act(session: AsyncSession, back: str | None) -> tuple[Adoption, str | None]:
        return await adoptions.confirm_adoption(session, user=user, adoption_id=adoption_id), back

    return await submit(
        request,
        guard=lambda session: adoptions.organiser_of_adoption(
            session, user=user, adoption_id=adoption_id
        ),
        parse=lambda values: values.get("next"),
        act=act,
        done=lambda result: safe_path(
            result[1], path_for(request, "adoptions_report", id=result[0].challenge_id)
        ),
    )


async def _refusal_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.refusal(session, user=user, adoption_id=path_id(request))
    return render(request, "sponsors/refuse.html", {"page": page}, filled=filled)


async def refuse(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    if request.method == "GET":
        return await _refusal_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: adoptions.organiser_of_adoption(
            session, user=user, adoption_id=adoption_id
        ),
        parse=schema(AdoptionRefusal),
        act=lambda session, data: adoptions.refuse_adoption(
            session, user=user, adoption_id=adoption_id, data=data
        ),
        done=lambda adoption: path_for(request, "adoptions_report", id=adoption.challenge_id),
        again=lambda filled: _refusal_page(request, filled),
    )


async def _rules_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.rules_page(session, user=user, challenge_id=path_id(request))
    return render(request, "sponsors/rules.html", {"page": page}, filled=filled)


async def adoption_rules(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _rules_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: views.rules_page(session, user=user, challenge_id=challenge_id),
        parse=schema(AdoptionRulesUpdate),
        act=lambda session, data: rules.update_rules(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _rules: path_for(request, "adoptions_report", id=challenge_id),
        again=lambda filled: _rules_page(request, filled),
    )


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
    Route("/adoptions/{id:int}/confirm", confirm, methods=["POST"], name="confirm_adoption"),
    Route("/adoptions/{id:int}/refuse", refuse, methods=["GET", "POST"], name="refuse_adoption"),
    Route(
        "/challenges/{id:int}/adoption-rules",
        adoption_rules,
        methods=["GET", "POST"],
        name="adoption_rules",
    ),
    Route("/teams/{id:int}/adoptions", team_adoptions, name="team_adoptions"),
]
