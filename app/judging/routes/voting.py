"""Pages of the people's-choice vote: the ballot anyone may fill in on a phone, the page an
e-mailed link opens to confirm a vote, and the organisers' count with the flagged votes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts import ratelimit
from app.accounts.auth import current_user, require_user
from app.challenges import permissions as challenge_permissions
from app.forms import Filled, no_fields, submit, validate
from app.i18n import gettext as _
from app.judging import anomalies, mails, service, voting
from app.judging.models import RoundKind
from app.judging.schemas import RoundCreate, VoteIn, void_from_form
from app.templating import render
from app.web import path_for, path_id, services, settings

NOTICES = ("sent", "counted", "confirmed")


async def _ballot(request: Request, filled: Filled) -> Response:
    async with services(request).db.read() as session:
        page = await voting.ballot_page(
            session, user=current_user(request), round_id=path_id(request)
        )
    notice = next((n for n in NOTICES if request.query_params.get(n)), "")
    # ?project=ID (the project page's "Vote for this project"): that project chosen, if the
    # ballot offers it; anything else chooses nothing.
    wanted = request.query_params.get("project", "")
    offered = {str(project.id) for project, _team in page.projects}
    context = {"page": page, "notice": notice, "preselect": wanted if wanted in offered else ""}
    return render(request, "judging/vote.html", context, filled=filled)


async def vote(request: Request) -> Response:
    if request.method == "GET":
        return await _ballot(request, Filled())
    user = current_user(request)
    round_id = path_id(request)
    found = services(request)
    address = request.client.host if request.client else "unknown"

    async def cast(session: AsyncSession, data: VoteIn) -> voting.Cast:
        # Counted before anything is written; a refusal is a 429 page.
        direct = user is not None and user.email_verified_at is not None
        email = user.email if direct and user is not None else data.email
        await ratelimit.limit_vote(
            found.redis, email=email or "", network=anomalies.network_of(address)
        )
        return await voting.cast_vote(
            session,
            user=user,
            round_id=round_id,
            project_id=data.project_id,
            email=data.email,
            address=address,
            locale=request.state.locale,
        )

    return await submit(
        request,
        guard=lambda session: voting.ballot_page(session, user=user, round_id=round_id),
        parse=lambda values: validate(VoteIn, values),
        act=cast,
        done=lambda result: (
            path_for(request, "vote", id=round_id) + ("?counted=1" if result.counted else "?sent=1")
        ),
        again=lambda filled: _ballot(request, filled),
    )


async def _confirm_page(request: Request, filled: Filled) -> Response:
    """The link's page: a button to confirm (a link opened by a mail scanner counts nothing)."""
    token = request.query_params.get("token", "")
    claim = mails.read_token(settings(request).secret_key, token)
    errors = dict(filled.errors)
    if claim is None:
        errors = {"__all__": _(voting.VoteLinkNotValid.message)}
    status = filled.status_code if filled.errors else (409 if claim is None else 200)
    context = {"token": token, "valid": claim is not None and not filled.errors}
    return render(request, "judging/vote_confirm.html", context, filled=Filled({}, errors, status))


async def confirm(request: Request) -> Response:
    if request.method == "GET":
        return await _confirm_page(request, Filled())
    # The token stays in the address, as in the e-mailed link: the form is only a button.
    claim = mails.read_token(settings(request).secret_key, request.query_params.get("token", ""))
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: voting.confirm_vote(session, claim=claim),
        done=lambda vote: path_for(request, "vote", id=vote.round_id) + "?confirmed=1",
        again=lambda filled: _confirm_page(request, filled),
    )


async def _votes_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await voting.votes_page(session, user=user, round_id=path_id(request))
    context = {"page": page, "voided": request.query_params.get("voided", "")}
    return render(request, "judging/votes.html", context, filled=filled)


async def round_votes(request: Request) -> Response:
    return await _votes_page(request, Filled())


async def void_votes(request: Request) -> Response:
    user = require_user(request)
    round_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: voting.votes_page(session, user=user, round_id=round_id),
        parse=void_from_form,
        act=lambda session, data: voting.void_votes(
            session, user=user, round_id=round_id, vote_ids=data.vote_ids, reason=data.reason
        ),
        done=lambda ids: path_for(request, "round_votes", id=round_id) + f"?voided={len(ids)}",
        again=lambda filled: _votes_page(request, filled),
    )


async def _new_vote_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await challenge_permissions.organised(
            session, user=user, challenge_id=path_id(request)
        )
    return render(request, "judging/vote_new.html", {"challenge": access.challenge}, filled=filled)


async def create_vote(request: Request) -> Response:
    """A public-vote round in preparation (the judging page then opens it)."""
    if request.method == "GET":
        return await _new_vote_page(request, Filled())
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=lambda values: validate(RoundCreate, {**values, "kind": RoundKind.PUBLIC_VOTE}),
        act=lambda session, data: service.create_round(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _round: path_for(request, "judging_admin", id=challenge_id),
        again=lambda filled: _new_vote_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route(
        "/challenges/{id:int}/votes/new", create_vote, methods=["GET", "POST"], name="create_vote"
    ),
    Route("/rounds/{id:int}/vote", vote, methods=["GET", "POST"], name="vote"),
    Route(mails.CONFIRM_PATH, confirm, methods=["GET", "POST"], name="confirm_vote"),
    Route("/rounds/{id:int}/votes", round_votes, name="round_votes"),
    Route("/rounds/{id:int}/votes/void", void_votes, methods=["POST"], name="void_votes"),
]
