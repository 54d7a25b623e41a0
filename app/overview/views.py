"""What the pages that bring several domains together show, each read behind its permission
check of the domain the object belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import views as challenges_views
from app.challenges.views import ChallengeDetail
from app.teams import queries as teams_queries
from app.teams import views as teams_views
from app.teams.models import Team
from app.teams.views import GalleryPage


@dataclass(frozen=True)
class ChallengePage:
    detail: ChallengeDetail
    my_teams: list[Team]
    gallery: GalleryPage


async def challenge_page(
    session: AsyncSession,
    *,
    user: User | None,
    challenge_id: int,
    track: str | None = None,
    page: str | None = None,
) -> ChallengePage:
    """The challenge page: the challenge, the person's teams in it and one page of the
    gallery of submitted projects."""
    detail = await challenges_views.challenge_detail(session, user=user, challenge_id=challenge_id)
    my_teams = (
        await teams_queries.teams_of_user(session, user_id=user.id, challenge_id=challenge_id)
        if user is not None and user.id is not None
        else []
    )
    gallery = await teams_views.gallery_page(
        session,
        challenge_id=challenge_id,
        track_ids={t.id for t in detail.tracks if t.id is not None},
        track=track,
        page=page,
    )
    return ChallengePage(detail=detail, my_teams=my_teams, gallery=gallery)
