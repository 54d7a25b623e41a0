"""Work on editions and programmes that needs several domains in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import editions
from app.challenges.models import Challenge
from app.challenges.schemas import EditionInput
from app.judging import service as judging_service
from app.sponsors import service as sponsors_service


async def clone_edition(
    session: AsyncSession, *, user: User, challenge_id: int, data: EditionInput
) -> Challenge:
    """Next year's edition as a draft: the challenge's texts, rules, tracks and organisers,
    its phases a year later, its rubrics, and its sponsor companies with their
    representatives; no teams, rounds or scores. All or nothing."""
    assert user.id is not None
    new = await editions.clone_challenge(session, user=user, challenge_id=challenge_id, data=data)
    assert new.challenge.id is not None
    await judging_service.copy_rubrics(
        session, from_challenge_id=challenge_id, to_challenge_id=new.challenge.id
    )
    await sponsors_service.join_next_edition(
        session, from_challenge_id=challenge_id, to_challenge_id=new.challenge.id, actor_id=user.id
    )
    return new.challenge
