"""JSON API of pairwise (expo) rounds: the judge's walk and votes; the organisers' ranking,
votes, voiding and CSV."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import require_user
from app.api import ApiRouter
from app.forms import read_upload
from app.judging import pairwise, pairwise_admin
from app.judging.pairwise_schemas import (
    ImportRead,
    PairwiseJudgeRow,
    PairwiseRankingRead,
    PairwiseRankingRow,
    ShownRead,
    SkipIn,
    VoidRead,
    VoteIn,
    VoteRead,
    WalkRead,
)
from app.web import path_id, services

router = ApiRouter("judging")


async def judge_of_path_round(request: Request, session: AsyncSession) -> None:
    await pairwise.judge_of(session, user=require_user(request), round_id=path_id(request))


async def organiser_of_path_round(request: Request, session: AsyncSession) -> None:
    await pairwise_admin.organised(session, user=require_user(request), round_id=path_id(request))


def _shown(shown: pairwise.Shown | None) -> ShownRead | None:
    if shown is None:
        return None
    assert shown.project.id is not None
    return ShownRead(
        project_id=shown.project.id, title=shown.project.title, team_name=shown.team.name
    )


async def _walk(request: Request) -> WalkRead:
    async with services(request).db.read() as session:
        found = await pairwise.walk(session, user=require_user(request), round_id=path_id(request))
    assert found.round.id is not None
    return WalkRead(
        round_id=found.round.id,
        round_name=found.round.name,
        status=found.round.status,
        started=found.started,
        previous=_shown(found.previous),
        current=_shown(found.current),
        votes=found.votes,
        can_undo=found.can_undo,
        done=found.done,
    )


@router.route(
    "GET",
    "/pairwise/{id:int}",
    summary="My walk in a pairwise round: the project seen last, the one to go to now (judges)",
    response=WalkRead,
    errors=(403, 404),
)
async def get_walk(request: Request) -> WalkRead:
    return await _walk(request)


@router.route(
    "POST",
    "/pairwise/{id:int}/start",
    summary="Start judging a pairwise round: I am sent to my first project (judges)",
    response=WalkRead,
    errors=(403, 404, 409),
)
async def start(request: Request) -> WalkRead:
    async with services(request).db.transaction() as session:
        await pairwise.start(session, user=require_user(request), round_id=path_id(request))
    return await _walk(request)


@router.route(
    "POST",
    "/pairwise/{id:int}/seen",
    summary="I have seen my first project: send me to the next, to compare them (judges)",
    response=WalkRead,
    errors=(403, 404, 409),
)
async def seen(request: Request) -> WalkRead:
    async with services(request).db.transaction() as session:
        await pairwise.seen(session, user=require_user(request), round_id=path_id(request))
    return await _walk(request)


@router.route(
    "POST",
    "/pairwise/{id:int}/votes",
    summary="Say which of the two projects I was sent to was better (judges); "
    "the same vote again is refused with 409",
    body=VoteIn,
    response=WalkRead,
    status=201,
    errors=(403, 404, 409, 422),
    guard=judge_of_path_round,
)
async def vote(request: Request, body: VoteIn) -> WalkRead:
    async with services(request).db.transaction() as session:
        await pairwise.vote(
            session,
            user=require_user(request),
            round_id=path_id(request),
            winner_id=body.winner_id,
            loser_id=body.loser_id,
        )
    return await _walk(request)


@router.route(
    "POST",
    "/pairwise/{id:int}/skip",
    summary="Skip the project I was sent to (absent, or I cannot judge it) (judges)",
    body=SkipIn,
    response=WalkRead,
    errors=(403, 404, 409, 422),
    guard=judge_of_path_round,
)
async def skip(request: Request, body: SkipIn) -> WalkRead:
    async with services(request).db.transaction() as session:
        await pairwise.skip(
            session, user=require_user(request), round_id=path_id(request), reason=body.reason
        )
    return await _walk(request)


@router.route(
    "POST",
    "/pairwise/{id:int}/undo",
    summary="Take back my last vote: I am shown the same two projects again (judges)",
    response=WalkRead,
    errors=(403, 404, 409),
)
async def undo(request: Request) -> WalkRead:
    async with services(request).db.transaction() as session:
        await pairwise.undo(session, user=require_user(request), round_id=path_id(request))
    return await _walk(request)


@router.route(
    "GET",
    "/pairwise/{id:int}/ranking",
    summary="The ranking refitted (Bradley-Terry) from every valid vote, and the judges' "
    "votes (organisers)",
    response=PairwiseRankingRead,
    errors=(403, 404),
)
async def ranking(request: Request) -> PairwiseRankingRead:
    async with services(request).db.read() as session:
        board = await pairwise_admin.board(
            session, user=require_user(request), round_id=path_id(request)
        )
    assert board.round.id is not None
    return PairwiseRankingRead(
        round_id=board.round.id,
        status=board.round.status,
        valid_votes=board.valid_votes,
        skips=board.skips,
        rows=[
            PairwiseRankingRow(
                rank=row.rank,
                project_id=row.project.id or 0,
                project_title=row.project.title,
                team_name=row.team.name,
                strength=row.strength,
                stderr=row.stderr,
                low=row.low,
                high=row.high,
                wins=row.wins,
                comparisons=row.comparisons,
                tied_with_better=row.tied_with_better,
            )
            for row in board.rows
        ],
        judges=[
            PairwiseJudgeRow(
                judge_id=j.judge.id or 0,
                name=j.judge.name,
                votes=j.votes,
                voided=j.voided,
                reliability=j.reliability,
            )
            for j in board.judges
        ],
    )


@router.route(
    "GET",
    "/pairwise/{id:int}/votes",
    summary="Every vote of a pairwise round, undone and voided ones too (organisers)",
    response=VoteRead,
    many=True,
    errors=(403, 404),
)
async def list_votes(request: Request) -> list[VoteRead]:
    async with services(request).db.read() as session:
        rows = await pairwise_admin.votes(
            session, user=require_user(request), round_id=path_id(request)
        )
    return [
        VoteRead(
            id=row.vote.id or 0,
            round_id=row.vote.round_id,
            judge_id=row.vote.judge_id,
            judge_name=row.judge_name,
            winner_id=row.vote.winner_id,
            winner_title=row.winner,
            loser_id=row.vote.loser_id,
            loser_title=row.loser,
            imported=row.vote.imported,
            created_at=row.vote.created_at,
            undone_at=row.vote.undone_at,
            voided_at=row.vote.voided_at,
        )
        for row in rows
    ]


@router.route(
    "POST",
    "/pairwise/{id:int}/judges/{judge_id:int}/void",
    summary="Void every vote a judge gave in the round; the ranking is refitted (organisers)",
    response=VoidRead,
    errors=(403, 404, 409),
)
async def void(request: Request) -> VoidRead:
    async with services(request).db.transaction() as session:
        voided = await pairwise_admin.void_judge(
            session,
            user=require_user(request),
            round_id=path_id(request),
            judge_id=path_id(request, "judge_id"),
        )
    return VoidRead(voided=voided)


def csv_response(text: str, round_id: int) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="pairwise-votes-{round_id}.csv"',
            "cache-control": "private, no-store",
        },
    )


@router.route(
    "GET",
    "/pairwise/{id:int}/votes.csv",
    summary="The valid votes as CSV: judge,winner,loser,timestamp (names; UTC) (organisers)",
    errors=(403, 404),
    produces=("text/csv",),
)
async def export_votes(request: Request) -> Response:
    async with services(request).db.read() as session:
        text = await pairwise_admin.export_csv(
            session, user=require_user(request), round_id=path_id(request)
        )
    return csv_response(text, path_id(request))


@router.route(
    "POST",
    "/pairwise/{id:int}/votes.csv",
    summary="Import votes from CSV (multipart/form-data, field 'file'): judge,winner,loser,"
    "timestamp, judges by id, name or e-mail, projects by id or title; every bad line is "
    "reported and nothing is written (organisers)",
    response=ImportRead,
    errors=(403, 404, 409, 413, 415, 422),
    files=("file",),
    guard=organiser_of_path_round,
)
async def import_votes(request: Request) -> ImportRead:
    upload = await read_upload(request, csrf=False)
    async with services(request).db.transaction() as session:
        report = await pairwise_admin.import_csv(
            session,
            user=require_user(request),
            round_id=path_id(request),
            data=upload.data,
            limit=services(request).settings.max_upload_bytes,
        )
    return ImportRead(imported=report.imported, already_there=report.already_there)
