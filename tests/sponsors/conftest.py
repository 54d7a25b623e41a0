"""A challenge with a submitted project and a sponsor ready to adopt it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import Database
from app.events.models import AuditEntry, OutboxEvent
from app.sponsors.models import Sponsor
from app.teams.models import Project, Team
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team


@dataclass
class Scene:
    organiser: User
    challenge: Challenge
    coach: User
    team: Team
    project: Project
    rep: User
    sponsor: Sponsor

    @property
    def cid(self) -> int:
        assert self.challenge.id is not None
        return self.challenge.id

    @property
    def pid(self) -> int:
        assert self.project.id is not None
        return self.project.id


@pytest.fixture
async def scene(db: Database, actors: Actors) -> Scene:
    return await make_scene(db, actors)


async def make_scene(db: Database, actors: Actors) -> Scene:
    """The scene, for the tests of other domains (certificates) that start from it."""
    organiser = await actors.user("Olga Organiser")
    challenge = await make_challenge(db, organiser=organiser)
    coach = await actors.user("Carla Coach")
    team = await make_team(db, challenge, coach=coach, name="4B Aqua")
    project = await make_project(db, team, title="Rain sensors")
    rep = await actors.user("Riccardo Rep")
    sponsor = await make_sponsor(db, challenge, representative=rep, name="Acme S.p.A.")
    return Scene(organiser, challenge, coach, team, project, rep, sponsor)


async def events(db: Database, kind: str) -> list[dict[str, Any]]:
    async with db.read() as session:
        result = await session.execute(select(OutboxEvent).where(OutboxEvent.type == kind))
        return [event.payload for event in result.scalars()]


async def actions(db: Database) -> list[str]:
    async with db.read() as session:
        return list((await session.execute(select(AuditEntry.action))).scalars())
