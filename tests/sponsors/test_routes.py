"""Sponsor and adoption pages: responses and what they leave in the database."""

from __future__ import annotations

import re

from sqlalchemy import func, select, update
from sqlmodel import col

from app.accounts.models import Role, RoleKind
from app.challenges.models import Challenge, Programme
from app.db import Database
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor, SponsorRepresentative
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team, post_form
from tests.queries import sql_statements
from tests.sponsors.conftest import Scene


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_sponsors_page_lists_sponsors_for_everybody(actors: Actors, scene: Scene) -> None:
    async with actors.anonymous() as http:
        response = await http.get(f"/challenges/{scene.cid}/sponsors")

    assert response.status_code == 200
    assert "Acme S.p.A." in response.text
    assert scene.rep.email not in response.text  # representatives are for organisers only


async def test_sponsors_page_of_draft_challenge_is_404_to_the_public(
    db: Database, actors: Actors
) -> None:
    draft = await make_challenge(db, published=False)

    async with actors.anonymous() as http:
        response = await http.get(f"/challenges/{draft.id}/sponsors")

    assert response.status_code == 404


async def test_organiser_adds_sponsor_with_form(db: Database, actors: Actors, scene: Scene) -> None:
    page = f"/challenges/{scene.cid}/sponsors"
    async with await actors.client(scene.organiser) as http:
        response = await post_form(
            http,
            page,
            {"name": "  Latteria  Po ", "website": "latteria.example.it", "description": "Latte"},
            form_page=page,
        )

    assert response.status_code == 303
    async with db.read() as session:
        added = (
            await session.execute(select(Sponsor).where(Sponsor.name == "Latteria Po"))
        ).scalar_one()
    assert (added.challenge_id, added.website) == (scene.cid, "https://latteria.example.it")


