from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge, Eligibility, PhaseKind
from app.db import Database, utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.events.models import AuditEntry, OutboxEvent
from app.teams import projects, service, views
from app.teams.models import Project, ProjectStatus, Team, TeamMember
from app.teams.schemas import MemberInput, ProjectInput, TeamInput
from tests.challenges.windows import set_windows
from tests.factories import Actors, make_challenge, make_project, make_team

YESTERDAY = utcnow().date() - timedelta(days=1)


def team_input(name: str = "4B Aqua", *, track_id: int | None = None, **extra: object) -> TeamInput:
    return TeamInput.model_validate(
        {
            "name": name,
            "track_id": track_id,
            "institution_name": "ITIS Fermi",
            "institution_city": "Mantova",
            "class_name": "4B",
            "members": [
                {
                    "first_name": "Giulia",
                    "last_name": "Bianchi",
                    "is_minor": True,
                    "consent_on": YESTERDAY,
                },
                {"first_name": "Marco", "last_name": "Neri", "is_minor": False},
            ],
            **extra,
        }
    )


async def _challenge(db: Database, *phases: PhaseKind) -> tuple[Challenge, int]:
    challenge = await make_challenge(db, tracks=("Acqua",), open_phases=phases)
    from app.challenges import queries

    async with db.read() as session:
        track = (await queries.tracks(session, challenge.id or 0))[0]
    return challenge, track.id or 0


async def _register(db: Database, user: User, challenge: Challenge, data: TeamInput) -> Team:
    async with db.transaction() as session:
        return await service.register_team(
            session, user=user, challenge_id=challenge.id or 0, data=data
        )


async def test_register_team_makes_the_teacher_coach(db: Database, actors: Actors) -> None:
    teacher = await actors.user()
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)

    team = await _register(db, teacher, challenge, team_input(track_id=track_id))

    async with db.read() as session:
        members = list((await session.execute(select(TeamMember))).scalars())
        role = (await session.execute(select(Role).where(Role.user_id == teacher.id))).scalar_one()
    assert team.coach_id == teacher.id and team.track_id == track_id
    assert [(m.first_name, m.is_minor, m.consent_at is not None) for m in members] == [
        ("Giulia", True, True),
        ("Marco", False, False),
    ]
    assert members[0].consent_at is not None and members[0].consent_at.date() == YESTERDAY
    assert role.kind == RoleKind.COACH


async def test_register_team_outside_registration_is_refused(db: Database, actors: Actors) -> None:
    teacher = await actors.user()
    challenge, track_id = await _challenge(db, PhaseKind.SUBMISSION)

    with pytest.raises(service.RegistrationClosed):
        await _register(db, teacher, challenge, team_input(track_id=track_id))


async def test_register_team_before_registration_opens_is_refused(
    db: Database, actors: Actors
) -> None:
    teacher = await actors.user()
    challenge, track_id = await _challenge(db)
    await set_windows(db, challenge, registration=(1, 10))

    with pytest.raises(service.RegistrationClosed):
        await _register(db, teacher, challenge, team_input(track_id=track_id))


async def test_team_name_is_unique_per_challenge_ignoring_case(
    db: Database, actors: Actors
) -> None:
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    other, other_track = await _challenge(db, PhaseKind.REGISTRATION)
    first, second = await actors.user(), await actors.user()
    await _register(db, first, challenge, team_input("4B Aqua", track_id=track_id))

    with pytest.raises(service.TeamNameTaken):
        await _register(db, second, challenge, team_input("4b aqua", track_id=track_id))
    await _register(db, second, other, team_input("4B Aqua", track_id=other_track))


async def test_minor_without_consent_is_refused_on_that_row(db: Database, actors: Actors) -> None:
    teacher = await actors.user()
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    data = team_input(track_id=track_id)
    data.members.append(MemberInput(first_name="Luca", last_name="Verdi", is_minor=True))

    with pytest.raises(ValidationFailed) as failed:
        await _register(db, teacher, challenge, data)

    assert set(failed.value.errors) == {"members-2-consent_on"}
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Team))).scalar() == 0


async def test_track_of_another_challenge_is_refused(db: Database, actors: Actors) -> None:
    teacher = await actors.user()
    challenge, _track_id = await _challenge(db, PhaseKind.REGISTRATION)
    _other, foreign_track = await _challenge(db, PhaseKind.REGISTRATION)

    with pytest.raises(ValidationFailed) as failed:
        await _register(db, teacher, challenge, team_input(track_id=foreign_track))

    assert set(failed.value.errors) == {"track_id"}


