"""The adoption flow in the services: offer, answer, withdraw, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import service as accounts_service
from app.accounts.models import Role, RoleKind
from app.challenges.models import Phase, PhaseKind
from app.db import Database, utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.forms import validate
from app.sponsors import adoptions
from app.sponsors.models import Adoption, AdoptionStatus
from app.sponsors.schemas import AdoptionCreate
from app.teams import projects
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team
from tests.sponsors.conftest import Scene, actions, events

OFFER = AdoptionCreate(mentoring_hours=10, internships=2, funding_eur=500, message="Bravi!")


async def _propose(db: Database, scene: Scene) -> Adoption:
    async with db.transaction() as session:
        return await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=OFFER
        )


async def test_propose_adoption_records_offer_event_and_audit(db: Database, scene: Scene) -> None:
    adoption = await _propose(db, scene)

    async with db.read() as session:
        stored = await session.get(Adoption, adoption.id)
    assert stored is not None
    assert (stored.status, stored.mentoring_hours, stored.internships, stored.funding_eur) == (
        AdoptionStatus.PROPOSED,
        10,
        2,
        500,
    )
    assert stored.sponsor_id == scene.sponsor.id and stored.proposed_by == scene.rep.id
    assert await events(db, "AdoptionProposed") == [
        {
            "adoption_id": adoption.id,
            "sponsor_id": scene.sponsor.id,
            "project_id": scene.pid,
            "team_id": scene.team.id,
        }
    ]
    assert "adoption.proposed" in await actions(db)


async def test_propose_adoption_twice_for_same_pair_is_409(db: Database, scene: Scene) -> None:
    await _propose(db, scene)

    with pytest.raises(adoptions.AdoptionExists) as caught:
        await _propose(db, scene)

    assert caught.value.status_code == 409
    async with db.read() as session:
        assert len((await session.execute(select(Adoption))).scalars().all()) == 1


async def test_propose_adoption_after_adoption_phase_ended_is_409(
    db: Database, scene: Scene
) -> None:
    async with db.transaction() as session:
        phase = (
            await session.execute(
                select(Phase).where(
                    Phase.challenge_id == scene.cid, Phase.kind == PhaseKind.ADOPTION
                )
            )
        ).scalar_one()
        phase.ends_at = utcnow() - timedelta(minutes=1)

    with pytest.raises(adoptions.AdoptionPhaseOver):
        await _propose(db, scene)


async def test_propose_adoption_of_draft_project_is_not_found(
    db: Database, actors: Actors, scene: Scene
) -> None:
    # A draft is not on show: its page is "not found" to a sponsor, and so is the offer.
    other_team = await make_team(db, scene.challenge, coach=scene.coach, name="4D Draft")
    draft = await make_project(db, other_team, submitted=False)
    assert draft.id is not None

    with pytest.raises(NotFound):
        async with db.transaction() as session:
            await adoptions.propose_adoption(
                session, user=scene.rep, project_id=draft.id, data=OFFER
            )


async def test_propose_adoption_by_sponsor_of_another_challenge_is_403(
    db: Database, actors: Actors, scene: Scene
) -> None:
    # The submitted project is public, so "not found" would lie: they may see, not adopt.
    elsewhere = await make_challenge(db)
    stranger = await actors.user()
    other_sponsor = await make_sponsor(db, elsewhere, representative=stranger)

    for data in (OFFER, OFFER.model_copy(update={"sponsor_id": other_sponsor.id})):
        with pytest.raises(Forbidden):
            async with db.transaction() as session:
                await adoptions.propose_adoption(
                    session, user=stranger, project_id=scene.pid, data=data
                )


async def test_propose_adoption_by_participant_is_403(
    db: Database, actors: Actors, scene: Scene
) -> None:
    student = await actors.user()
    await actors.grant(student, scene.cid, RoleKind.PARTICIPANT)

    with pytest.raises(Forbidden):
        async with db.transaction() as session:
            await adoptions.propose_adoption(
                session, user=student, project_id=scene.pid, data=OFFER
            )


async def test_propose_adoption_for_several_sponsors_needs_the_choice(
    db: Database, scene: Scene
) -> None:
    second = await make_sponsor(db, scene.challenge, representative=scene.rep, name="Beta Srl")

    with pytest.raises(ValidationFailed) as caught:
        await _propose(db, scene)
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session,
            user=scene.rep,
            project_id=scene.pid,
            data=OFFER.model_copy(update={"sponsor_id": second.id}),
        )

    assert set(caught.value.errors) == {"sponsor_id"}
    assert adoption.sponsor_id == second.id


async def test_accept_adoption_by_coach_sets_status_and_emits(db: Database, scene: Scene) -> None:
    adoption = await _propose(db, scene)
    assert adoption.id is not None

    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id)

    async with db.read() as session:
        stored = await session.get(Adoption, adoption.id)
    assert stored is not None
    assert stored.status == AdoptionStatus.ACCEPTED
    assert stored.decided_by == scene.coach.id and stored.decided_at is not None
    assert [e["adoption_id"] for e in await events(db, "AdoptionAccepted")] == [adoption.id]
    assert "adoption.accepted" in await actions(db)


async def test_decline_adoption_by_coach_emits_declined(db: Database, scene: Scene) -> None:
    adoption = await _propose(db, scene)
    assert adoption.id is not None

    async with db.transaction() as session:
        declined = await adoptions.decline_adoption(
            session, user=scene.coach, adoption_id=adoption.id
        )

    assert declined.status == AdoptionStatus.DECLINED
    assert len(await events(db, "AdoptionDeclined")) == 1


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("organiser", Forbidden), ("rep", Forbidden), ("other_coach", NotFound)],
)
async def test_accept_adoption_by_non_coach_is_refused(
    db: Database, actors: Actors, scene: Scene, who: str, refusal: type[Exception]
) -> None:
    # Who sees the offer (organisers, the sponsor) is not allowed; another team's coach
    # does not see it at all.
    adoption = await _propose(db, scene)
    assert adoption.id is not None
    other_coach = await actors.user()
    await make_team(db, scene.challenge, coach=other_coach)
    user = {"organiser": scene.organiser, "rep": scene.rep, "other_coach": other_coach}[who]

    with pytest.raises(refusal):
        async with db.transaction() as session:
            await adoptions.accept_adoption(session, user=user, adoption_id=adoption.id)


async def test_accept_adoption_by_outsider_is_404(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption = await _propose(db, scene)
    assert adoption.id is not None
    outsider = await actors.user()

    with pytest.raises(NotFound):
        async with db.transaction() as session:
            await adoptions.accept_adoption(session, user=outsider, adoption_id=adoption.id)


async def test_withdraw_before_answer_then_answer_is_409(db: Database, scene: Scene) -> None:
    adoption = await _propose(db, scene)
    assert adoption.id is not None

    async with db.transaction() as session:
        withdrawn = await adoptions.withdraw_adoption(
            session, user=scene.rep, adoption_id=adoption.id
        )
    with pytest.raises(adoptions.AdoptionAnswered):
        async with db.transaction() as session:
            await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id)

    assert withdrawn.status == AdoptionStatus.WITHDRAWN
    assert len(await events(db, "AdoptionWithdrawn")) == 1


async def test_withdraw_after_acceptance_is_409(db: Database, scene: Scene) -> None:
    adoption = await _propose(db, scene)
    assert adoption.id is not None
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id)

    with pytest.raises(adoptions.AdoptionAnswered):
        async with db.transaction() as session:
            await adoptions.withdraw_adoption(session, user=scene.rep, adoption_id=adoption.id)


@pytest.mark.parametrize(
    "data",
    [
        {"mentoring_hours": 0, "internships": 0, "funding_eur": 0},
        {"mentoring_hours": -1, "internships": 1},
        {"internships": "two"},
        {"funding_eur": 1, "message": "x" * 2001},
    ],
)
def test_adoption_offer_needs_a_non_negative_commitment(data: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        validate(AdoptionCreate, data)


def test_adoption_offer_treats_blank_fields_as_zero() -> None:
    offer = validate(AdoptionCreate, {"mentoring_hours": "", "internships": "1", "sponsor_id": ""})

    assert (offer.mentoring_hours, offer.internships, offer.sponsor_id) == (0, 1, None)


async def _revoke_sponsor_role(db: Database, scene: Scene) -> None:
    async with db.transaction() as session:
        role = (
            await session.execute(
                select(Role).where(Role.user_id == scene.rep.id, Role.kind == RoleKind.SPONSOR)
            )
        ).scalar_one()
        await accounts_service.revoke_role(
            session, role_id=role.id or 0, challenge_id=scene.cid, actor_id=scene.organiser.id
        )


async def test_a_representative_whose_role_was_removed_can_no_longer_act(
    db: Database, scene: Scene
) -> None:
    adoption = await _propose(db, scene)
    await _revoke_sponsor_role(db, scene)

    with pytest.raises(Forbidden):  # the project is public: they see it, may not adopt it
        await _propose(db, scene)
    with pytest.raises(NotFound):  # the company's offer is no longer theirs to see
        async with db.transaction() as session:
            await adoptions.withdraw_adoption(session, user=scene.rep, adoption_id=adoption.id or 0)
    async with db.read() as session:
        stored = await session.get(Adoption, adoption.id)
    assert stored is not None and stored.status == AdoptionStatus.PROPOSED


async def test_an_offer_on_a_project_withdrawn_since_cannot_be_accepted(
    db: Database, scene: Scene
) -> None:
    adoption = await _propose(db, scene)
    async with db.transaction() as session:
        await projects.withdraw_project(session, user=scene.coach, project_id=scene.pid)

    with pytest.raises(adoptions.ProjectNotSubmitted):
        async with db.transaction() as session:
            await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id or 0)
    assert await events(db, "AdoptionAccepted") == []
