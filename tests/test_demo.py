from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from starlette.applications import Starlette

from app import demo
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge, Institution, Phase, Programme, Track
from app.config import ROOT
from app.db import Database, utcnow
from app.invitations.models import Invitation, InvitationStatus
from app.judging import live
from app.judging.models import (
    Assignment,
    Criterion,
    PairwiseJudge,
    PairwiseVote,
    PublicVote,
    Round,
    RoundKind,
    RoundStatus,
    Score,
)
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor, SponsorRepresentative
from app.teams.models import Project, ProjectStatus, Team, TeamMember
from app.web import services
from tests.factories import Actors, post_form


async def _count(db: Database, model: Any, *where: Any) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int((await session.execute(query)).scalar_one())


async def _seed(app: Starlette) -> bool:
    return await demo.seed(services(app).db, settings=app.state.settings)


async def test_seed_on_empty_database_creates_the_advertised_demo(
    app: Starlette, db: Database
) -> None:
    started = time.monotonic()
    created = await _seed(app)
    elapsed = time.monotonic() - started

    assert created is True
    assert elapsed < 10
    assert await _count(db, Programme) == 1
    assert await _count(db, Challenge) == 3
    assert await _count(db, Challenge, col(Challenge.is_published).is_(True)) == 2
    assert await _count(db, Track) == 3
    assert await _count(db, Institution) == 3
    # Ten Climathon teams, two of which moved on to Impresa in azione with a draft each.
    assert await _count(db, Team) == 12
    assert await _count(db, Team, col(Team.promoted_from_id).is_not(None)) == 2
    assert await _count(db, Project) == 12
    assert await _count(db, Project, col(Project.status) == ProjectStatus.DRAFT) == 3
    assert await _count(db, Project, col(Project.previous_project_id).is_not(None)) == 2
    assert await _count(db, Sponsor) == 4
    assert await _count(db, SponsorRepresentative) == 4
    assert await _count(db, Role, col(Role.kind) == RoleKind.JUDGE) == 3
    assert await _count(db, Criterion) == 3
    # The ideas' rubric round, the expo final judged in pairs and the people's vote.
    assert await _count(db, Round, col(Round.status) == RoundStatus.OPEN) == 3
    assert await _count(db, Assignment) == 18
    assert await _count(db, Score) == 3 * 13
    assert await _count(db, Adoption, col(Adoption.status) == AdoptionStatus.ACCEPTED) == 1


async def test_seed_teams_have_two_to_four_members_and_minors_have_consent(
    app: Starlette, db: Database
) -> None:
    await _seed(app)

    async with db.read() as session:
        sizes = list(
            (
                await session.execute(
                    select(func.count()).select_from(TeamMember).group_by(col(TeamMember.team_id))
                )
            ).scalars()
        )
        minors_without_consent = await _count(
            db, TeamMember, col(TeamMember.is_minor).is_(True), col(TeamMember.consent_at).is_(None)
        )
        classes = list((await session.execute(select(Team.class_name))).scalars())

    assert len(sizes) == 12
    assert all(2 <= size <= 4 for size in sizes)
    assert minors_without_consent == 0
    assert all(classes)


async def test_seed_leaves_every_phase_of_the_climathon_open(app: Starlette, db: Database) -> None:
    await _seed(app)

    now = utcnow()
    async with db.read() as session:
        phases = (
            await session.execute(
                select(Phase)
                .join(Challenge, col(Challenge.id) == col(Phase.challenge_id))
                .where(col(Challenge.slug) == "climathon-mantova-2026")
            )
        ).scalars()
        windows = {phase.kind: (phase.starts_at, phase.ends_at) for phase in phases}

    assert len(windows) == 4
    assert all(start < now < end for start, end in windows.values())


async def test_seed_weights_add_up_and_scores_stay_on_the_scale(
    app: Starlette, db: Database
) -> None:
    await _seed(app)

    async with db.read() as session:
        weights = (await session.execute(select(func.sum(Criterion.weight)))).scalar_one()
        low, high = (
            await session.execute(select(func.min(Score.value), func.max(Score.value)))
        ).one()

    assert weights == 100
    assert 1 <= low <= high <= 5


async def test_seed_leaves_the_demo_judge_projects_to_score(app: Starlette, db: Database) -> None:
    await _seed(app)

    async with db.read() as session:
        judge = (await session.execute(select(User).where(User.email == demo.JUDGE))).scalar_one()
        pending = await _count(
            db,
            Assignment,
            col(Assignment.judge_id) == judge.id,
            col(Assignment.submitted_at).is_(None),
        )
        done = await _count(
            db,
            Assignment,
            col(Assignment.judge_id) == judge.id,
            col(Assignment.submitted_at).is_not(None),
        )

    assert pending > 0
    assert done > 0