async def _with_rules(db: Database, challenge: Challenge, **rules: object) -> None:
    async with db.transaction() as session:
        stored = await session.get(Challenge, challenge.id)
        assert stored is not None
        for name, value in rules.items():
            setattr(stored, name, value)


@pytest.mark.parametrize("count", [1, 4])
async def test_team_size_outside_the_challenge_rule_is_refused(
    db: Database, actors: Actors, count: int
) -> None:
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    await _with_rules(db, challenge, team_size_min=2, team_size_max=3)
    member = {"first_name": "Ada", "last_name": "Neri"}
    data = team_input(track_id=track_id, members=[member] * count)

    with pytest.raises(ValidationFailed) as failed:
        await _register(db, await actors.user(), challenge, data)

    assert set(failed.value.errors) == {"members"}
    assert failed.value.errors["members"].endswith(f" {count}.")
    await _register(db, await actors.user(), challenge, team_input(track_id=track_id))


async def test_school_classes_name_their_school_and_class(db: Database, actors: Actors) -> None:
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    await _with_rules(db, challenge, eligibility=Eligibility.SCHOOL_CLASSES)
    anonymous = team_input(track_id=track_id, institution_name="", class_name="")

    with pytest.raises(ValidationFailed) as failed:
        await _register(db, await actors.user(), challenge, anonymous)

    assert set(failed.value.errors) == {"institution_id", "class_name"}
    await _register(db, await actors.user(), challenge, team_input(track_id=track_id))


async def test_university_teams_name_their_university_not_a_class(
    db: Database, actors: Actors
) -> None:
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    await _with_rules(db, challenge, eligibility=Eligibility.UNIVERSITY)

    with pytest.raises(ValidationFailed) as failed:
        await _register(
            db, await actors.user(), challenge, team_input(track_id=track_id, institution_name="")
        )
    assert set(failed.value.errors) == {"institution_id"}

    await _register(
        db, await actors.user(), challenge, team_input(track_id=track_id, class_name="")
    )


async def test_open_challenges_ask_for_no_institution(db: Database, actors: Actors) -> None:
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    data = team_input(track_id=track_id, institution_name="", class_name="")

    team = await _register(db, await actors.user(), challenge, data)

    assert team.institution_id is None


async def test_existing_institution_is_reused(db: Database, actors: Actors) -> None:
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    first = await _register(db, await actors.user(), challenge, team_input("A", track_id=track_id))
    second = await _register(
        db,
        await actors.user(),
        challenge,
        team_input(
            "B", track_id=track_id, institution_name="itis fermi", institution_city="MANTOVA"
        ),
    )

    assert first.institution_id == second.institution_id is not None


async def test_update_team_by_coach_replaces_members(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION, PhaseKind.SUBMISSION)
    team = await _register(db, coach, challenge, team_input(track_id=track_id))
    async with db.read() as session:
        giulia = (
            await session.execute(select(TeamMember).where(TeamMember.first_name == "Giulia"))
        ).scalar_one()
    data = team_input("4B Aqua bis", track_id=track_id)
    data.members = [
        MemberInput(
            id=giulia.id,
            first_name="Giulia",
            last_name="Rossi",
            is_minor=True,
            consent_on=YESTERDAY,
        ),
        MemberInput(first_name="Sara", last_name="Blu", is_minor=False),
    ]

    async with db.transaction() as session:
        await service.update_team(session, user=coach, team_id=team.id or 0, data=data)

    async with db.read() as session:
        members = list(
            (await session.execute(select(TeamMember).order_by(TeamMember.id))).scalars()
        )
        stored = await session.get(Team, team.id)
    assert stored is not None and stored.name == "4B Aqua bis"
    assert [(m.id == giulia.id, m.last_name) for m in members] == [(True, "Rossi"), (False, "Blu")]


