"""Pages of pairwise (expo) rounds: the judge's walk on a phone, and the organisers' board
(ranking, votes, voiding, CSV)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.accounts.models import User
from app.errors import FIXABLE_ON_A_FORM, form_errors
from app.forms import Filled, no_fields, read_upload, schema, submit
from app.judging import pairwise, pairwise_admin
from app.judging.pairwise_api import csv_response
from app.judging.pairwise_schemas import SkipIn, VoidIn, VoteIn
from app.templating import render
from app.web import path_for, path_id, services

Data = TypeVar("Data")


async def _walk_page(request: Request, filled: Filled) -> Response:
    async with services(request).db.read() as session:
        found = await pairwise.walk(session, user=require_user(request), round_id=path_id(request))
    context: dict[str, Any] = {"walk": found, "alert": None}
    if filled.errors:
        context["alert"] = " ".join(filled.errors.values())
    return render(request, "judging/pairwise_walk.html", context, status_code=filled.status_code)


async def walk(request: Request) -> Response:
    return await _walk_page(request, Filled())


async def _judge_submit(
    request: Request,
    parse: Callable[[dict[str, str]], Data],
    act: Callable[[AsyncSession, User, int, Data], Awaitable[object]],
) -> Response:
    """A judge's button: the judge's walk again after it, or with the refusal above it."""
    user = require_user(request)
    round_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: pairwise.judge_of(session, user=user, round_id=round_id),
        parse=parse,
        act=lambda session, data: act(session, user, round_id, data),
        done=lambda _result: path_for(request, "pairwise_walk", id=round_id),
        again=lambda filled: _walk_page(request, filled),
    )


async def start(request: Request) -> Response:
    return await _judge_submit(
        request, no_fields, lambda s, user, rid, _d: pairwise.start(s, user=user, round_id=rid)
    )


async def seen(request: Request) -> Response:
    return await _judge_submit(
        request, no_fields, lambda s, user, rid, _d: pairwise.seen(s, user=user, round_id=rid)
    )


async def undo(request: Request) -> Response:
    return await _judge_submit(
        request, no_fields, lambda s, user, rid, _d: pairwise.undo(s, user=user, round_id=rid)
    )


async def vote(request: Request) -> Response:
    def act(s: AsyncSession, user: User, rid: int, data: VoteIn) -> Awaitable[object]:
        return pairwise.vote(
            s, user=user, round_id=rid, winner_id=data.winner_id, loser_id=data.loser_id
        )

    return await _judge_submit(request, schema(VoteIn), act)


async def skip(request: Request) -> Response:
    def act(s: AsyncSession, user: User, rid: int, data: SkipIn) -> Awaitable[object]:
        return pairwise.skip(s, user=user, round_id=rid, reason=data.reason)

    return await _judge_submit(request, schema(SkipIn), act)


async def _board_page(request: Request, filled: Filled) -> Response:
    async with services(request).db.read() as session:
        found = await pairwise_admin.board(
            session, user=require_user(request), round_id=path_id(request)
        )
    alert = filled.errors.get("__all__") or filled.errors.get("judge_id")
    context = {"board": found, "alert": alert}
    return render(request, "judging/pairwise_board.html", context, filled=filled)


async def board(request: Request) -> Response:
    return await _board_page(request, Filled())


async def void(request: Request) -> Response:
    user = require_user(request)
    round_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: pairwise_admin.organised(session, user=user, round_id=round_id),
        parse=schema(VoidIn),
        act=lambda session, data: pairwise_admin.void_judge(
            session, user=user, round_id=round_id, judge_id=data.judge_id
        ),
        done=lambda voided: path_for(request, "pairwise_board", id=round_id) + f"?voided={voided}",
        again=lambda filled: _board_page(request, filled),
    )


async def export(request: Request) -> Response:
    async with services(request).db.read() as session:
        text = await pairwise_admin.export_csv(
            session, user=require_user(request), round_id=path_id(request)
        )
    return csv_response(text, path_id(request))


async def import_votes(request: Request) -> Response:
    user = require_user(request)
    round_id = path_id(request)
    found = services(request)
    try:
        # Before the body is parsed: an upload that may not be made is never spooled.
        async with found.db.read() as session:
            await pairwise_admin.organised(session, user=user, round_id=round_id)
        upload = await read_upload(request, csrf=True)
        async with found.db.transaction() as session:
            report = await pairwise_admin.import_csv(
                session,
                user=user,
                round_id=round_id,
                data=upload.data,
                limit=found.settings.max_upload_bytes,
            )
    except FIXABLE_ON_A_FORM as exc:
        return await _board_page(request, Filled({}, form_errors(exc), exc.status_code))
    target = path_for(request, "pairwise_board", id=round_id)
    query = f"?imported={report.imported}&already={report.already_there}"
    return RedirectResponse(target + query, status_code=303)


routes: list[BaseRoute] = [
    Route("/pairwise/{id:int}", walk, name="pairwise_walk"),
    Route("/pairwise/{id:int}/start", start, methods=["POST"], name="pairwise_start"),
    Route("/pairwise/{id:int}/seen", seen, methods=["POST"], name="pairwise_seen"),
    Route("/pairwise/{id:int}/vote", vote, methods=["POST"], name="pairwise_vote"),
    Route("/pairwise/{id:int}/skip", skip, methods=["POST"], name="pairwise_skip"),
    Route("/pairwise/{id:int}/undo", undo, methods=["POST"], name="pairwise_undo"),
    Route("/pairwise/{id:int}/board", board, name="pairwise_board"),
    Route("/pairwise/{id:int}/void", void, methods=["POST"], name="pairwise_void"),
    Route("/pairwise/{id:int}/votes.csv", export, name="pairwise_export"),
    Route("/pairwise/{id:int}/import", import_votes, methods=["POST"], name="pairwise_import"),
]