async def test_add_sponsor_with_bad_input_reshows_form_with_422(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/challenges/{scene.cid}/sponsors"
    async with await actors.client(scene.organiser) as http:
        response = await post_form(
            http,
            page,
            {"name": " ", "website": "not a site", "description": "<b>x"},
            form_page=page,
        )

    assert response.status_code == 422
    assert 'id="e-name"' in response.text and 'id="e-website"' in response.text
    assert "&lt;b&gt;x" in response.text
    assert await _count(db, Sponsor) == 1


async def test_add_sponsor_with_taken_name_is_409(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/challenges/{scene.cid}/sponsors"
    async with await actors.client(scene.organiser) as http:
        response = await post_form(http, page, {"name": "Acme S.p.A."}, form_page=page)

    assert response.status_code == 409
    assert 'id="e-name"' in response.text
    assert await _count(db, Sponsor) == 1


async def test_participant_cannot_add_sponsor(db: Database, actors: Actors, scene: Scene) -> None:
    student = await actors.user()
    await actors.grant(student, scene.cid, RoleKind.PARTICIPANT)
    page = f"/challenges/{scene.cid}/sponsors"

    async with await actors.client(student) as http:
        response = await post_form(http, page, {"name": "Sneaky"}, form_page=page)

    assert response.status_code == 403
    assert await _count(db, Sponsor) == 1


async def test_organiser_links_representative_by_email(
    db: Database, actors: Actors, scene: Scene
) -> None:
    newcomer = await actors.user(email="giorgio@example.org")
    page = f"/challenges/{scene.cid}/sponsors"

    async with await actors.client(scene.organiser) as http:
        response = await post_form(
            http,
            f"{page}/representatives",
            {"sponsor_id": str(scene.sponsor.id), "email": "Giorgio@Example.org"},
            form_page=page,
        )
        listing = await http.get(page)

    assert response.status_code == 303
    assert "giorgio@example.org" in listing.text
    async with db.read() as session:
        link = await session.execute(
            select(SponsorRepresentative).where(SponsorRepresentative.user_id == newcomer.id)
        )
        role = await session.execute(
            select(Role.kind).where(Role.user_id == newcomer.id, Role.challenge_id == scene.cid)
        )
    assert link.scalar_one().sponsor_id == scene.sponsor.id
    assert role.scalar_one() == RoleKind.SPONSOR


async def test_link_representative_without_account_is_422(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/challenges/{scene.cid}/sponsors"
    async with await actors.client(scene.organiser) as http:
        response = await post_form(
            http,
            f"{page}/representatives",
            {"sponsor_id": str(scene.sponsor.id), "email": "nobody@example.org"},
            form_page=page,
        )

    assert response.status_code == 422
    assert 'value="nobody@example.org"' in response.text
    assert await _count(db, SponsorRepresentative) == 1


async def test_sponsors_page_offers_to_invite_a_representative_without_an_account(
    actors: Actors, scene: Scene
) -> None:
    """Linking needs an existing account: the page leads the organiser to the invitation
    form, whose e-mailed link makes the account and the representative at once."""
    async with await actors.client(scene.organiser) as http:
        organiser_page = await http.get(f"/challenges/{scene.cid}/sponsors")
    async with actors.anonymous() as http:
        public_page = await http.get(f"/challenges/{scene.cid}/sponsors")

    invitations = f'href="/challenges/{scene.cid}/invitations"'
    assert invitations in organiser_page.text
    assert invitations not in public_page.text


async def test_dashboard_lists_submitted_projects_filtered_by_track(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.client(scene.rep) as http:
        everything = await http.get(f"/challenges/{scene.cid}/sponsor")
        filtered = await http.get(f"/challenges/{scene.cid}/sponsor?track=999999")

    assert everything.status_code == 200
    assert "Rain sensors" in everything.text
    assert f'href="/projects/{scene.pid}/adopt"' in everything.text
    assert filtered.status_code == 404  # a track of no challenge of ours


async def test_dashboard_for_non_representatives_is_403(actors: Actors, scene: Scene) -> None:
    async with await actors.client(scene.coach) as http:
        coach = await http.get(f"/challenges/{scene.cid}/sponsor")
    async with await actors.client(await actors.user()) as http:
        outsider = await http.get(f"/challenges/{scene.cid}/sponsor")

    # The challenge is published, so both may see it: the dashboard is not theirs (403).
    assert (coach.status_code, outsider.status_code) == (403, 403)


async def test_dashboard_makes_the_same_queries_for_more_projects(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.client(scene.rep) as http:
        await http.get(f"/challenges/{scene.cid}/sponsor")
        with sql_statements(db) as few:
            await http.get(f"/challenges/{scene.cid}/sponsor")
        for _ in range(4):
            team = await make_team(db, scene.challenge, coach=scene.coach)
            await make_project(db, team)
        with sql_statements(db) as many:
            page = await http.get(f"/challenges/{scene.cid}/sponsor")

    assert page.text.count("/adopt") == 5
    assert len(many) == len(few)


async def test_propose_with_form_creates_offer_and_redirects(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/projects/{scene.pid}/adopt"
    async with await actors.client(scene.rep) as http:
        form = await http.get(page)
        response = await post_form(
            http,
            page,
            {
                "sponsor_id": str(scene.sponsor.id),
                "mentoring_hours": "12",
                "internships": "",
                "funding_eur": "0",
                "message": "Vi seguiamo noi",
            },
            form_page=page,
        )

    assert form.status_code == 200 and "Rain sensors" in form.text
    assert response.status_code == 303
    assert response.headers["location"] == f"/challenges/{scene.cid}/sponsor"
    async with db.read() as session:
        adoption = (await session.execute(select(Adoption))).scalar_one()
    assert (adoption.mentoring_hours, adoption.internships, adoption.message) == (
        12,
        0,
        "Vi seguiamo noi",
    )


async def test_propose_with_no_commitment_reshows_form_with_422(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/projects/{scene.pid}/adopt"
    async with await actors.client(scene.rep) as http:
        response = await post_form(
            http,
            page,
            {"mentoring_hours": "0", "internships": "-3", "message": "Ciao"},
            form_page=page,
        )

    assert response.status_code == 422
    assert 'id="e-internships"' in response.text
    assert ">Ciao</textarea>" in response.text
    assert await _count(db, Adoption) == 0


async def test_propose_twice_reshows_form_with_409_message(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/projects/{scene.pid}/adopt"
    async with await actors.client(scene.rep) as http:
        await post_form(http, page, {"internships": "1"}, form_page=page)
        again = await post_form(http, page, {"internships": "2"}, form_page=page)

    assert again.status_code == 409
    assert 'role="alert"' in again.text
    assert await _count(db, Adoption) == 1


async def test_coach_accepts_offer_on_team_page(db: Database, actors: Actors, scene: Scene) -> None:
    async with await actors.client(scene.rep) as http:
        await post_form(
            http,
            f"/projects/{scene.pid}/adopt",
            {"internships": "2"},
            form_page=f"/projects/{scene.pid}/adopt",
        )
    async with db.read() as session:
        adoption = (await session.execute(select(Adoption))).scalar_one()
    team_page = f"/teams/{scene.team.id}/adoptions"

    async with await actors.client(scene.coach) as http:
        shown = await http.get(team_page)
        response = await post_form(
            http, f"/adoptions/{adoption.id}/accept", {"next": team_page}, form_page=team_page
        )

    assert shown.status_code == 200
    assert f'action="/adoptions/{adoption.id}/accept"' in shown.text
    assert (response.status_code, response.headers["location"]) == (303, team_page)
    async with db.read() as session:
        assert (await session.get(Adoption, adoption.id)).status == AdoptionStatus.ACCEPTED  # type: ignore[union-attr]


async def test_accept_by_another_coach_is_404_and_changes_nothing(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.client(scene.rep) as http:
        page = f"/projects/{scene.pid}/adopt"
        await post_form(http, page, {"internships": "2"}, form_page=page)
    async with db.read() as session:
        adoption = (await session.execute(select(Adoption))).scalar_one()
    other_coach = await actors.user()
    await make_team(db, scene.challenge, coach=other_coach)

    async with await actors.client(other_coach) as http:
        team_page = await http.get(f"/teams/{scene.team.id}/adoptions")
        response = await post_form(http, f"/adoptions/{adoption.id}/accept", form_page="/")

    # Another team and its offers are not the coach's to see.
    assert (team_page.status_code, response.status_code) == (404, 404)
    async with db.read() as session:
        assert (await session.get(Adoption, adoption.id)).status == AdoptionStatus.PROPOSED  # type: ignore[union-attr]


async def test_representative_withdraws_offer_from_dashboard(
    db: Database, actors: Actors, scene: Scene
) -> None:
    dashboard = f"/challenges/{scene.cid}/sponsor"
    async with await actors.client(scene.rep) as http:
        page = f"/projects/{scene.pid}/adopt"
        await post_form(http, page, {"funding_eur": "300"}, form_page=page)
        async with db.read() as session:
            adoption = (await session.execute(select(Adoption))).scalar_one()
        shown = await http.get(dashboard)
        response = await post_form(
            http, f"/adoptions/{adoption.id}/withdraw", {"next": dashboard}, form_page=dashboard
        )

    assert f'action="/adoptions/{adoption.id}/withdraw"' in shown.text
    assert (response.status_code, response.headers["location"]) == (303, dashboard)
    async with db.read() as session:
        assert (await session.get(Adoption, adoption.id)).status == AdoptionStatus.WITHDRAWN  # type: ignore[union-attr]


async def test_organiser_report_shows_totals_of_accepted_and_pending(
    db: Database, actors: Actors, scene: Scene
) -> None:
    second_rep = await actors.user()
    second = await make_sponsor(db, scene.challenge, representative=second_rep, name="Beta Srl")
    async with db.transaction() as session:
        for sponsor_id, status, hours in (
            (scene.sponsor.id, AdoptionStatus.ACCEPTED, 7),
            (second.id, AdoptionStatus.PROPOSED, 5),
        ):
            assert sponsor_id is not None and scene.rep.id is not None
            session.add(
                Adoption(
                    challenge_id=scene.cid,
                    sponsor_id=sponsor_id,
                    project_id=scene.pid,
                    status=status,
                    mentoring_hours=hours,
                    internships=1,
                    funding_eur=1500,
                    proposed_by=scene.rep.id,
                )
            )

    async with await actors.client(scene.organiser) as http:
        report = await http.get(f"/challenges/{scene.cid}/adoptions")
    async with await actors.client(scene.coach) as http:
        refused = await http.get(f"/challenges/{scene.cid}/adoptions")

    assert report.status_code == 200
    assert "<td>7</td>" in report.text and "<td>5</td>" in report.text
    assert "Beta Srl" in report.text
    assert refused.status_code == 403


async def test_challenge_report_leads_to_the_report_of_its_programme(
    db: Database, actors: Actors, scene: Scene
) -> None:
    """The organiser who follows a stage's adoptions finds the whole programme's report."""
    page = f"/challenges/{scene.cid}/adoptions"
    async with await actors.client(scene.organiser) as http:
        alone = await http.get(page)
    async with db.transaction() as session:
        assert scene.organiser.id is not None
        programme = Programme(slug="percorsi", name="Percorsi", owner_id=scene.organiser.id)
        session.add(programme)
        await session.flush()
        await session.execute(
            update(Challenge)
            .where(col(Challenge.id) == scene.cid)
            .values(programme_id=programme.id, stage=1)
        )
    async with await actors.client(scene.organiser) as http:
        staged = await http.get(page)

    assert alone.status_code == staged.status_code == 200
    assert not re.search(r'href="/programmes/\d+/adoptions"', alone.text)
    assert f'href="/programmes/{programme.id}/adoptions"' in staged.text


async def test_commitments_are_counted_in_the_singular_and_the_plural(
    db: Database, actors: Actors, scene: Scene
) -> None:
    second = await make_sponsor(db, scene.challenge, representative=await actors.user(), name="B")
    async with db.transaction() as session:
        for sponsor_id, hours, places in ((scene.sponsor.id, 1, 1), (second.id, 2, 3)):
            assert sponsor_id is not None and scene.rep.id is not None
            session.add(
                Adoption(
                    challenge_id=scene.cid,
                    sponsor_id=sponsor_id,
                    project_id=scene.pid,
                    mentoring_hours=hours,
                    internships=places,
                    proposed_by=scene.rep.id,
                )
            )

    async with await actors.client(scene.organiser) as http:
        italian = await http.get(f"/challenges/{scene.cid}/adoptions")
        english = await http.get(f"/challenges/{scene.cid}/adoptions?lang=en")

    for one, more in (
        ("1 ora di mentoring", "2 ore di mentoring"),
        ("1 posto di tirocinio", "3 posti di tirocinio"),
    ):
        assert f"<li>{one}</li>" in italian.text and f"<li>{more}</li>" in italian.text
    for one, more in (
        ("1 hour of mentoring", "2 hours of mentoring"),
        ("1 internship place", "3 internship places"),
    ):
        assert f"<li>{one}</li>" in english.text and f"<li>{more}</li>" in english.text


async def test_action_redirect_stays_on_this_site(
    db: Database, actors: Actors, scene: Scene
) -> None:
    dashboard = f"/challenges/{scene.cid}/sponsor"
    async with await actors.client(scene.rep) as http:
        page = f"/projects/{scene.pid}/adopt"
        await post_form(http, page, {"internships": "1"}, form_page=page)
        async with db.read() as session:
            adoption = (await session.execute(select(Adoption))).scalar_one()
        response = await post_form(
            http,
            f"/adoptions/{adoption.id}/withdraw",
            {"next": "/\\evil.example/"},
            form_page=dashboard,
        )

    assert response.headers["location"] == dashboard
