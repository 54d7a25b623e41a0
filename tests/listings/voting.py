"""Worlds for the query-count tests: the people's-choice vote."""

from __future__ import annotations

from app.accounts.models import User, new_nonce
from app.db import Database, utcnow
from app.judging.models import PublicVote, Round
from tests.factories import Actors, make_challenge
from tests.judging.voting_world import make_vote_round
from tests.listings import Visit
from tests.listings.rows import submitted_projects


async def ballot(db: Database, actors: Actors, n: int) -> Visit:
    """The voting page of an open public vote among n submitted projects."""
    challenge = await make_challenge(db)
    await submitted_projects(db, actors, challenge, n)
    judging_round = await make_vote_round(db, challenge)
    return Visit(actors.anonymous(), f"/rounds/{judging_round.id}/vote")


async def _voted(db: Database, actors: Actors, n: int) -> tuple[User, Round]:
    """n projects with a vote each, all from one network at once (so every vote is flagged)."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    projects = await submitted_projects(db, actors, challenge, n)
    judging_round = await make_vote_round(db, challenge)
    async with db.transaction() as session:
        session.add_all(
            PublicVote(
                round_id=judging_round.id or 0,
                email=f"voter{k}@example.org",
                project_id=project.id,
                nonce=new_nonce(),
                network="198.51.100.0/24",
                confirmed_at=utcnow(),
            )
            for k, project in enumerate(projects * 10)  # ten a project: a burst to flag
        )
    return organiser, judging_round


async def votes(db: Database, actors: Actors, n: int) -> Visit:
    organiser, judging_round = await _voted(db, actors, n)
    return Visit(await actors.client(organiser), f"/rounds/{judging_round.id}/votes")


async def votes_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, judging_round = await _voted(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/rounds/{judging_round.id}/votes")


async def live_count(db: Database, actors: Actors, n: int) -> Visit:
    """The live page of a people's vote: every project with its votes, ranked."""
    organiser, judging_round = await _voted(db, actors, n)
    return Visit(await actors.client(organiser), f"/rounds/{judging_round.id}/live")


async def screen_count(db: Database, actors: Actors, n: int) -> Visit:
    organiser, judging_round = await _voted(db, actors, n)
    return Visit(await actors.client(organiser), f"/rounds/{judging_round.id}/screen?top=50")
