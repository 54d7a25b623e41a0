"""The sponsors and adoptions JSON API."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import RoleKind
from app.db import Database
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor
from tests.factories import Actors, make_challenge, make_sponsor
from tests.sponsors.conftest import Scene


async def test_list_sponsors_is_public(actors: Actors, scene: Scene) -> None:
    async with actors.anonymous() as http:
        response = await http.get(f"/api/v1/challenges/{scene.cid}/sponsors")

    assert response.status_code == 200
    assert [s["name"] for s in response.json()] == ["Acme S.p.A."]


async def test_organiser_adds_sponsor_and_representative(
    db: Database, actors: Actors, scene: Scene
) -> None:
    person = await actors.user(email="laura@example.org")
    async with await actors.api(scene.organiser) as http:
        created = await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors",
            json={"name": "Gonzaga Mobilità", "website": "https://gonzaga.example"},
        )
        sponsor_id = created.json()["id"]
        linked = await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors/{sponsor_id}/representatives",
            json={"email": "laura@example.org"},
        )
        duplicate = await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors", json={"name": "Gonzaga Mobilità"}
        )

    assert created.status_code == 201
    assert linked.status_code == 201
    assert linked.json() == {
        "sponsor_id": sponsor_id,
        "user_id": person.id,
        "name": person.name,
        "email": "laura@example.org",
    }
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "company_name_taken"
    async with db.read() as session:
        assert (await session.get(Sponsor, sponsor_id)) is not None


async def test_add_sponsor_by_coach_is_403_and_without_token_401(
    actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.coach) as http:
        refused = await http.post(f"/api/v1/challenges/{scene.cid}/sponsors", json={"name": "X"})
    async with actors.anonymous() as http:
        anonymous = await http.post(f"/api/v1/challenges/{scene.cid}/sponsors", json={"name": "X"})

    assert (refused.status_code, anonymous.status_code) == (403, 401)


async def test_adoption_flow_over_the_api(db: Database, actors: Actors, scene: Scene) -> None:
    async with await actors.api(scene.rep) as rep:
        offered = await rep.post(
            f"/api/v1/projects/{scene.pid}/adoptions",
            json={"mentoring_hours": 8, "internships": 1, "message": "Ciao"},
        )
        again = await rep.post(f"/api/v1/projects/{scene.pid}/adoptions", json={"internships": 3})
    adoption_id = offered.json()["id"]
    async with await actors.api(scene.coach) as coach:
        accepted = await coach.post(f"/api/v1/adoptions/{adoption_id}/accept")
        twice = await coach.post(f"/api/v1/adoptions/{adoption_id}/decline")
    async with await actors.api(scene.organiser) as organiser:
        report = await organiser.get(f"/api/v1/challenges/{scene.cid}/adoptions")

    assert offered.status_code == 201
    assert offered.json()["status"] == "proposed"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "adoption_exists"
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert twice.status_code == 409
    assert report.json()["accepted"] == {
        "adoptions": 1,
        "mentoring_hours": 8,
        "internships": 1,
        "funding_eur": 0,
    }
    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None and stored.status == AdoptionStatus.ACCEPTED


async def test_adoption_with_bad_commitments_is_422(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.rep) as rep:
        zero = await rep.post(f"/api/v1/projects/{scene.pid}/adoptions", json={})
        negative = await rep.post(
            f"/api/v1/projects/{scene.pid}/adoptions", json={"funding_eur": -5}
        )

    assert zero.status_code == 422
    assert negative.status_code == 422
    assert "funding_eur" in negative.json()["error"]["fields"]
    async with db.read() as session:
        assert (await session.execute(select(Adoption))).first() is None


async def test_accept_by_a_participant_of_another_team_is_404_and_withdraw_by_rep_works(
    actors: Actors, scene: Scene
) -> None:
    student = await actors.user()
    await actors.grant(student, scene.cid, RoleKind.PARTICIPANT)
    async with await actors.api(scene.rep) as rep:
        offered = await rep.post(f"/api/v1/projects/{scene.pid}/adoptions", json={"internships": 1})
        adoption_id = offered.json()["id"]
        async with await actors.api(student) as other:
            refused = await other.post(f"/api/v1/adoptions/{adoption_id}/accept")
        withdrawn = await rep.post(f"/api/v1/adoptions/{adoption_id}/withdraw")

    # Another team's offer is not the student's to see.
    assert refused.status_code == 404
    assert withdrawn.json()["status"] == "withdrawn"


async def test_sponsor_of_another_challenge_is_not_allowed_in_a_challenge_it_may_see(
    db: Database, actors: Actors, scene: Scene
) -> None:
    elsewhere = await make_challenge(db)
    stranger = await actors.user()
    await make_sponsor(db, elsewhere, representative=stranger)

    async with await actors.api(stranger) as http:
        offered = await http.post(
            f"/api/v1/projects/{scene.pid}/adoptions", json={"internships": 1}
        )
        report = await http.get(f"/api/v1/challenges/{scene.cid}/adoptions")
        nonsense = await http.post("/api/v1/adoptions/abc/accept")

    # The challenge is published: it may see it (403), but "abc" names no offer (404).
    assert (offered.status_code, report.status_code, nonsense.status_code) == (403, 403, 404)
