"""What the pages that bring several domains together show, each read behind its permission
check of the domain the object belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import queries as challenges_queries
from app.challenges import views as challenges_views
from app.challenges.models import Challenge, Phase, PhaseKind
from app.challenges.views import ChallengeDetail
from app.db import utcnow
from app.i18n import gettext as _
from app.judging import queries as judging_queries
from app.judging import voting as judging_voting
from app.judging.models import Round
from app.sponsors import queries as sponsors_queries
from app.teams import queries as teams_queries
from app.teams import views as teams_views
from app.teams.models import ProjectStatus, Team
from app.teams.queries import TeamTodo
from app.teams.views import GalleryPage


@dataclass(frozen=True)
class ChallengePage:
    detail: ChallengeDetail
    my_teams: list[Team]
    gallery: GalleryPage
    # Public-vote rounds open now: the page invites everybody to vote.
    open_votes: list[Round] = field(default_factory=list)


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
        extra=sponsors_queries.adopter_columns,
    )
    return ChallengePage(
        detail=detail,
        my_teams=my_teams,
        gallery=gallery,
        open_votes=await judging_voting.open_votes(session, challenge_id),
    )


@dataclass(frozen=True)
class OrganisedChallenge:
    challenge: Challenge
    next_deadline: Phase | None
    teams: int
    submitted: int


@dataclass(frozen=True)
class TeamChecklist:
    """A team and what is missing before the submission deadline."""

    todo: TeamTodo
    deadline: datetime | None

    @property
    def steps(self) -> list[tuple[str, bool]]:
        todo = self.todo
        return [
            (_("The team has its members"), todo.members > 0),
            (_("Every minor has a guardian's consent"), todo.minors_without_consent == 0),
            (_("The project is written"), todo.project_id is not None),
            (_("A file is attached (slides, a PDF)"), todo.files > 0),
            (_("The project is submitted"), todo.project_status == ProjectStatus.SUBMITTED),
        ]

    @property
    def missing(self) -> int:
        return sum(not done for _label, done in self.steps)


@dataclass(frozen=True)
class SponsorWork:
    challenge_id: int
    challenge_title: str
    waiting: int
    accepted: int


@dataclass(frozen=True)
class JudgeWork:
    round: Round
    challenge_title: str
    left: int


@dataclass(frozen=True)
class PersonalHome:
    """What a logged-in person has to do now, in each of their roles."""

    now: datetime
    organised: list[OrganisedChallenge]
    teams: list[TeamChecklist]
    sponsoring: list[SponsorWork]
    judging: list[JudgeWork]

    @property
    def empty(self) -> bool:
        return not (self.organised or self.teams or self.sponsoring or self.judging)


async def personal_home(session: AsyncSession, *, user: User) -> PersonalHome:
    """The person's own work across challenges, in a fixed number of queries."""
    assert user.id is not None
    now = utcnow()
    organised = await challenges_queries.challenges_organised_by(
        session, user_id=user.id, is_admin=False
    )
    ids = [c.id for c in organised if c.id is not None]
    phases = await challenges_queries.phases_by_challenge(session, ids)
    counts = await teams_queries.counts_by_challenge(session, ids)
    todos = await teams_queries.teams_to_look_after(session, user_id=user.id)
    team_phases = await challenges_queries.phases_by_challenge(
        session, sorted({t.challenge_id for t in todos})
    )

    def next_end(phase_list: list[Phase], kind: PhaseKind | None = None) -> Phase | None:
        ahead = [p for p in phase_list if p.ends_at > now and (kind is None or p.kind == kind)]
        return min(ahead, key=lambda p: p.ends_at, default=None)

    checklists = []
    for todo in todos:
        submission = next_end(team_phases[todo.challenge_id], PhaseKind.SUBMISSION)
        checklists.append(TeamChecklist(todo, submission.ends_at if submission else None))
    return PersonalHome(
        now=now,
        organised=[
            OrganisedChallenge(c, next_end(phases[c.id or 0]), *counts[c.id or 0])
            for c in organised
        ],
        teams=checklists,
        sponsoring=[
            SponsorWork(*row)
            for row in await sponsors_queries.offers_of_representative(session, user_id=user.id)
        ],
        judging=[
            JudgeWork(*row)
            for row in await judging_queries.left_to_score(session, judge_id=user.id)
        ],
    )
