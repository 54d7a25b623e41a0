"""What the editions pages show."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenge_queries
from app.challenges.models import Challenge, Institution
from app.judging import queries as judging_queries
from app.sponsors import queries as sponsor_queries
from app.sponsors.models import AdoptionStatus
from app.teams import promotion
from app.teams import queries as team_queries
from app.teams.models import Project, Team


@dataclass(frozen=True)
class Candidate:
    """A team that handed in a project, with what helps choose who moves on."""

    team: Team
    project: Project
    institution: Institution | None
    awards: list[str]
    adopted_by: list[str]
    moved_on: bool  # already promoted to the chosen stage


@dataclass(frozen=True)
class PromotionPage:
    challenge: Challenge
    stages: list[Challenge]  # later stages the person organises
    target: Challenge | None
    candidates: list[Candidate]


async def promotion_page(
    session: AsyncSession, *, user: User, challenge_id: int, to_challenge_id: int | None
) -> PromotionPage:
    """The teams of the challenge that handed in a project, and the later stages of its
    programme the person organises (the first, unless one is chosen)."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    challenge = access.challenge
    later = await promotion.stages_after(session, challenge)
    assert user.id is not None
    mine = (
        {c.id for c in later}
        if user.is_admin
        else await challenge_queries.organised_among(
            session, user_id=user.id, challenge_ids=[c.id for c in later if c.id]
        )
    )
    stages = [c for c in later if c.id in mine]
    target = next((c for c in stages if c.id == to_challenge_id), stages[0] if stages else None)
    projects = await team_queries.submitted_projects_in(session, challenge_id)
    teams = await team_queries.teams_by_ids(session, [p.team_id for p in projects])
    institutions = await challenge_queries.institutions_by_ids(
        session, [t.institution_id for t in teams.values()]
    )
    awards: dict[int, list[str]] = {}
    for award in await judging_queries.awards(session, challenge_id):
        awards.setdefault(award.project_id, []).append(award.name)
    adopted: dict[int, list[str]] = {}
    for row in await sponsor_queries.challenge_adoptions(session, challenge_id):
        if row.adoption.status == AdoptionStatus.ACCEPTED:
            adopted.setdefault(row.adoption.project_id, []).append(row.sponsor.name)
    moved = (
        await team_queries.promoted_from(session, challenge_id=target.id, team_ids=list(teams))
        if target and target.id
        else {}
    )
    candidates = [
        Candidate(
            team=teams[p.team_id],
            project=p,
            institution=institutions.get(teams[p.team_id].institution_id or 0),
            awards=awards.get(p.id or 0, []),
            adopted_by=adopted.get(p.id or 0, []),
            moved_on=p.team_id in moved,
        )
        for p in projects
        if p.team_id in teams
    ]
    candidates.sort(key=lambda c: (not c.awards, not c.adopted_by, c.team.name.casefold()))
    return PromotionPage(challenge=challenge, stages=stages, target=target, candidates=candidates)
