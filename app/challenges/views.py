"""What the challenge pages and the API show, each read behind its permission check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions, queries
from app.challenges.models import Challenge, Phase, PhaseKind, Programme, Track
from app.challenges.permissions import ChallengeAccess
from app.db import utcnow


@dataclass(frozen=True)
class ChallengeDetail:
    """A challenge the person may see, with its phases, tracks and programme."""

    access: ChallengeAccess
    phases: list[Phase]
    tracks: list[Track]
    programme: Programme | None
    now: datetime

    @property
    def challenge(self) -> Challenge:
        return self.access.challenge

    @property
    def current(self) -> Phase | None:
        return queries.current_phase(self.phases, self.now)

    @property
    def label(self) -> str:
        return queries.phase_label(self.phases, self.now)

    @property
    def is_finished(self) -> bool:
        """Every phase has ended: the challenge may be archived."""
        return bool(self.phases) and all(p.ends_at <= self.now for p in self.phases)

    @property
    def registration_open(self) -> bool:
        return queries.is_open(self.phases, PhaseKind.REGISTRATION, self.now)

    @property
    def can_register(self) -> bool:
        return permissions.can_register_team(
            self.access.actor, registration_open=self.registration_open
        )


async def challenge_detail(
    session: AsyncSession, *, user: User | None, challenge_id: int, now: datetime | None = None
) -> ChallengeDetail:
    access = await permissions.viewable(session, user=user, challenge_id=challenge_id)
    challenge = access.challenge
    programme = (
        await queries.get_programme(session, challenge.programme_id)
        if challenge.programme_id
        else None
    )
    return ChallengeDetail(
        access=access,
        phases=await queries.phases(session, challenge_id),
        tracks=await queries.tracks(session, challenge_id),
        programme=programme,
        now=now or utcnow(),
    )
