from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import Role, RoleKind
from app.challenges import permissions, phases, programmes, queries, service
from app.challenges.models import Challenge, PhaseKind
from app.challenges.schemas import (
    ChallengeInput,
    PhaseInput,
    ProgrammeInput,
    StageInput,
    TrackInput,
)
from app.db import Database
from app.errors import Forbidden, NotFound, ValidationFailed
from tests.factories import Actors, make_challenge, make_team


async def test_create_challenge_gives_unique_slugs_and_organiser_role(
    db: Database, actors: Actors
) -> None:
    user = await actors.user(creator=True)
    async with db.transaction() as session:
        first = await service.create_challenge(
            session, user=user, data=ChallengeInput(title="Climathon Mantova")
        )
        second = await service.create_challenge(
            session, user=user, data=ChallengeInput(title="Climathon  Mantova!")
        )
        roles = (await session.execute(select(Role).where(Role.user_id == user.id))).scalars()
        kinds = {(r.challenge_id, r.kind) for r in roles}

    assert (first.slug, second.slug) == ("climathon-mantova", "climathon-mantova-2")
    assert kinds == {(first.id, RoleKind.ORGANISER), (second.id, RoleKind.ORGANISER)}


async def test_slug_of_accented_title_is_ascii(db: Database, actors: Actors) -> None:
    user = await actors.user(creator=True)
    async with db.transaction() as session:
        challenge = await service.create_challenge(
            session, user=user, data=ChallengeInput(title="Città più verde")
        )

    assert challenge.slug == "citta-piu-verde"


async def test_draft_is_not_found_for_others_but_viewable_by_an_admin(
    db: Database, actors: Actors
) -> None:
    draft = await make_challenge(db, published=False)
    admin = await actors.user(is_admin=True)
    async with db.read() as session:
        with pytest.raises(NotFound):
            await permissions.viewable(
                session, user=await actors.user(), challenge_id=draft.id or 0
            )
        with pytest.raises(NotFound):
            await permissions.viewable(session, user=None, challenge_id=draft.id or 0)
        access = await permissions.viewable(session, user=admin, challenge_id=draft.id or 0)

    assert access.challenge.id == draft.id and access.is_organiser


async def test_update_by_a_coach_is_forbidden(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db)
    await make_team(db, challenge, coach=coach)

    async with db.transaction() as session:
        with pytest.raises(Forbidden):
            await service.update_challenge(
                session, user=coach, challenge_id=challenge.id or 0, data=ChallengeInput(title="X")
            )


