"""A challenge's adoption rules: the window's start, one godmother or several, a quota per
company, and an organiser's confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.challenges.models import Phase, PhaseKind
from app.db import Database, utcnow
from app.errors import Forbidden, ValidationFailed
from app.forms import validate
from app.sponsors import adoptions, rules
from app.sponsors.models import Adoption, AdoptionRules, AdoptionStatus, Sponsor
from app.sponsors.schemas import AdoptionCreate, AdoptionRefusal, AdoptionRulesUpdate
from tests.factories import Actors, make_project, make_sponsor, make_team
from tests.sponsors.conftest import Scene, actions, events

OFFER = AdoptionCreate(mentoring_hours=10)


async def _set_rules(db: Database, scene: Scene, **values: object) -> None:
    async with db.transaction() as session:
        await rules.update_rules(
            session,
            user=scene.organiser,
            challenge_id=scene.cid,
            data=AdoptionRulesUpdate.model_validate(values),
        )


async def _offer(db: Database, rep: User, project_id: int) -> int:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=rep, project_id=project_id, data=OFFER
        )
    assert adoption.id is not None
    return adoption.id


async def _second_sponsor(db: Database, actors: Actors, scene: Scene) -> tuple[User, Sponsor]:
    rep = await actors.user("Bianca Beta")
    return rep, await make_sponsor(db, scene.challenge, representative=rep, name="Beta Srl")


async def _accept(db: Database, user: User, adoption_id: int) -> Adoption:
    async with db.transaction() as session:
        return await adoptions.accept_adoption(session, user=user, adoption_id=adoption_id)


async def _status(db: Database, adoption_id: int) -> Adoption:
    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None
    return stored


async def test_offer_before_the_adoption_window_opens_is_409(db: Database, scene: Scene) -> None:
    async with db.transaction() as session:
        phase = (
            await session.execute(
                select(Phase).where(
                    Phase.challenge_id == scene.cid, Phase.kind == PhaseKind.ADOPTION
                )
            )
        ).scalar_one()
        phase.starts_at = utcnow() + timedelta(days=1)

    with pytest.raises(adoptions.AdoptionNotOpenYet) as caught:
        await _offer(db, scene.rep, scene.pid)

    assert caught.value.status_code == 409
    async with db.read() as session:
        assert (await session.execute(select(Adoption))).scalars().all() == []


async def test_accepting_one_offer_declines_the_others_automatically(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other_rep, _other = await _second_sponsor(db, actors, scene)
    first = await _offer(db, scene.rep, scene.pid)
    second = await _offer(db, other_rep, scene.pid)

    await _accept(db, scene.coach, second)

    assert (await _status(db, second)).status == AdoptionStatus.ACCEPTED
    loser = await _status(db, first)
    assert (loser.status, loser.declined_automatically) == (AdoptionStatus.DECLINED, True)
    declined = await events(db, "AdoptionAutoDeclined")
    assert [(e["adoption_id"], e["accepted_adoption_id"]) for e in declined] == [(first, second)]
    assert (await actions(db)).count("adoption.auto_declined") == 1


async def test_a_second_acceptance_for_a_single_godmother_project_is_409(
    db: Database, actors: Actors, scene: Scene
) -> None:
    # Accepted with "several" allowed, then the rule became "one": the other stays pending
    # but cannot be accepted any more.
    await _set_rules(db, scene, godmothers="several")
    other_rep, _other = await _second_sponsor(db, actors, scene)
    first = await _offer(db, scene.rep, scene.pid)
    second = await _offer(db, other_rep, scene.pid)
    await _accept(db, scene.coach, first)
    await _set_rules(db, scene, godmothers="single")

    with pytest.raises(rules.ProjectAlreadyAdopted) as caught:
        await _accept(db, scene.coach, second)

    assert caught.value.status_code == 409
    assert (await _status(db, second)).status == AdoptionStatus.PROPOSED


async def test_several_godmothers_may_all_be_accepted(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _set_rules(db, scene, godmothers="several")
    other_rep, _other = await _second_sponsor(db, actors, scene)
    first = await _offer(db, scene.rep, scene.pid)
    second = await _offer(db, other_rep, scene.pid)

    await _accept(db, scene.coach, first)
    await _accept(db, scene.coach, second)

    assert [(await _status(db, a)).status for a in (first, second)] == [
        AdoptionStatus.ACCEPTED,
        AdoptionStatus.ACCEPTED,
    ]
    assert await events(db, "AdoptionAutoDeclined") == []


async def test_an_offer_for_a_project_already_adopted_is_409(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _accept(db, scene.coach, await _offer(db, scene.rep, scene.pid))
    other_rep, _other = await _second_sponsor(db, actors, scene)

    with pytest.raises(rules.ProjectAlreadyAdopted):
        await _offer(db, other_rep, scene.pid)


async def test_a_company_beyond_its_quota_cannot_have_another_offer_accepted(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other_team = await make_team(db, scene.challenge, coach=scene.coach, name="5A Sole")
    other_project = await make_project(db, other_team, title="Solar benches")
    assert other_project.id is not None
    first = await _offer(db, scene.rep, scene.pid)
    second = await _offer(db, scene.rep, other_project.id)
    await _set_rules(db, scene, max_projects_per_sponsor=1)
    await _accept(db, scene.coach, first)

    with pytest.raises(rules.SponsorQuotaReached) as caught:
        await _accept(db, scene.coach, second)

    assert caught.value.status_code == 409
    assert (await _status(db, second)).status == AdoptionStatus.PROPOSED
    third_team = await make_team(db, scene.challenge, coach=scene.coach, name="5B Vento")
    third = await make_project(db, third_team, title="Wind")
    with pytest.raises(rules.SponsorQuotaReached):  # a new offer is refused at once
        await _offer(db, scene.rep, third.id or 0)


async def test_with_organiser_confirmation_the_acceptance_waits_then_takes_effect(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _set_rules(db, scene, organiser_confirms=True)
    other_rep, _other = await _second_sponsor(db, actors, scene)
    chosen = await _offer(db, scene.rep, scene.pid)
    competing = await _offer(db, other_rep, scene.pid)

    waiting = await _accept(db, scene.coach, chosen)
    with pytest.raises(rules.ProjectAlreadyAdopted):  # the place is held meanwhile
        await _accept(db, scene.coach, competing)
    async with db.transaction() as session:
        await adoptions.confirm_adoption(session, user=scene.organiser, adoption_id=chosen)

    assert waiting.status == AdoptionStatus.CONFIRMING
    confirmed = await _status(db, chosen)
    assert (confirmed.status, confirmed.confirmed_by) == (
        AdoptionStatus.ACCEPTED,
        scene.organiser.id,
    )
    assert (await _status(db, competing)).status == AdoptionStatus.DECLINED
    assert len(await events(db, "AdoptionAwaitingConfirmation")) == 1
    assert [e["adoption_id"] for e in await events(db, "AdoptionAccepted")] == [chosen]
    assert "adoption.confirmed" in await actions(db)


async def test_an_organiser_refusal_frees_the_project_for_another_offer(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _set_rules(db, scene, organiser_confirms=True)
    other_rep, _other = await _second_sponsor(db, actors, scene)
    chosen = await _offer(db, scene.rep, scene.pid)
    competing = await _offer(db, other_rep, scene.pid)
    await _accept(db, scene.coach, chosen)

    async with db.transaction() as session:
        await adoptions.refuse_adoption(
            session,
            user=scene.organiser,
            adoption_id=chosen,
            data=AdoptionRefusal(reason="Conflitto di interessi"),
        )
    again = await _accept(db, scene.coach, competing)

    refused = await _status(db, chosen)
    assert (refused.status, refused.reason) == (AdoptionStatus.REFUSED, "Conflitto di interessi")
    assert again.status == AdoptionStatus.CONFIRMING
    assert len(await events(db, "AdoptionRefused")) == 1


async def test_only_an_organiser_confirms_and_only_what_waits(db: Database, scene: Scene) -> None:
    await _set_rules(db, scene, organiser_confirms=True)
    adoption_id = await _offer(db, scene.rep, scene.pid)

    with pytest.raises(adoptions.NotAwaitingConfirmation):  # the team has not accepted
        async with db.transaction() as session:
            await adoptions.confirm_adoption(session, user=scene.organiser, adoption_id=adoption_id)
    await _accept(db, scene.coach, adoption_id)
    for user in (scene.coach, scene.rep):
        with pytest.raises(Forbidden):
            async with db.transaction() as session:
                await adoptions.confirm_adoption(session, user=user, adoption_id=adoption_id)

    assert (await _status(db, adoption_id)).status == AdoptionStatus.CONFIRMING


@pytest.mark.parametrize(
    "data",
    [
        {"godmothers": "many"},
        {"max_projects_per_sponsor": "0"},
        {"max_projects_per_sponsor": "-3"},
        {"max_projects_per_sponsor": "tre"},
    ],
)
def test_adoption_rules_refuse_nonsense(data: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        validate(AdoptionRulesUpdate, data)


def test_adoption_rules_form_defaults() -> None:
    data = validate(AdoptionRulesUpdate, {"max_projects_per_sponsor": ""})

    assert data == AdoptionRulesUpdate(
        godmothers="single", max_projects_per_sponsor=None, organiser_confirms=False
    )


async def test_rules_are_set_once_per_challenge_and_changed_in_place(
    db: Database, scene: Scene
) -> None:
    await _set_rules(db, scene, godmothers="several", max_projects_per_sponsor=3)
    await _set_rules(db, scene, organiser_confirms=True)

    async with db.read() as session:
        stored = list((await session.execute(select(AdoptionRules))).scalars())
    assert [
        (r.single_godmother, r.max_projects_per_sponsor, r.organiser_confirms) for r in stored
    ] == [(True, None, True)]
    assert (await actions(db)).count("adoption.rules_changed") == 2
