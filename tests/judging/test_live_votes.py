"""The people's-choice count on the organisers' live page and the big screen: votes that
count (confirmed, not voided) per project, ranked; every counted or voided vote tells the
screens (PublicVotesChanged). The stream over a real server is in test_live_stream.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from app.accounts.models import User
from app.db import Database
from app.events.models import OutboxEvent
from app.judging import live, service, voting
from app.judging.models import PublicVote, Round, RoundKind
from app.judging.schemas import RoundCreate
from tests.factories import Actors
from tests.judging.conftest import Jury

EN = {"lang": "en"}


async def open_vote(db: Database, jury: Jury) -> Round:
    async with db.transaction() as session:
        made = await service.create_round(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            data=RoundCreate(name="Voto del pubblico", kind=RoundKind.PUBLIC_VOTE),
        )
        assert made.id is not None
    async with db.transaction() as session:
        return await service.open_round(session, user=jury.organiser, round_id=made.id)


async def vote_as(db: Database, voter: User, judging_round: Round, project_id: int | None) -> None:
    """A voter with a confirmed address: the vote counts at once."""
    async with db.transaction() as session:
        await voting.cast_vote(
            session,
            user=voter,
            round_id=judging_round.id or 0,
            project_id=project_id or 0,
            email=None,
            address="10.1.2.3",
            locale="en",
        )


async def _votes(db: Database, jury: Jury, actors: Actors, judging_round: Round) -> list[User]:
    """Project 1: three votes; project 0 and project 2: one each."""
    voters = [await actors.user(f"Voter {n}") for n in range(5)]
    for voter, n in zip(voters, (1, 1, 1, 0, 2), strict=True):
        await vote_as(db, voter, judging_round, jury.projects[n].id)
    return voters


async def test_the_live_board_ranks_the_votes_that_count(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await open_vote(db, jury)
    rid = judging_round.id or 0
    await _votes(db, jury, actors, judging_round)
    async with actors.anonymous() as http:  # a vote waiting for its link counts nothing yet
        await http.get(f"/rounds/{rid}/vote")
    before = await live.snapshot(db, user=jury.organiser, round_id=rid)
    async with db.read() as session:
        ballot_ids = (
            await session.execute(
                select(PublicVote.id)
                .where(PublicVote.project_id == jury.projects[1].id)
                .order_by(col(PublicVote.id))
            )
        ).scalars()
        two = [vid for vid in ballot_ids if vid is not None][:2]
    async with db.transaction() as session:
        await voting.void_votes(
            session, user=jury.organiser, round_id=rid, vote_ids=two, reason="same network"
        )
    after = await live.snapshot(db, user=jury.organiser, round_id=rid)
    async with db.read() as session:
        told = await session.execute(
            select(OutboxEvent.payload).where(col(OutboxEvent.type) == "PublicVotesChanged")
        )
        payloads = list(told.scalars())

    assert before.leaderboard is not None and before.leaderboard.method == live.VOTES_METHOD
    assert [(r.rank, r.title, r.evidence) for r in before.leaderboard.rows] == [
        (1, "Project 1", 3),
        (2, "Project 0", 1),
        (2, "Project 2", 1),
    ]
    assert after.leaderboard is not None
    # Two of project 1's ballots voided: three projects with one vote share the first place.
    assert [(r.rank, r.title, r.evidence) for r in after.leaderboard.rows] == [
        (1, "Project 0", 1),
        (1, "Project 1", 1),
        (1, "Project 2", 1),
    ]
    assert len(payloads) == 6  # five votes counted, one void
    assert all(p["round_id"] == rid for p in payloads)


async def test_the_live_page_and_the_screen_show_the_count_without_javascript(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await open_vote(db, jury)
    rid = judging_round.id or 0
    async with await actors.client(jury.organiser) as http:
        empty = await http.get(f"/rounds/{rid}/live", params=EN)
        await _votes(db, jury, actors, judging_round)
        page = await http.get(f"/rounds/{rid}/live", params=EN)
        screen = await http.get(f"/rounds/{rid}/screen", params={**EN, "top": "1"})
        italian = await http.get(f"/rounds/{rid}/screen", params={"lang": "it"})

    assert empty.status_code == page.status_code == screen.status_code == 200
    assert "No vote counted yet." in empty.text and "0 votes counted" in empty.text
    html = page.text
    assert "5 votes counted" in html
    assert "score sheets" not in html  # a people's vote has no sheets to count
    assert '<noscript><meta http-equiv="refresh"' in html
    row = 'Project 1<br><span class="muted">Team 1</span></th>\n            <td>3</td>'
    assert row in html
    assert html.index("Project 1") < html.index("Project 0") < html.index("Project 2")
    assert screen.text.count('class="screen-row"') == 1
    assert "Project 1" in screen.text and "3 votes" in screen.text
    assert "5 votes counted" in screen.text
    assert "5 voti validi" in italian.text and "3 voti" in italian.text
