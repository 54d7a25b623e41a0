"""Live results: what the organisers' live page, the big screen and their stream show, and to
whom. The stream over a real server, pushed by a judge's submission through the worker, is
in test_live_stream.py."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlmodel import col

from app.accounts.models import RoleKind
from app.config import Settings
from app.db import Database, utcnow
from app.events.models import OutboxEvent
from app.judging import live, scoring
from app.judging.models import Assignment, Criterion, Round, RoundKind
from app.judging.schemas import ScoresIn
from tests.factories import Actors, make_pairwise_round, make_round, unpublish
from tests.judging.conftest import Jury
from tests.judging.test_pairwise_api import _two_seen, _vote_for_current
from tests.queries import sql_statements

EN = {"lang": "en"}


async def _score(db: Database, jury: Jury, judging_round: Round, sheets: int) -> None:
    """Judge 0 submits `sheets` sheets (all 4s), in project order."""
    async with db.read() as session:
        criteria = (
            (
                await session.execute(
                    select(Criterion.id).where(Criterion.rubric_id == judging_round.rubric_id)
                )
            )
            .scalars()
            .all()
        )
        mine = (
            (
                await session.execute(
                    select(Assignment)
                    .where(
                        Assignment.judge_id == jury.judges[0].id,
                        Assignment.round_id == judging_round.id,
                    )
                    .order_by(Assignment.project_id)
                )
            )
            .scalars()
            .all()
        )
    for assignment in mine[:sheets]:
        async with db.transaction() as session:
            await scoring.save_scores(
                session,
                user=jury.judges[0],
                assignment_id=assignment.id or 0,
                data=ScoresIn(scores={c: 4 for c in criteria if c is not None}),
            )


async def _round(db: Database, jury: Jury) -> Round:
    return await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)


async def test_snapshot_counts_sheets_by_judge_and_project_and_ranks_the_scored(
    db: Database, jury: Jury
) -> None:
    judging_round = await _round(db, jury)
    await _score(db, jury, judging_round, sheets=2)
    async with db.transaction() as session:  # judge 2 steps back from project 2
        recused = (
            await session.execute(
                select(Assignment).where(
                    Assignment.judge_id == jury.judges[2].id,
                    Assignment.project_id == jury.projects[2].id,
                )
            )
        ).scalar_one()
        recused.recused_at = utcnow()

    snapshot = await live.snapshot(db, user=jury.organiser, round_id=judging_round.id or 0)

    assert (snapshot.total.submitted, snapshot.total.expected) == (2, 8)
    assert [(t.label, t.submitted, t.expected) for t in snapshot.judges] == [
        ("Judge 1", 0, 3),
        ("Judge 2", 0, 2),
        ("Judge 0", 2, 3),
    ]
    assert [(t.label, t.submitted, t.expected) for t in snapshot.projects] == [
        ("Project 2", 0, 2),
        ("Project 0", 1, 3),
        ("Project 1", 1, 3),
    ]
    assert snapshot.leaderboard is not None
    assert snapshot.leaderboard.method == str(judging_round.aggregation)
    assert [(r.rank, r.title, r.score, r.evidence) for r in snapshot.leaderboard.rows] == [
        (1, "Project 0", pytest.approx(4.0), 1),
        (1, "Project 1", pytest.approx(4.0), 1),
    ]


async def test_round_of_a_kind_without_leaderboard_shows_progress_only(
    db: Database, jury: Jury
) -> None:
    judging_round = await _round(db, jury)
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.kind = RoundKind.PUBLIC_VOTE
    saved = live.LEADERBOARDS.pop(RoundKind.PUBLIC_VOTE, None)
    try:
        snapshot = await live.snapshot(db, user=jury.organiser, round_id=judging_round.id or 0)
    finally:
        if saved is not None:
            live.LEADERBOARDS[RoundKind.PUBLIC_VOTE] = saved

    assert snapshot.leaderboard is None
    assert (snapshot.total.submitted, snapshot.total.expected) == (0, 9)


async def test_live_page_works_without_javascript(db: Database, actors: Actors, jury: Jury) -> None:
    judging_round = await _round(db, jury)
    await _score(db, jury, judging_round, sheets=1)

    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/rounds/{judging_round.id}/live", params=EN)

    assert page.status_code == 200
    html = page.text
    assert "1 of 9 score sheets submitted" in html
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert f'href="/rounds/{judging_round.id}/live"' in html  # the refresh link
    assert f'data-live-stream="/rounds/{judging_round.id}/live/stream"' in html
    assert "/static/live." in html and "<script>" not in html  # CSP: no inline code
    assert html.index("Project 0") < html.index("Judge 0")  # the leaderboard comes first


async def test_screen_shows_the_first_places_large_with_scores_hidden_on_request(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await _round(db, jury)
    await _score(db, jury, judging_round, sheets=3)
    path = f"/rounds/{judging_round.id}/screen"

    async with await actors.client(jury.organiser) as http:
        shown = await http.get(path, params={**EN, "top": "2"})
        hidden = await http.get(path, params={**EN, "top": "999", "scores": "hidden"})
        junk = await http.get(path, params={**EN, "top": "two"})

    assert shown.status_code == hidden.status_code == junk.status_code == 200
    assert 'class="screen"' in shown.text and "screen-score" in shown.text
    # Three projects tied at 4.00 share the first place: all are shown, not cut at two.
    assert shown.text.count('class="screen-row"') == 3
    assert "screen-score" not in hidden.text
    assert (
        f'data-live-stream="/rounds/{judging_round.id}/live/stream?view=screen&amp;top=50'
        "&amp;scores=hidden" in hidden.text
    )
    assert "top=10" in junk.text


async def test_stream_without_event_stream_accept_answers_the_board_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await _round(db, jury)
    await _score(db, jury, judging_round, sheets=2)

    async with await actors.client(jury.organiser) as http:
        once = await http.get(f"/rounds/{judging_round.id}/live/stream", params=EN)
        screen = await http.get(
            f"/rounds/{judging_round.id}/live/stream",
            params={**EN, "view": "screen", "scores": "hidden"},
        )
        # A HEAD holds no stream open, whatever it accepts.
        head = await http.head(
            f"/rounds/{judging_round.id}/live/stream", headers={"accept": "text/event-stream"}
        )

    assert once.status_code == 200
    assert once.headers["content-type"].startswith("text/event-stream")
    assert once.headers["cache-control"] == "no-store"
    assert once.text.startswith("event: update\r\ndata: ")
    assert "2 of 9 score sheets submitted" in once.text
    assert "screen-row" in screen.text and "screen-score" not in screen.text
    assert head.status_code == 200


async def test_only_organisers_and_admins_open_the_pages_and_the_stream(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await _round(db, jury)
    admin = await actors.user(is_admin=True)
    coorganiser = await actors.user()
    await actors.grant(coorganiser, jury.cid, RoleKind.ORGANISER)
    paths = [f"/rounds/{judging_round.id}/{p}" for p in ("live", "screen", "live/stream")]

    async def statuses(http_factory: object) -> list[int]:
        async with await actors.client(http_factory) as http:  # type: ignore[arg-type]
            return [(await http.get(p)).status_code for p in paths]

    async with actors.anonymous() as http:
        anonymous = [(await http.get(p)).status_code for p in paths]
    judge = await statuses(jury.judges[0])
    coach = await statuses(jury.coaches[0])
    organisers = await statuses(jury.organiser) + await statuses(coorganiser)
    admins = await statuses(admin)
    await unpublish(db, jury.challenge)
    judge_of_draft = await statuses(jury.judges[0])

    assert anonymous == [303, 303, 303]
    assert judge == coach == [403, 403, 403]
    assert organisers == admins + admins == [200] * 6
    assert judge_of_draft == [404, 404, 404]


async def test_stream_past_the_bound_on_open_streams_is_refused_with_503(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await _round(db, jury)
    before = live.slots.open
    live.slots.open = 100  # the settings' bound (LIVE_STREAMS), all taken
    try:
        async with await actors.client(jury.organiser) as http:
            refused = await http.get(
                f"/rounds/{judging_round.id}/live/stream",
                params=EN,
                headers={"accept": "text/event-stream"},
            )
    finally:
        live.slots.open = before

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "60"
    assert "Too many live screens" in refused.text


async def test_live_page_statements_do_not_grow_with_projects_and_judges(
    db: Database, actors: Actors, jury: Jury
) -> None:
    small = await make_round(db, jury.challenge, judges=jury.judges[:1], projects=jury.projects[:1])
    big = await _round(db, jury)
    await _score(db, jury, small, sheets=1)
    await _score(db, jury, big, sheets=3)

    async with await actors.client(jury.organiser) as http:
        with sql_statements(db) as one:
            assert (await http.get(f"/rounds/{small.id}/live")).status_code == 200
        with sql_statements(db) as many:
            assert (await http.get(f"/rounds/{big.id}/live")).status_code == 200

    assert len(many) == len(one)


async def test_screens_hearing_one_change_share_one_board(db: Database, jury: Jury) -> None:
    judging_round = await _round(db, jury)
    loop = asyncio.get_running_loop()
    heard = loop.time()
    round_id = judging_round.id or 0

    first = await live.snapshot(db, user=jury.organiser, round_id=round_id, heard_at=heard)
    with sql_statements(db) as second_sent:
        second = await live.snapshot(db, user=jury.organiser, round_id=round_id, heard_at=heard)
    await _score(db, jury, judging_round, sheets=1)
    after_change = await live.snapshot(
        db, user=jury.organiser, round_id=round_id, heard_at=loop.time()
    )

    assert second.board is first.board
    assert not any("FROM assignment" in sql for sql in second_sent)  # only the viewer's rights
    assert after_change.board is not first.board
    assert after_change.total.submitted == 1


async def test_without_redis_a_stream_refreshes_at_every_heartbeat(settings: Settings) -> None:
    async with live.subscribed(None, settings, challenge_id=1, round_id=1) as changes:
        heard = await changes.changed(0.01)

    assert heard is True


async def test_a_pairwise_round_shows_its_refit_and_every_vote_tells_the_screens(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        voted = await _vote_for_current(http, rid, walk)
        undone = await http.post(f"/api/v1/pairwise/{rid}/undo")
        walk = (await http.get(f"/api/v1/pairwise/{rid}")).json()
        again = await _vote_for_current(http, rid, walk)
    snapshot = await live.snapshot(db, user=jury.organiser, round_id=rid)
    async with db.read() as session:
        told = await session.execute(
            select(OutboxEvent.payload).where(col(OutboxEvent.type) == "PairwiseVotesChanged")
        )
        payloads = list(told.scalars())

    assert (voted.status_code, undone.status_code, again.status_code) == (201, 200, 201)
    assert len(payloads) == 3  # the vote, the undo, the vote again
    assert snapshot.leaderboard is not None
    assert snapshot.leaderboard.method == live.PAIRWISE_METHOD
    first, second = snapshot.leaderboard.rows
    assert first.project_id == walk["current"]["project_id"]
    assert second.project_id == walk["previous"]["project_id"]
    assert first.score > second.score and first.evidence == second.evidence == 1
