"""Pages: one offer with its versions, the company amending it, the team answering it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.forms import Filled, schema, submit
from app.sponsors import offers, views
from app.sponsors.models import OFFER_FIELDS
from app.sponsors.schemas import AdoptionAmend, AdoptionReply
from app.templating import render
from app.web import path_for, path_id, services


async def _offer_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.offer_page(session, user=user, adoption_id=path_id(request))
    return render(request, "sponsors/offer.html", {"page": page}, filled=filled)


async def offer(request: Request) -> Response:
    return await _offer_page(request, Filled())


async def reply(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: offers.may_reply(session, user=user, adoption_id=adoption_id),
        parse=schema(AdoptionReply),
        act=lambda session, data: offers.reply_to_adoption(
            session, user=user, adoption_id=adoption_id, data=data
        ),
        done=lambda adoption: path_for(request, "adoption", id=adoption.id),
        again=lambda filled: _offer_page(request, filled),
    )


async def _amend_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.offer_page(session, user=user, adoption_id=path_id(request))
    if not filled.values:  # a fresh form shows the offer as it stands
        adoption = page.row.adoption
        current = {name: getattr(adoption, name) for name in OFFER_FIELDS}
        filled = Filled({k: "" if v is None else str(v) for k, v in current.items()})
    return render(request, "sponsors/amend.html", {"page": page}, filled=filled)


async def amend(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    if request.method == "GET":
        async with services(request).db.read() as session:
            await offers.may_amend(session, user=user, adoption_id=adoption_id)
        return await _amend_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: offers.may_amend(session, user=user, adoption_id=adoption_id),
        parse=schema(AdoptionAmend),
        act=lambda session, data: offers.amend_adoption(
            session, user=user, adoption_id=adoption_id, data=data
        ),
        done=lambda adoption: path_for(request, "adoption", id=adoption.id),
        again=lambda filled: _amend_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/adoptions/{id:int}", offer, name="adoption"),
    Route("/adoptions/{id:int}/reply", reply, methods=["POST"], name="reply_to_adoption"),
    Route("/adoptions/{id:int}/amend", amend, methods=["GET", "POST"], name="amend_adoption"),
]
