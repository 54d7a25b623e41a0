"""The dashboard of a company's representatives across challenges and editions: offers and
their states, adopted projects with their follow-up, milestones waiting."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from app.accounts.models import Role, RoleKind
from app.db import Database, utcnow
from app.sponsors.models import AdoptionMilestone, AdoptionStatus, MilestoneKind, Side
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team
from tests.sponsors.conftest import Scene
from tests.sponsors.test_companies import adopt


async def _two_editions(db: Database, scene: Scene) -> tuple[int, int]:
    """This year's proposed offer, last year's accepted adoption with 4 of 10 hours done and
    a session waiting for the company's confirmation."""
    last_year = await make_challenge(db, organiser=scene.organiser)
    sponsor = await make_sponsor(db, last_year, representative=scene.rep, name="Acme S.p.A.")
    team = await make_team(db, last_year, coach=scene.coach, name="3A Sole")
    project = await make_project(db, team, title="Solar benches")
    accepted = await adopt(db, scene, project, AdoptionStatus.ACCEPTED, sponsor=sponsor)
    proposed = await adopt(db, scene, scene.project, AdoptionStatus.PROPOSED)
    assert accepted.id is not None and proposed.id is not None
    async with db.transaction() as session:
        for hours, confirmed in ((4, True), (2, False)):
            session.add(
                AdoptionMilestone(
                    adoption_id=accepted.id,
                    kind=MilestoneKind.MENTORING,
                    happened_on=date(2026, 3, hours),
                    hours=hours,
                    proposed_side=Side.TEAM,
                    proposed_by=scene.coach.id or 0,
                    confirmed_by=scene.rep.id if confirmed else None,
                    confirmed_at=utcnow() if confirmed else None,
                )
            )
    assert last_year.id is not None
    return accepted.id, last_year.id


async def test_dashboard_api_shows_every_edition_with_progress(
    db: Database, actors: Actors, scene: Scene
) -> None:
    accepted_id, _last_year = await _two_editions(db, scene)
    async with await actors.api(scene.rep) as http:
        response = await http.get("/api/v1/sponsor/dashboard")

    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body["companies"]] == ["Acme S.p.A."]
    assert len(body["challenges"]) == 2
    assert body["counts"] == {"accepted": 1, "proposed": 1}
    accepted = next(o for o in body["offers"] if o["adoption_id"] == accepted_id)
    assert accepted["progress"]["mentoring_hours_done"] == 4
    assert accepted["progress"]["mentoring_hours_promised"] == 10
    proposed = next(o for o in body["offers"] if o["status"] == "proposed")
    assert proposed["progress"] is None
    assert [(m["adoption_id"], m["waiting_for"]) for m in body["next_milestones"]] == [
        (accepted_id, "sponsor")
    ]


async def test_dashboard_leaves_out_a_challenge_whose_role_was_taken_away(
    db: Database, actors: Actors, scene: Scene
) -> None:
    _accepted, last_year = await _two_editions(db, scene)
    async with db.transaction() as session:
        await session.execute(
            delete(Role).where(
                Role.user_id == scene.rep.id,  # type: ignore[arg-type]
                Role.challenge_id == last_year,  # type: ignore[arg-type]
                Role.kind == RoleKind.SPONSOR,  # type: ignore[arg-type]
            )
        )
    async with await actors.api(scene.rep) as http:
        body = (await http.get("/api/v1/sponsor/dashboard")).json()

    assert [c["challenge_id"] for c in body["challenges"]] == [scene.cid]
    assert [o["project_title"] for o in body["offers"]] == ["Rain sensors"]
    assert body["next_milestones"] == []


async def test_dashboard_page_in_italian_and_english(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _two_editions(db, scene)
    async with await actors.client(scene.rep) as browser:
        italian = await browser.get("/sponsor")
        english = await browser.get("/sponsor?lang=en")

    assert italian.status_code == 200
    assert "Solar benches" in italian.text and "Rain sensors" in italian.text
    assert "Prossime tappe" in italian.text
    assert english.status_code == 200
    assert "Next milestones" in english.text
    assert 'name="viewport"' in italian.text


async def test_someone_who_represents_no_company_sees_an_empty_dashboard(
    actors: Actors,
) -> None:
    person = await actors.user()
    async with await actors.api(person) as http:
        response = await http.get("/api/v1/sponsor/dashboard")
    async with actors.anonymous() as anonymous:
        refused = await anonymous.get("/api/v1/sponsor/dashboard")

    assert response.json() == {
        "companies": [],
        "challenges": [],
        "offers": [],
        "next_milestones": [],
        "counts": {},
    }
    assert refused.status_code == 401