async def test_update_team_after_submission_closed_is_refused(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge, track_id = await _challenge(db, PhaseKind.REGISTRATION)
    team = await _register(db, coach, challenge, team_input(track_id=track_id))
    await set_windows(db, challenge, registration=(-5, 1), submission=(-4, -1))

    async with db.transaction() as session:
        with pytest.raises(service.TeamLocked):
            await service.update_team(
                session, user=coach, team_id=team.id or 0, data=team_input("X", track_id=track_id)
            )


async def test_update_team_by_organiser_is_forbidden_and_by_stranger_not_found(
    db: Database, actors: Actors
) -> None:
    organiser, stranger = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    team = await make_team(db, challenge, coach=await actors.user())

    for user, error in ((organiser, Forbidden), (stranger, NotFound)):
        async with db.transaction() as session:
            with pytest.raises(error):
                await service.update_team(
                    session, user=user, team_id=team.id or 0, data=team_input("X")
                )


async def test_save_project_creates_then_bumps_version(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)

    versions = []
    for title in ("Sensori", "Sensori per l'acqua", "Sensori per l'acqua piovana"):
        async with db.transaction() as session:
            project = await projects.save_project(
                session, user=coach, team_id=team.id or 0, data=ProjectInput(title=title)
            )
            versions.append(project.version)

    assert versions == [1, 2, 3]
    async with db.read() as session:
        actions = list(
            (
                await session.execute(
                    select(AuditEntry.action).where(AuditEntry.subject_type == "project")
                )
            ).scalars()
        )
    assert actions == ["project.created", "project.updated", "project.updated"]


async def test_save_project_before_and_after_the_window_is_refused(
    db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=())
    team = await make_team(db, challenge, coach=coach)

    for window, error in (
        ((1, 3), projects.SubmissionNotOpen),
        ((-3, -1), projects.SubmissionClosed),
    ):
        await set_windows(db, challenge, submission=window)
        async with db.transaction() as session:
            with pytest.raises(error):
                await projects.save_project(
                    session, user=coach, team_id=team.id or 0, data=ProjectInput(title="X")
                )


async def test_submit_emits_event_and_audit_then_locks(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    project = await make_project(db, team, submitted=False)

    async with db.transaction() as session:
        submitted = await projects.submit_project(session, user=coach, project_id=project.id or 0)

    assert submitted.status == ProjectStatus.SUBMITTED and submitted.submitted_at is not None
    async with db.read() as session:
        event = (await session.execute(select(OutboxEvent))).scalar_one()
        audit = (
            await session.execute(
                select(AuditEntry).where(AuditEntry.action == "project.submitted")
            )
        ).scalar_one()
    assert (event.type, event.challenge_id) == ("ProjectSubmitted", challenge.id)
    assert event.payload == {"project_id": project.id, "team_id": team.id}
    assert audit.actor_id == coach.id
    async with db.transaction() as session:
        with pytest.raises(projects.ProjectLocked):
            await projects.save_project(
                session, user=coach, team_id=team.id or 0, data=ProjectInput(title="Y")
            )


async def test_submit_after_the_deadline_is_refused(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=())
    team = await make_team(db, challenge, coach=coach)
    project = await make_project(db, team, submitted=False)

    async with db.transaction() as session:
        with pytest.raises(projects.SubmissionClosed) as refused:
            await projects.submit_project(session, user=coach, project_id=project.id or 0)

    assert refused.value.status_code == 409
    async with db.read() as session:
        stored = await session.get(Project, project.id)
    assert stored is not None and stored.status == ProjectStatus.DRAFT


async def test_withdraw_then_edit_and_submit_again(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    project = await make_project(db, team, submitted=True)

    async with db.transaction() as session:
        withdrawn = await projects.withdraw_project(session, user=coach, project_id=project.id or 0)
        assert withdrawn.status == ProjectStatus.WITHDRAWN
        await projects.save_project(
            session, user=coach, team_id=team.id or 0, data=ProjectInput(title="Meglio")
        )
        again = await projects.submit_project(session, user=coach, project_id=project.id or 0)

    assert (again.status, again.title, again.version) == (ProjectStatus.SUBMITTED, "Meglio", 2)


async def test_submitted_project_is_public_and_draft_is_not(db: Database, actors: Actors) -> None:
    coach, stranger = await actors.user(), await actors.user()
    challenge = await make_challenge(db, tracks=())
    submitted = await make_project(db, await make_team(db, challenge, coach=coach))
    draft = await make_project(db, await make_team(db, challenge, coach=coach), submitted=False)

    async with db.read() as session:
        view = await views.project_view(session, user=None, project_id=submitted.id or 0)
        with pytest.raises(NotFound):
            await views.project_view(session, user=stranger, project_id=draft.id or 0)
        own = await views.project_view(session, user=coach, project_id=draft.id or 0)

    assert view.project.id == submitted.id and not view.can_manage
    assert own.can_manage


async def test_consent_date_in_the_future_is_invalid() -> None:
    with pytest.raises(ValueError, match="futur"):
        MemberInput(
            first_name="A",
            last_name="B",
            is_minor=True,
            consent_on=date.today() + timedelta(days=3),
        )
