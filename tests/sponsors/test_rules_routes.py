"""The adoption rules' page and API, and an organiser confirming or refusing on the pages."""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database
from app.sponsors.models import Adoption, AdoptionRules, AdoptionStatus
from tests.factories import Actors, post_form
from tests.sponsors.conftest import Scene


async def _rules(db: Database) -> list[tuple[bool, int | None, bool]]:
    async with db.read() as session:
        found = (await session.execute(select(AdoptionRules))).scalars()
        return [
            (r.single_godmother, r.max_projects_per_sponsor, r.organiser_confirms) for r in found
        ]


async def test_organiser_sets_the_rules_on_the_page(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/challenges/{scene.cid}/adoption-rules"
    async with await actors.client(scene.organiser) as http:
        shown = await http.get(page)
        response = await post_form(
            http,
            page,
            {"godmothers": "several", "max_projects_per_sponsor": "3", "organiser_confirms": "on"},
            form_page=page,
        )
        report = await http.get(f"/challenges/{scene.cid}/adoptions")

    assert shown.status_code == 200
    assert response.status_code == 303
    assert response.headers["location"] == f"/challenges/{scene.cid}/adoptions"
    assert await _rules(db) == [(False, 3, True)]
    assert "Al massimo 3 progetti per impresa" in report.text


async def test_rules_form_with_a_bad_quota_is_shown_again_with_422(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/challenges/{scene.cid}/adoption-rules"
    async with await actors.client(scene.organiser) as http:
        response = await post_form(
            http, page, {"godmothers": "several", "max_projects_per_sponsor": "0"}, form_page=page
        )

    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert await _rules(db) == []


async def test_rules_page_is_403_to_a_sponsor(db: Database, actors: Actors, scene: Scene) -> None:
    page = f"/challenges/{scene.cid}/adoption-rules"
    async with await actors.client(scene.rep) as http:
        shown = await http.get(page)
        posted = await post_form(http, page, {"godmothers": "several"}, form_page="/challenges")

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert await _rules(db) == []


async def test_rules_api_reads_defaults_and_organiser_changes_them(
    db: Database, actors: Actors, scene: Scene
) -> None:
    path = f"/api/v1/challenges/{scene.cid}/adoption-rules"
    async with actors.anonymous() as http:
        defaults = await http.get(path)
    async with await actors.api(scene.organiser) as http:
        changed = await http.put(path, json={"godmothers": "single", "max_projects_per_sponsor": 2})
        nonsense = await http.put(path, json={"godmothers": "all"})
    async with await actors.api(scene.rep) as http:
        refused = await http.put(path, json={"godmothers": "several"})

    assert defaults.json() == {
        "challenge_id": scene.cid,
        "godmothers": "single",
        "max_projects_per_sponsor": None,
        "organiser_confirms": False,
        "overdue_weeks": 4,
    }
    assert changed.status_code == 200
    assert changed.json()["max_projects_per_sponsor"] == 2
    assert (nonsense.status_code, refused.status_code) == (422, 403)
    assert await _rules(db) == [(True, 2, False)]


async def test_confirmation_on_the_pages_from_acceptance_to_refusal(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.organiser) as http:
        await http.put(
            f"/api/v1/challenges/{scene.cid}/adoption-rules",
            json={"godmothers": "single", "organiser_confirms": True},
        )
    async with await actors.api(scene.rep) as http:
        offer = await http.post(f"/api/v1/projects/{scene.pid}/adoptions", json={"internships": 1})
    adoption_id = offer.json()["id"]
    async with await actors.client(scene.coach) as http:
        accepted = await post_form(
            http, f"/adoptions/{adoption_id}/accept", form_page=f"/teams/{scene.team.id}/adoptions"
        )
        team_page = await http.get(f"/teams/{scene.team.id}/adoptions")
    report_path = f"/challenges/{scene.cid}/adoptions"
    async with await actors.client(scene.organiser) as http:
        report = await http.get(report_path)
        form = await http.get(f"/adoptions/{adoption_id}/refuse")
        refused = await post_form(
            http,
            f"/adoptions/{adoption_id}/refuse",
            {"reason": "Manca il referente"},
            form_page=report_path,
        )
    async with await actors.client(scene.rep) as http:
        dashboard = await http.get(f"/challenges/{scene.cid}/sponsor")

    assert accepted.status_code == 303
    assert "Accettata, in attesa degli organizzatori" in team_page.text
    assert f"/adoptions/{adoption_id}/confirm" in report.text
    assert form.status_code == 200
    assert refused.status_code == 303
    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None
    assert (stored.status, stored.reason) == (AdoptionStatus.REFUSED, "Manca il referente")
    assert "Non confermata dagli organizzatori" in dashboard.text


async def test_organiser_confirms_on_the_page(db: Database, actors: Actors, scene: Scene) -> None:
    async with await actors.api(scene.organiser) as http:
        await http.put(
            f"/api/v1/challenges/{scene.cid}/adoption-rules",
            json={"organiser_confirms": True},
        )
    async with await actors.api(scene.rep) as http:
        offer = await http.post(f"/api/v1/projects/{scene.pid}/adoptions", json={"internships": 1})
    adoption_id = offer.json()["id"]
    async with await actors.api(scene.coach) as http:
        waiting = await http.post(f"/api/v1/adoptions/{adoption_id}/accept")
    report_path = f"/challenges/{scene.cid}/adoptions"
    async with await actors.client(scene.organiser) as http:
        confirmed = await post_form(
            http,
            f"/adoptions/{adoption_id}/confirm",
            {"next": report_path},
            form_page=report_path,
        )

    assert waiting.json()["status"] == "confirming"
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, report_path)
    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None and stored.status == AdoptionStatus.ACCEPTED


async def test_organiser_sets_the_weeks_before_an_adoption_is_overdue(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/challenges/{scene.cid}/adoption-rules"
    async with await actors.client(scene.organiser) as http:
        shown = await http.get(page)
        zero = await post_form(
            http, page, {"godmothers": "single", "overdue_weeks": "0"}, form_page=page
        )
        six = await post_form(
            http, page, {"godmothers": "single", "overdue_weeks": "6"}, form_page=page
        )
        report = await http.get(f"/challenges/{scene.cid}/adoptions")

    assert 'name="overdue_weeks"' in shown.text and 'value="4"' in shown.text
    assert (zero.status_code, six.status_code) == (422, 303)
    async with db.read() as session:
        found = await session.get(AdoptionRules, scene.cid)
    assert found is not None and found.overdue_weeks == 6
    assert "In ritardo dopo 6 settimane senza una tappa confermata" in report.text
