"""Richer offers: commitments with an internship period, materials and a contact; amended
before acceptance with every version kept; the team's answer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.db import Database
from app.errors import Forbidden, ValidationFailed
from app.forms import validate
from app.sponsors import adoptions, offers
from app.sponsors.models import Adoption, AdoptionStatus, AdoptionVersion
from app.sponsors.schemas import AdoptionAmend, AdoptionCreate, AdoptionReply
from tests.factories import Actors, post_form
from tests.sponsors.conftest import Scene, actions, events

OFFER = AdoptionCreate(
    mentoring_hours=10,
    internships=2,
    internship_from=date(2027, 6, 14),
    internship_until=date(2027, 7, 9),
    materials="Accesso al laboratorio prove",
    contact_person="Ing. Paola Verdi",
    message="Bravi!",
)


async def _propose(db: Database, scene: Scene) -> int:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=OFFER
        )
    assert adoption.id is not None
    return adoption.id


async def _amend(db: Database, scene: Scene, adoption_id: int, **changes: object) -> Adoption:
    data = AdoptionAmend.model_validate({**OFFER.model_dump(exclude={"sponsor_id"}), **changes})
    async with db.transaction() as session:
        return await offers.amend_adoption(
            session, user=scene.rep, adoption_id=adoption_id, data=data
        )


async def _versions(db: Database) -> list[AdoptionVersion]:
    async with db.read() as session:
        found = await session.execute(select(AdoptionVersion).order_by(AdoptionVersion.version))
        return list(found.scalars())


async def test_an_offer_keeps_every_commitment_as_its_first_version(
    db: Database, scene: Scene
) -> None:
    adoption_id = await _propose(db, scene)

    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None
    assert (stored.internship_from, stored.internship_until) == (
        date(2027, 6, 14),
        date(2027, 7, 9),
    )
    assert (stored.materials, stored.contact_person, stored.version) == (
        "Accesso al laboratorio prove",
        "Ing. Paola Verdi",
        1,
    )
    versions = await _versions(db)
    assert [(v.version, v.mentoring_hours, v.contact_person) for v in versions] == [
        (1, 10, "Ing. Paola Verdi")
    ]


async def test_an_amendment_is_a_new_version_and_the_team_sees_what_changed(
    db: Database, scene: Scene
) -> None:
    adoption_id = await _propose(db, scene)

    amended = await _amend(db, scene, adoption_id, mentoring_hours=20, funding_eur=1500)

    versions = await _versions(db)
    assert amended.version == 2
    assert [v.version for v in versions] == [1, 2]
    assert offers.changes(versions[0], versions[1]) == [
        offers.Change("mentoring_hours", 10, 20),
        offers.Change("funding_eur", 0, 1500),
    ]
    assert [e["version"] for e in await events(db, "AdoptionAmended")] == [2]
    assert "adoption.amended" in await actions(db)


async def test_the_same_terms_again_make_no_new_version(db: Database, scene: Scene) -> None:
    adoption_id = await _propose(db, scene)

    again = await _amend(db, scene, adoption_id)

    assert again.version == 1
    assert len(await _versions(db)) == 1
    assert await events(db, "AdoptionAmended") == []


async def test_an_accepted_offer_cannot_be_amended(db: Database, scene: Scene) -> None:
    adoption_id = await _propose(db, scene)
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption_id)

    with pytest.raises(adoptions.AdoptionAnswered):
        await _amend(db, scene, adoption_id, mentoring_hours=1)

    assert len(await _versions(db)) == 1


async def test_only_the_company_amends_its_offer(db: Database, scene: Scene) -> None:
    adoption_id = await _propose(db, scene)
    data = AdoptionAmend(mentoring_hours=1)

    for user in (scene.coach, scene.organiser):
        with pytest.raises(Forbidden):
            async with db.transaction() as session:
                await offers.amend_adoption(session, user=user, adoption_id=adoption_id, data=data)

    assert len(await _versions(db)) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"internship_from": "2027-06-01"},  # a period without places
        {"internships": 1, "internship_from": "2027-06-10", "internship_until": "2027-06-01"},
        {"internships": 1, "internship_from": "giugno"},
        {"materials": "x" * 1001},
        {"contact_person": "y" * 201},
        {"funding_eur": 10_000_001},
        {"mentoring_hours": -2, "materials": "Laboratorio"},
    ],
)
def test_offer_terms_refuse_nonsense(data: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        validate(AdoptionCreate, data)


def test_materials_alone_are_an_offer() -> None:
    offer = validate(AdoptionCreate, {"materials": "Stampante 3D", "internship_from": ""})

    assert (offer.materials, offer.internship_from) == ("Stampante 3D", None)


async def test_the_coach_answers_the_company(db: Database, scene: Scene) -> None:
    adoption_id = await _propose(db, scene)

    async with db.transaction() as session:
        await offers.reply_to_adoption(
            session,
            user=scene.coach,
            adoption_id=adoption_id,
            data=AdoptionReply(message="Grazie, ne parliamo in classe"),
        )
    with pytest.raises(Forbidden):
        async with db.transaction() as session:
            await offers.reply_to_adoption(
                session, user=scene.rep, adoption_id=adoption_id, data=AdoptionReply(message="x")
            )

    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None and stored.team_message == "Grazie, ne parliamo in classe"
    assert len(await events(db, "AdoptionReplied")) == 1


def test_an_empty_answer_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        validate(AdoptionReply, {"message": "   "})


async def test_amend_page_prefills_the_offer_and_the_offer_page_shows_the_change(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _propose(db, scene)
    path = f"/adoptions/{adoption_id}/amend"
    async with await actors.client(scene.rep) as http:
        form = await http.get(path)
        saved = await post_form(
            http,
            path,
            {
                "mentoring_hours": "12",
                "internships": "2",
                "internship_from": "2027-06-14",
                "internship_until": "2027-07-09",
                "funding_eur": "0",
                "materials": "Accesso al laboratorio prove",
                "contact_person": "Ing. Paola Verdi",
                "message": "Bravi!",
            },
            form_page=path,
        )
    async with await actors.client(scene.coach) as http:
        page = await http.get(f"/adoptions/{adoption_id}")
        answered = await post_form(
            http,
            f"/adoptions/{adoption_id}/reply",
            {"message": "Ci vediamo a giugno"},
            form_page=f"/adoptions/{adoption_id}",
        )

    assert form.status_code == 200
    assert 'value="Ing. Paola Verdi"' in form.text
    assert saved.status_code == 303
    assert page.status_code == 200
    assert "Cosa ha cambiato" in page.text
    assert "<td>10</td><td>12</td>" in page.text
    assert answered.status_code == 303
    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None
    assert (stored.version, stored.mentoring_hours, stored.status) == (
        2,
        12,
        AdoptionStatus.PROPOSED,
    )
    assert stored.team_message == "Ci vediamo a giugno"


async def test_versions_api_lists_the_newest_first(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.rep) as http:
        offer = await http.post(
            f"/api/v1/projects/{scene.pid}/adoptions",
            json={"internships": 1, "contact_person": "Paola"},
        )
        adoption_id = offer.json()["id"]
        amended = await http.post(
            f"/api/v1/adoptions/{adoption_id}/amend",
            json={"internships": 2, "contact_person": "Paola"},
        )
    async with await actors.api(scene.coach) as http:
        versions = await http.get(f"/api/v1/adoptions/{adoption_id}/versions")

    assert amended.json()["version"] == 2
    assert [(v["version"], v["internships"]) for v in versions.json()] == [(2, 2), (1, 1)]
