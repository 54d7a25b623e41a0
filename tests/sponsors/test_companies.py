"""Sponsor organisations once: one company across challenges and editions, its profile and
logo, organisers creating or joining it, its representatives acting in every challenge it
joins, and its public page with the projects it adopted."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Track
from app.db import Database
from app.sponsors.models import (
    Adoption,
    AdoptionStatus,
    Company,
    CompanyRepresentative,
    Sponsor,
    SponsorRepresentative,
)
from app.teams.models import Project
from tests.factories import (
    Actors,
    make_challenge,
    make_project,
    make_sponsor,
    make_team,
    post_form,
    unpublish,
)
from tests.sponsors.conftest import Scene


def png(width: int = 64, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, format="PNG")
    return out.getvalue()


async def company_of(db: Database, sponsor: Sponsor) -> Company:
    async with db.read() as session:
        found = await session.get(Company, sponsor.company_id)
    assert found is not None
    return found


async def count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return (await session.execute(query)).scalar_one()


async def adopt(
    db: Database,
    scene: Scene,
    project: Project,
    status: AdoptionStatus,
    sponsor: Sponsor | None = None,
) -> Adoption:
    sponsor = sponsor or scene.sponsor
    assert scene.rep.id is not None and sponsor.id is not None and project.id is not None
    async with db.transaction() as session:
        adoption = Adoption(
            challenge_id=project.challenge_id,
            sponsor_id=sponsor.id,
            project_id=project.id,
            status=status,
            mentoring_hours=10,
            internships=2,
            proposed_by=scene.rep.id,
        )
        session.add(adoption)
    return adoption


async def test_a_company_created_twice_whatever_the_case_is_refused(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other = await make_challenge(db, organiser=scene.organiser)
    async with await actors.api(scene.organiser) as http:
        response = await http.post(
            f"/api/v1/challenges/{other.id}/sponsors", json={"name": "  ACME s.p.a. "}
        )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "company_name_taken"
    assert response.json()["error"]["fields"] == {"name": response.json()["error"]["message"]}
    assert await count(db, Company) == 1
    assert await count(db, Sponsor) == 1


async def test_organiser_joins_an_existing_company_and_its_people_act_there(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other = await make_challenge(db, organiser=scene.organiser)
    company = await company_of(db, scene.sponsor)
    async with await actors.api(scene.organiser) as http:
        joined = await http.post(
            f"/api/v1/challenges/{other.id}/sponsors/join", json={"company_id": company.id}
        )
        again = await http.post(
            f"/api/v1/challenges/{other.id}/sponsors/join", json={"company_id": company.id}
        )

    assert joined.status_code == 201
    assert joined.json()["name"] == "Acme S.p.A."
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "company_joined_already"
    assert await count(db, Sponsor, Sponsor.challenge_id == other.id) == 1
    async with db.read() as session:
        linked = await session.execute(
            select(SponsorRepresentative.user_id).where(
                SponsorRepresentative.sponsor_id == joined.json()["id"]
            )
        )
        roles = await session.execute(
            select(Role.kind).where(Role.user_id == scene.rep.id, Role.challenge_id == other.id)
        )
    assert list(linked.scalars()) == [scene.rep.id]
    assert list(roles.scalars()) == [RoleKind.SPONSOR]


async def test_joining_is_for_the_challenges_organisers(
    db: Database, actors: Actors, scene: Scene
) -> None:
    stranger = await actors.user()
    other = await make_challenge(db, organiser=stranger)
    company = await company_of(db, scene.sponsor)
    async with await actors.api(scene.organiser) as http:
        response = await http.post(
            f"/api/v1/challenges/{other.id}/sponsors/join", json={"company_id": company.id}
        )

    assert response.status_code == 403
    assert await count(db, Sponsor, Sponsor.challenge_id == other.id) == 0


async def test_joining_a_company_that_does_not_exist_is_not_found(
    actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.organiser) as http:
        response = await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors/join", json={"company_id": 999_999}
        )

    assert response.status_code == 404


async def test_a_representative_added_in_one_challenge_acts_in_every_other(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other = await make_challenge(db, organiser=scene.organiser)
    company = await company_of(db, scene.sponsor)
    person = await actors.user(email="giulia@example.org")
    async with await actors.api(scene.organiser) as http:
        joined = await http.post(
            f"/api/v1/challenges/{other.id}/sponsors/join", json={"company_id": company.id}
        )
        added = await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors/{scene.sponsor.id}/representatives",
            json={"email": "giulia@example.org"},
        )

    assert added.status_code == 201
    async with db.read() as session:
        reps = await session.execute(
            select(CompanyRepresentative.user_id)
            .where(CompanyRepresentative.company_id == company.id)
            .order_by(CompanyRepresentative.user_id)
        )
        there = await session.execute(
            select(SponsorRepresentative.user_id).where(
                SponsorRepresentative.sponsor_id == joined.json()["id"]
            )
        )
    assert list(reps.scalars()) == sorted([scene.rep.id, person.id])  # type: ignore[type-var]
    assert sorted(there.scalars()) == sorted([scene.rep.id, person.id])  # type: ignore[type-var]


async def test_representative_changes_the_profile_everywhere(
    db: Database, actors: Actors, scene: Scene
) -> None:
    company = await company_of(db, scene.sponsor)
    async with await actors.api(scene.rep) as http:
        response = await http.put(
            f"/api/v1/companies/{company.id}",
            json={
                "name": "Acme Italia S.p.A.",
                "sector": "Water",
                "town": "Mantova",
                "website": "acme.example",
                "description": "Pipes and sensors.",
                "offers": "Mentoring and internships in our lab.",
            },
        )

    assert response.status_code == 200
    assert response.json()["website"] == "https://acme.example"
    async with db.read() as session:
        sponsor = await session.get(Sponsor, scene.sponsor.id, populate_existing=True)
    assert sponsor is not None
    assert (sponsor.name, sponsor.website) == ("Acme Italia S.p.A.", "https://acme.example")


async def test_an_outsider_may_not_change_a_profile(
    db: Database, actors: Actors, scene: Scene
) -> None:
    company = await company_of(db, scene.sponsor)
    outsider = await actors.user()
    async with await actors.api(outsider) as http:
        refused = await http.put(f"/api/v1/companies/{company.id}", json={"name": "Mine"})
        missing = await http.put("/api/v1/companies/999999", json={"name": "Mine"})
    async with await actors.client(outsider) as browser:
        page = await browser.get(f"/companies/{company.id}/edit")

    assert refused.status_code == 403
    assert missing.status_code == 404
    assert page.status_code == 403
    assert (await company_of(db, scene.sponsor)).name == "Acme S.p.A."


async def test_renaming_to_another_companys_name_is_refused(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await make_sponsor(db, scene.challenge, representative=scene.rep, name="Beta S.r.l.")
    company = await company_of(db, scene.sponsor)
    async with await actors.client(scene.rep) as browser:
        response = await post_form(
            browser,
            f"/companies/{company.id}/edit",
            {"name": "BETA s.r.l.", "description": "kept"},
        )

    assert response.status_code == 409
    assert 'value="BETA s.r.l."' in response.text
    assert (await company_of(db, scene.sponsor)).name == "Acme S.p.A."


async def test_logo_is_a_real_image_of_bounded_size(
    db: Database, actors: Actors, scene: Scene
) -> None:
    company = await company_of(db, scene.sponsor)
    path = f"/companies/{company.id}/logo/edit"
    async with await actors.client(scene.rep) as browser:
        text = await post_form(
            browser, path, files={"file": ("logo.png", b"not an image at all", "image/png")}
        )
        huge = await post_form(
            browser, path, files={"file": ("logo.png", png(2400, 100), "image/png")}
        )
        heavy = await post_form(
            browser,
            path,
            files={"file": ("logo.png", png(64, 32) + b"\0" * (1024 * 1024), "image/png")},
        )
        assert (await company_of(db, scene.sponsor)).logo_key is None
        good = await post_form(browser, path, files={"file": ("logo.png", png(), "image/png")})
    async with actors.anonymous() as anonymous:
        shown = await anonymous.get(f"/companies/{company.id}/logo")
        page = await anonymous.get(f"/companies/{company.id}")

    assert text.status_code == 415
    assert "Il logo deve essere un&#39;immagine PNG o JPEG." in text.text
    assert huge.status_code == 413
    assert heavy.status_code == 413
    assert good.status_code == 303
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/png"
    assert f"/companies/{company.id}/logo?v=" in page.text


async def test_logo_through_the_api(db: Database, actors: Actors, scene: Scene) -> None:
    company = await company_of(db, scene.sponsor)
    async with await actors.api(scene.rep) as http:
        put = await http.put(
            f"/api/v1/companies/{company.id}/logo",
            files={"file": ("logo.png", png(), "image/png")},
        )
        removed = await http.delete(f"/api/v1/companies/{company.id}/logo")

    assert put.status_code == 200
    assert put.json()["has_logo"] is True
    assert removed.status_code == 204
    assert (await company_of(db, scene.sponsor)).logo_key is None


async def test_public_page_lists_what_the_project_pages_show(
    db: Database, actors: Actors, scene: Scene
) -> None:
    company = await company_of(db, scene.sponsor)
    # Last year's edition, the same company: an adoption completed there.
    last_year = await make_challenge(db, organiser=scene.organiser)
    old_sponsor = await make_sponsor(db, last_year, representative=scene.rep, name="Acme S.p.A.")
    old_team = await make_team(db, last_year, coach=scene.coach, name="3A Sole")
    old_project = await make_project(db, old_team, title="Solar benches")
    await adopt(db, scene, old_project, AdoptionStatus.COMPLETED, sponsor=old_sponsor)
    await adopt(db, scene, scene.project, AdoptionStatus.ACCEPTED)
    # Not shown: an offer waiting, a declined one, and an adoption in a draft challenge.
    team2 = await make_team(db, scene.challenge, coach=scene.coach, name="5C Vento")
    await adopt(
        db, scene, await make_project(db, team2, title="Wind maps"), AdoptionStatus.PROPOSED
    )
    team3 = await make_team(db, scene.challenge, coach=scene.coach, name="2D Terra")
    await adopt(db, scene, await make_project(db, team3, title="Compost"), AdoptionStatus.DECLINED)
    draft = await make_challenge(db, organiser=scene.organiser)
    draft_sponsor = await make_sponsor(db, draft, representative=scene.rep, name="Acme S.p.A.")
    draft_team = await make_team(db, draft, coach=scene.coach, name="1E Luna")
    draft_project = await make_project(db, draft_team, title="Secret draft")
    await adopt(db, scene, draft_project, AdoptionStatus.ACCEPTED, sponsor=draft_sponsor)
    await unpublish(db, draft)

    async with actors.anonymous() as http:
        api = await http.get(f"/api/v1/companies/{company.id}")
        page = await http.get(f"/companies/{company.id}")
        listing = await http.get(f"/challenges/{scene.cid}/sponsors")

    assert api.status_code == 200
    assert sorted(row["project_title"] for row in api.json()["adopted"]) == [
        "Rain sensors",
        "Solar benches",
    ]
    assert page.status_code == 200
    assert "Rain sensors" in page.text and "Solar benches" in page.text
    assert "Wind maps" not in page.text and "Secret draft" not in page.text
    assert "Compost" not in page.text
    assert f'href="/companies/{company.id}"' in listing.text


async def test_a_company_page_that_does_not_exist_is_not_found(actors: Actors) -> None:
    async with actors.anonymous() as http:
        page = await http.get("/companies/424242")
        api = await http.get("/api/v1/companies/424242")
        logo = await http.get("/companies/424242/logo")

    assert (page.status_code, api.status_code, logo.status_code) == (404, 404, 404)


async def test_organiser_finds_a_company_by_name_and_joins_it(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other = await make_challenge(db, organiser=scene.organiser)
    company = await company_of(db, scene.sponsor)
    async with await actors.client(scene.organiser) as browser:
        found = await browser.get(f"/challenges/{other.id}/sponsors/join", params={"q": "acme"})
        joined = await post_form(
            browser, f"/challenges/{other.id}/sponsors/join", {"company_id": str(company.id)}
        )
        twice = await post_form(
            browser, f"/challenges/{other.id}/sponsors/join", {"company_id": str(company.id)}
        )
        nothing = await browser.get(f"/challenges/{other.id}/sponsors/join", params={"q": "100%_"})

    assert found.status_code == 200
    assert "Acme S.p.A." in found.text
    assert joined.status_code == 303
    assert twice.status_code == 409
    assert nothing.status_code == 200
    assert "Acme S.p.A." not in nothing.text.split("<main", 1)[-1].split("</form>", 1)[-1]
    assert await count(db, Sponsor, Sponsor.challenge_id == other.id) == 1


async def test_the_creator_edits_a_company_until_it_has_a_representative(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.organiser) as http:
        created = await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors", json={"name": "Nuova S.r.l."}
        )
        async with db.read() as session:
            sponsor = await session.get(Sponsor, created.json()["id"])
        assert sponsor is not None
        before = await http.put(
            f"/api/v1/companies/{sponsor.company_id}",
            json={"name": "Nuova S.r.l.", "town": "Mantova"},
        )
        person: User = await actors.user(email="nina@example.org")
        await http.post(
            f"/api/v1/challenges/{scene.cid}/sponsors/{sponsor.id}/representatives",
            json={"email": person.email},
        )
        after = await http.put(
            f"/api/v1/companies/{sponsor.company_id}",
            json={"name": "Nuova S.r.l.", "town": "Asola"},
        )

    assert created.status_code == 201
    assert before.status_code == 200
    assert after.status_code == 403


async def test_company_proposes_its_track_and_the_organiser_accepts_it(
    db: Database, actors: Actors, scene: Scene
) -> None:
    base = f"/challenges/{scene.cid}/sponsors/{scene.sponsor.id}/track"
    async with await actors.client(scene.rep) as browser:
        shown = await browser.get(base)
        proposed = await post_form(
            browser, base, {"name": "La sfida di Acme", "description": "Sensori per l'acqua"}
        )
    async with await actors.client(scene.organiser) as browser:
        listing = await browser.get(f"/challenges/{scene.cid}/sponsors")
        accepted = await post_form(browser, f"{base}/accept")
    async with await actors.api(scene.rep) as http:
        late = await http.put(f"/api/v1{base}", json={"name": "Another"})

    assert shown.status_code == 200
    assert proposed.status_code == 303
    assert "La sfida di Acme" in listing.text
    assert accepted.status_code == 303
    async with db.read() as session:
        sponsor = await session.get(Sponsor, scene.sponsor.id)
        tracks = await session.execute(
            select(Track.name).where(
                Track.challenge_id == scene.cid, Track.name == "La sfida di Acme"
            )  # type: ignore[arg-type]
        )
    assert sponsor is not None and sponsor.track_id is not None
    assert list(tracks.scalars()) == ["La sfida di Acme"]
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "track_accepted_already"


async def test_track_is_proposed_by_the_company_and_accepted_by_organisers_only(
    db: Database, actors: Actors, scene: Scene
) -> None:
    base = f"/api/v1/challenges/{scene.cid}/sponsors/{scene.sponsor.id}/track"
    async with await actors.api(scene.organiser) as http:
        by_organiser = await http.put(base, json={"name": "Mine"})
        nothing = await http.post(f"{base}/accept")
    async with await actors.api(scene.rep) as http:
        proposed = await http.put(base, json={"name": "Acqua"})  # a track of that name exists
        by_rep = await http.post(f"{base}/accept")
    async with await actors.api(scene.organiser) as http:
        taken = await http.post(f"{base}/accept")

    assert by_organiser.status_code == 403
    assert nothing.status_code == 409
    assert nothing.json()["error"]["code"] == "no_track_proposed"
    assert proposed.status_code == 200
    assert by_rep.status_code == 403
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "track_name_taken"
    async with db.read() as session:
        sponsor = await session.get(Sponsor, scene.sponsor.id)
    assert sponsor is not None and sponsor.track_id is None


async def test_the_team_reaches_the_company_profile_from_an_offer(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption = await adopt(db, scene, scene.project, AdoptionStatus.PROPOSED)
    async with await actors.client(scene.coach) as browser:
        page = await browser.get(f"/adoptions/{adoption.id}")

    assert page.status_code == 200
    assert f'href="/companies/{scene.sponsor.company_id}"' in page.text