async def test_seed_gives_the_demo_teacher_a_draft_and_the_student_a_team(
    app: Starlette, db: Database
) -> None:
    await _seed(app)

    async with db.read() as session:
        teacher = (
            await session.execute(select(User).where(User.email == demo.TEACHER))
        ).scalar_one()
        student = (
            await session.execute(select(User).where(User.email == demo.STUDENT))
        ).scalar_one()
        statuses = set(
            (
                await session.execute(
                    select(Project.status)
                    .join(Team, col(Team.id) == col(Project.team_id))
                    .where(col(Team.coach_id) == teacher.id)
                )
            ).scalars()
        )
        memberships = await _count(db, TeamMember, col(TeamMember.user_id) == student.id)

    assert ProjectStatus.DRAFT in statuses
    assert memberships == 1


async def test_seed_twice_returns_false_and_changes_nothing(app: Starlette, db: Database) -> None:
    await _seed(app)
    before = [await _count(db, model) for model in (User, Role, Team, Project, Score, Adoption)]

    again = await _seed(app)

    after = [await _count(db, model) for model in (User, Role, Team, Project, Score, Adoption)]
    assert again is False
    assert after == before


async def test_seed_refuses_a_database_with_any_user(
    app: Starlette, db: Database, actors: Actors
) -> None:
    await actors.user(email="someone@example.org")

    created = await _seed(app)

    assert created is False
    assert await _count(db, User) == 1
    assert await _count(db, Programme) == 0


async def test_every_demo_account_logs_in_with_the_demo_password(
    app: Starlette, actors: Actors
) -> None:
    await _seed(app)

    for email, _role in demo.DEMO_ACCOUNTS:
        async with actors.anonymous() as browser:
            response = await post_form(
                browser, "/login", {"email": email, "password": demo.DEMO_PASSWORD}
            )

            assert response.status_code == 303, email
            assert SESSION_COOKIE in response.cookies, email


async def test_other_demo_people_cannot_log_in(app: Starlette, actors: Actors) -> None:
    await _seed(app)

    async with actors.anonymous() as browser:
        response = await post_form(
            browser,
            "/login",
            {"email": "davide.gozzi@madrina.example", "password": demo.DEMO_PASSWORD},
        )

    assert response.status_code == 400
    assert SESSION_COOKIE not in response.cookies


async def test_demo_passwords_in_use_after_seed(app: Starlette) -> None:
    assert await demo.demo_passwords_in_use(app.state.settings) is False

    await _seed(app)

    assert await demo.demo_passwords_in_use(app.state.settings) is True


async def test_demo_passwords_not_in_use_once_changed(app: Starlette, db: Database) -> None:
    await _seed(app)
    async with db.transaction() as session:
        for user in (await session.execute(select(User))).scalars():
            user.password_hash = "changed"  # any hash the demo password does not verify

    assert await demo.demo_passwords_in_use(app.state.settings) is False


def test_readme_lists_every_demo_account() -> None:
    readme = (ROOT / "README.md").read_text()

    for email, role in demo.DEMO_ACCOUNTS:
        assert f"| `{email}` | {role} | `{demo.DEMO_PASSWORD}` |" in readme


async def test_seed_leaves_invitations_waiting_for_an_answer(app: Starlette, db: Database) -> None:
    await _seed(app)

    pending = await _count(db, Invitation, col(Invitation.status) == InvitationStatus.PENDING)

    assert pending == 3


async def test_seed_has_an_expo_final_with_a_ranking_and_a_peoples_vote_with_a_count(
    app: Starlette, db: Database, actors: Actors
) -> None:
    await _seed(app)
    async with db.read() as session:
        organiser = (
            await session.execute(select(User).where(User.email == demo.ORGANISER))
        ).scalar_one()
        judge = (await session.execute(select(User).where(User.email == demo.JUDGE))).scalar_one()
        final, vote = [
            (await session.execute(select(Round).where(Round.kind == kind))).scalar_one()
            for kind in (RoundKind.PAIRWISE, RoundKind.PUBLIC_VOTE)
        ]
    expo = await live.snapshot(db, user=organiser, round_id=final.id or 0)
    people = await live.snapshot(db, user=organiser, round_id=vote.id or 0)
    assert expo.leaderboard is not None and people.leaderboard is not None
    leader = people.leaderboard.rows[0]
    async with actors.anonymous() as http:
        project_page = await http.get(f"/projects/{leader.project_id}", params={"lang": "en"})
    async with await actors.client(judge) as http:
        walk = await http.get(f"/pairwise/{final.id}", params={"lang": "en"})

    assert final.status == vote.status == RoundStatus.OPEN
    assert await _count(db, PairwiseVote) == 16  # two judges, each along nine stands
    assert len(expo.leaderboard.rows) == 9  # every submitted project ranked by the refit
    # The demo judge has not started the final: the first tap sends them to a stand.
    assert await _count(db, PairwiseJudge, col(PairwiseJudge.judge_id) == judge.id) == 0
    assert walk.status_code == 200
    assert await _count(db, PublicVote) == 7
    assert sum(row.evidence for row in people.leaderboard.rows) == 6  # one waits for its link
    assert (leader.rank, leader.evidence) == (1, 3)
    assert "Vote for this project" in project_page.text
