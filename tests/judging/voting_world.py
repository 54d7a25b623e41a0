"""A challenge with submitted projects and an open public-vote round, made through the
services, and the helpers the vote's tests share."""

from __future__ import annotations

from dataclasses import dataclass

from httpx import ASGITransport, AsyncClient
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import Database, utcnow
from app.judging import service
from app.judging.models import PublicVote, Round, RoundKind, RoundStatus
from app.judging.schemas import RoundCreate
from app.teams.models import Project
from tests.factories import Actors, make_challenge, make_project, make_team


@dataclass
class VoteWorld:
    organiser: User
    challenge: Challenge
    projects: list[Project]
    round: Round

    @property
    def rid(self) -> int:
        assert self.round.id is not None
        return self.round.id

    def pid(self, n: int) -> int:
        project_id = self.projects[n].id
        assert project_id is not None
        return project_id


async def vote_world(db: Database, actors: Actors, *, open_it: bool = True) -> VoteWorld:
    organiser = await actors.user("Olga Organiser")
    challenge = await make_challenge(db, organiser=organiser)
    projects = []
    for n in range(3):
        team = await make_team(db, challenge, coach=await actors.user(), name=f"Squadra {n}")
        projects.append(await make_project(db, team, title=f"Progetto {n}"))
    assert challenge.id is not None
    async with db.transaction() as session:
        judging_round = await service.create_round(
            session,
            user=organiser,
            challenge_id=challenge.id,
            data=RoundCreate(name="Voto del pubblico", kind=RoundKind.PUBLIC_VOTE),
        )
    if open_it:
        async with db.transaction() as session:
            assert judging_round.id is not None
            judging_round = await service.open_round(
                session, user=organiser, round_id=judging_round.id
            )
    return VoteWorld(organiser, challenge, projects, judging_round)


def visitor(app: Starlette, ip: str = "127.0.0.1") -> AsyncClient:
    """A browser without an account, from the address `ip`."""
    return AsyncClient(
        transport=ASGITransport(app=app, client=(ip, 40000)), base_url="http://testserver"
    )


async def ballots(db: Database, round_id: int) -> list[PublicVote]:
    async with db.read() as session:
        found = await session.execute(
            select(PublicVote)
            .where(col(PublicVote.round_id) == round_id)
            .order_by(col(PublicVote.id))
        )
        return list(found.scalars())


async def make_vote_round(
    db: Database, challenge: Challenge, *, status: RoundStatus = RoundStatus.OPEN
) -> Round:
    """A public-vote round of the challenge, inserted directly (open unless `status`)."""
    assert challenge.id is not None
    async with db.transaction() as session:
        judging_round = Round(
            challenge_id=challenge.id,
            kind=RoundKind.PUBLIC_VOTE,
            name="Premio del pubblico",
            status=status,
            opened_at=utcnow() if status != RoundStatus.DRAFT else None,
        )
        session.add(judging_round)
    return judging_round
