"""A challenge with submitted projects, judges and an organiser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import RoleKind, User
from app.challenges.models import Challenge
from app.db import Database
from app.events.models import OutboxEvent
from app.judging import service
from app.judging.models import Round, Rubric
from app.judging.schemas import CriterionIn, RoundCreate, RubricCreate
from app.teams.models import Project
from tests.factories import Actors, make_challenge, make_project, make_team


@dataclass
class Jury:
    organiser: User
    challenge: Challenge
    coaches: list[User]
    projects: list[Project]
    judges: list[User]

    @property
    def cid(self) -> int:
        assert self.challenge.id is not None
        return self.challenge.id


@pytest.fixture
async def jury(db: Database, actors: Actors) -> Jury:
    organiser = await actors.user("Olga Organiser")
    challenge = await make_challenge(db, organiser=organiser)
    coaches, projects = [], []
    for n in range(3):
        coach = await actors.user(f"Coach {n}")
        team = await make_team(db, challenge, coach=coach, name=f"Team {n}")
        projects.append(await make_project(db, team, title=f"Project {n}"))
        coaches.append(coach)
    judges = [await actors.user(f"Judge {n}") for n in range(3)]
    for judge in judges:
        await actors.grant(judge, challenge.id or 0, RoleKind.JUDGE)
    return Jury(organiser, challenge, coaches, projects, judges)


RUBRIC = RubricCreate(
    name="Climathon",
    scale_min=1,
    scale_max=5,
    criteria=[
        CriterionIn(name="Innovation", weight=30, guidance="New?"),
        CriterionIn(name="Feasibility", weight=30),
        CriterionIn(name="Impact", weight=40),
    ],
)


async def draft_round(db: Database, jury: Jury, *, k: int = 2) -> tuple[Rubric, Round]:
    """A rubric and a round in preparation, made through the services."""
    async with db.transaction() as session:
        rubric = await service.create_rubric(
            session, user=jury.organiser, challenge_id=jury.cid, data=RUBRIC
        )
        assert rubric.id is not None
        judging_round = await service.create_round(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            data=RoundCreate(name="Finale", rubric_id=rubric.id, judges_per_project=k),
        )
    return rubric, judging_round


async def events(db: Database, kind: str) -> list[dict[str, Any]]:
    async with db.read() as session:
        result = await session.execute(select(OutboxEvent).where(OutboxEvent.type == kind))
        return [event.payload for event in result.scalars()]