async def test_set_phases_reads_naive_times_in_the_challenge_zone(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    # A draft: its dates are free to move (a public one needs a reason, see test_phase_moves)
    challenge = await make_challenge(db, organiser=organiser, published=False)
    async with db.transaction() as session:
        stored = await phases.set_phases(
            session,
            user=organiser,
            challenge_id=challenge.id or 0,
            windows=[
                PhaseInput(
                    kind=PhaseKind.SUBMISSION,
                    starts_at=datetime(2026, 10, 1, 9, 0),
                    ends_at=datetime(2026, 10, 25, 18, 0),  # after the change to CET
                ),
                PhaseInput(
                    kind=PhaseKind.JUDGING,
                    starts_at=datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
                    ends_at=datetime(2026, 10, 27, 8, 0, tzinfo=UTC),
                ),
            ],
        )

    by_kind = {p.kind: p for p in stored}
    assert set(by_kind) == {PhaseKind.SUBMISSION, PhaseKind.JUDGING}
    assert by_kind[PhaseKind.SUBMISSION].starts_at == datetime(2026, 10, 1, 7, 0, tzinfo=UTC)
    assert by_kind[PhaseKind.SUBMISSION].ends_at == datetime(2026, 10, 25, 17, 0, tzinfo=UTC)
    assert by_kind[PhaseKind.JUDGING].starts_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


async def test_set_phases_with_start_after_end_names_the_field(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    window = PhaseInput(
        kind=PhaseKind.REGISTRATION,
        starts_at=datetime(2026, 10, 2, 9, 0),
        ends_at=datetime(2026, 10, 2, 9, 0),
    )

    async with db.transaction() as session:
        with pytest.raises(ValidationFailed) as failed:
            await phases.set_phases(
                session, user=organiser, challenge_id=challenge.id or 0, windows=[window]
            )

    assert set(failed.value.errors) == {"registration_ends_at"}


async def test_add_track_with_a_taken_name_is_a_conflict(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=("Acqua",))

    async with db.transaction() as session:
        with pytest.raises(service.TrackNameTaken):
            await service.add_track(
                session,
                user=organiser,
                challenge_id=challenge.id or 0,
                data=TrackInput(name="ACQUA"),
            )


async def test_delete_track_chosen_by_a_team_is_refused(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=("Acqua",))
    team = await make_team(db, challenge, coach=await actors.user())
    async with db.read() as session:
        track = (await queries.tracks(session, challenge.id or 0))[0]
    async with db.transaction() as session:
        stored_team = await session.get(type(team), team.id)
        assert stored_team is not None
        stored_team.track_id = track.id

    async with db.transaction() as session:
        with pytest.raises(service.TrackInUse):
            await service.delete_track(
                session, user=organiser, challenge_id=challenge.id or 0, track_id=track.id or 0
            )
    async with db.read() as session:
        assert len(await queries.tracks(session, challenge.id or 0)) == 1


async def test_grant_role_to_unknown_email_fails_on_the_email(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)

    async with db.transaction() as session:
        with pytest.raises(ValidationFailed) as failed:
            await service.grant_role(
                session,
                user=organiser,
                challenge_id=challenge.id or 0,
                email="nobody@example.org",
                kind=RoleKind.JUDGE,
            )

    assert set(failed.value.errors) == {"email"}


async def test_grant_coach_role_by_hand_is_refused(db: Database, actors: Actors) -> None:
    organiser, teacher = await actors.user(), await actors.user(email="prof@example.org")
    challenge = await make_challenge(db, organiser=organiser)

    async with db.transaction() as session:
        with pytest.raises(ValidationFailed):
            await service.grant_role(
                session,
                user=organiser,
                challenge_id=challenge.id or 0,
                email=teacher.email,
                kind=RoleKind.COACH,
            )


async def test_attach_stage_moves_challenge_into_programme(db: Database, actors: Actors) -> None:
    organiser = await actors.user(creator=True)
    challenge = await make_challenge(db, organiser=organiser)
    async with db.transaction() as session:
        programme = await programmes.create_programme(
            session, user=organiser, data=ProgrammeInput(name="Percorsi green")
        )
        await programmes.attach_stage(
            session,
            user=organiser,
            programme_id=programme.id or 0,
            data=StageInput(challenge_id=challenge.id or 0, stage=3),
        )
    async with db.read() as session:
        stages = await queries.programme_stages(session, programme.id or 0)

    assert [(c.id, c.stage) for c in stages] == [(challenge.id, 3)]
    assert programme.slug == "percorsi-green"


async def test_create_challenge_in_programme_takes_the_next_stage(
    db: Database, actors: Actors
) -> None:
    user = await actors.user(creator=True)
    async with db.transaction() as session:
        programme = await programmes.create_programme(
            session, user=user, data=ProgrammeInput(name="P")
        )
        first = await service.create_challenge(
            session, user=user, data=ChallengeInput(title="Uno", programme_id=programme.id)
        )
        second = await service.create_challenge(
            session, user=user, data=ChallengeInput(title="Due", programme_id=programme.id)
        )

    assert (first.stage, second.stage) == (1, 2)


async def test_create_challenge_in_unknown_programme_fails(db: Database, actors: Actors) -> None:
    user = await actors.user(creator=True)
    async with db.transaction() as session:
        with pytest.raises(ValidationFailed) as failed:
            await service.create_challenge(
                session, user=user, data=ChallengeInput(title="X", programme_id=99)
            )

    assert set(failed.value.errors) == {"programme_id"}
    async with db.read() as session:
        assert (await session.execute(select(Challenge))).first() is None
