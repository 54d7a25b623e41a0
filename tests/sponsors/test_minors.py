"""Minors: a company never sees the students' names before its adoption is accepted, on any
page, API answer or e-mail it gets; afterwards the coach is its contact and each member shows
only what the coach recorded as consented."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import func, select
from starlette.applications import Starlette

from app.challenges.models import Track
from app.db import Database, utcnow
from app.sponsors.models import Adoption, AdoptionStatus, MemberSponsorConsent, NameShown
from app.teams import service as teams_service
from app.teams.models import TeamMember
from app.teams.schemas import MemberInput, TeamInput
from tests.certificates.smtp import SmtpSink
from tests.factories import Actors, make_team, post_form, run_jobs
from tests.notifications import test_notifications as notifications
from tests.sponsors.conftest import Scene

sink = notifications.sink
# The factory's members of the scene's team: Giulia Bianchi and Luca Verdi.
NAMES = ("Giulia", "Bianchi", "Luca", "Verdi")


def _leaks(text: str) -> list[str]:
    return [name for name in NAMES if name in text]


def _mail_text(message: EmailMessage) -> str:
    parts = [str(message["Subject"])]
    for kind in ("plain", "html"):
        part = message.get_body((kind,))
        if part is not None:
            parts.append(str(part.get_content()))
    return "\n".join(parts)


async def _offer(actors: Actors, scene: Scene) -> int:
    async with await actors.api(scene.rep) as api:
        response = await api.post(
            f"/api/v1/projects/{scene.pid}/adoptions", json={"mentoring_hours": 10}
        )
        await api.put(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")
    assert response.status_code == 201, response.text
    adoption_id: int = response.json()["id"]
    return adoption_id


async def _accept(actors: Actors, scene: Scene, adoption_id: int) -> None:
    async with await actors.api(scene.coach) as api:
        response = await api.post(f"/api/v1/adoptions/{adoption_id}/accept")
    assert (response.status_code, response.json()["status"]) == (200, "accepted")


def _sponsor_pages(scene: Scene, adoption_id: int) -> list[str]:
    """Every page a company's representative can open about the project and its team."""
    sid, cid, pid, tid = scene.sponsor.id, scene.cid, scene.pid, scene.team.id
    return [
        f"/challenges/{cid}",
        f"/challenges/{cid}/sponsor",
        f"/sponsors/{sid}/projects",
        f"/sponsors/{sid}/shortlist",
        f"/projects/{pid}",
        f"/projects/{pid}/adopt",
        f"/adoptions/{adoption_id}",
        f"/adoptions/{adoption_id}/follow-up",
        f"/teams/{tid}",
        f"/teams/{tid}/adoptions",
    ]


def _sponsor_api(scene: Scene, adoption_id: int) -> list[str]:
    sid, cid, pid, tid = scene.sponsor.id, scene.cid, scene.pid, scene.team.id
    return [
        f"/api/v1/challenges/{cid}/projects",
        f"/api/v1/sponsors/{sid}/projects",
        f"/api/v1/sponsors/{sid}/shortlist",
        f"/api/v1/sponsors/{sid}/projects/{pid}/notes",
        f"/api/v1/projects/{pid}",
        f"/api/v1/teams/{tid}",
        f"/api/v1/adoptions/{adoption_id}/versions",
        f"/api/v1/adoptions/{adoption_id}/milestones",
        f"/api/v1/adoptions/{adoption_id}/progress",
        f"/api/v1/adoptions/{adoption_id}/team",
    ]


async def _everything_the_company_sees(
    actors: Actors, scene: Scene, adoption_id: int
) -> dict[str, tuple[int, list[str]]]:
    seen: dict[str, tuple[int, list[str]]] = {}
    async with await actors.client(scene.rep) as http:
        for path in _sponsor_pages(scene, adoption_id):
            response = await http.get(path)
            seen[path] = (response.status_code, _leaks(response.text))
    async with await actors.api(scene.rep) as api:
        for path in _sponsor_api(scene, adoption_id):
            response = await api.get(path)
            seen[path] = (response.status_code, _leaks(response.text))
    return seen


async def test_before_acceptance_no_page_api_or_email_names_a_member(
    app: Starlette, actors: Actors, scene: Scene, sink: SmtpSink
) -> None:
    adoption_id = await _offer(actors, scene)
    async with await actors.api(scene.coach) as api:
        await api.post(f"/api/v1/adoptions/{adoption_id}/reply", json={"message": "Ciao"})
    await run_jobs(app)

    seen = await _everything_the_company_sees(actors, scene, adoption_id)

    assert {path: leaked for path, (_s, leaked) in seen.items() if leaked} == {}
    # The team's page (with its members) sends others to the project's; the team's people are
    # not the company's to see yet.
    assert seen[f"/teams/{scene.team.id}"][0] == 303
    assert seen[f"/api/v1/teams/{scene.team.id}"][0] == 404
    assert seen[f"/api/v1/adoptions/{adoption_id}/team"][0] == 409
    to_rep = sink.to(scene.rep.email)
    assert to_rep, "the company is told of the team's reply"
    assert [_leaks(_mail_text(m)) for m in to_rep] == [[] for _m in to_rep]


async def test_after_acceptance_the_coach_is_the_contact_and_names_stay_hidden_by_default(
    app: Starlette, actors: Actors, scene: Scene, sink: SmtpSink
) -> None:
    adoption_id = await _offer(actors, scene)
    await _accept(actors, scene, adoption_id)
    await run_jobs(app)

    seen = await _everything_the_company_sees(actors, scene, adoption_id)
    async with await actors.client(scene.rep) as http:
        offer = (await http.get(f"/adoptions/{adoption_id}")).text
    async with await actors.api(scene.rep) as api:
        team = (await api.get(f"/api/v1/adoptions/{adoption_id}/team")).json()

    assert {path: leaked for path, (_s, leaked) in seen.items() if leaked} == {}
    assert "Carla Coach" in offer and scene.coach.email in offer
    assert "I nomi di 2 componenti non sono mostrati" in offer
    assert team == {
        "team_name": "4B Aqua",
        "coach": {"name": "Carla Coach", "email": scene.coach.email},
        "members": [],
        "not_shown": 2,
    }
    assert [_leaks(_mail_text(m)) for m in sink.to(scene.rep.email)] == [
        [] for _m in sink.to(scene.rep.email)
    ]


async def _member_ids(db: Database, scene: Scene) -> dict[str, int]:
    async with db.read() as session:
        rows = await session.execute(
            select(TeamMember.first_name, TeamMember.id).where(TeamMember.team_id == scene.team.id)
        )
        return {first: int(mid) for first, mid in rows.all()}


async def test_the_company_sees_only_what_the_coach_recorded_as_consented(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _offer(actors, scene)
    await _accept(actors, scene, adoption_id)
    ids = await _member_ids(db, scene)
    form = f"/teams/{scene.team.id}/member-names"

    async with await actors.client(scene.coach) as http:
        shown = await http.get(form)
        saved = await post_form(
            http,
            form,
            {f"shows-{ids['Giulia']}": "full_name", f"shows-{ids['Luca']}": "first_name"},
            form_page=form,
        )
    async with await actors.client(scene.rep) as http:
        offer = (await http.get(f"/adoptions/{adoption_id}")).text
    async with await actors.api(scene.rep) as api:
        team = (await api.get(f"/api/v1/adoptions/{adoption_id}/team")).json()

    assert shown.status_code == 200 and "Giulia Bianchi" in shown.text
    assert saved.status_code == 303
    assert "Giulia Bianchi" in offer and "<li>Luca</li>" in offer and "Verdi" not in offer
    assert team["members"] == [
        {"first_name": "Giulia", "last_name": "Bianchi"},
        {"first_name": "Luca", "last_name": None},
    ]
    assert team["not_shown"] == 0


async def test_a_withdrawn_or_declined_offer_shows_no_one(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _offer(actors, scene)
    ids = await _member_ids(db, scene)
    async with db.transaction() as session:
        for member_id in ids.values():
            session.add(
                MemberSponsorConsent(
                    member_id=member_id, shows=NameShown.FULL_NAME, set_by=scene.coach.id or 0
                )
            )
        adoption = await session.get(Adoption, adoption_id)
        assert adoption is not None
        adoption.status = AdoptionStatus.DECLINED

    seen = await _everything_the_company_sees(actors, scene, adoption_id)

    assert {path: leaked for path, (_s, leaked) in seen.items() if leaked} == {}
    assert seen[f"/api/v1/adoptions/{adoption_id}/team"][0] == 409


async def test_only_the_coach_records_consent_and_only_for_the_teams_members(
    db: Database, actors: Actors, scene: Scene
) -> None:
    ids = await _member_ids(db, scene)
    other = await make_team(db, scene.challenge, coach=await actors.user(), name="5A Altro")
    async with db.read() as session:
        foreign = (
            (await session.execute(select(TeamMember.id).where(TeamMember.team_id == other.id)))
            .scalars()
            .first()
        )
    form = f"/teams/{scene.team.id}/member-names"

    async with await actors.client(scene.coach) as http:
        mixed = await post_form(
            http,
            form,
            {f"shows-{ids['Giulia']}": "full_name", f"shows-{foreign}": "full_name"},
            form_page=form,
        )
        junk = await post_form(http, form, {f"shows-{ids['Luca']}": "everything"}, form_page=form)
    async with await actors.client(scene.rep) as http:
        rep_get = await http.get(form)
        rep_post = await post_form(
            http, form, {f"shows-{ids['Giulia']}": "full_name"}, form_page="/challenges"
        )
    async with await actors.client(scene.organiser) as http:
        organiser = await post_form(
            http, form, {f"shows-{ids['Giulia']}": "full_name"}, form_page="/challenges"
        )

    assert mixed.status_code == 422 and "Questa persona non fa parte del gruppo." in mixed.text
    assert junk.status_code == 422
    assert (rep_get.status_code, rep_post.status_code) == (404, 404)
    assert organiser.status_code == 403
    async with db.read() as session:
        count = (
            await session.execute(select(func.count()).select_from(MemberSponsorConsent))
        ).scalar_one()
    assert count == 0


async def test_a_member_taken_out_of_the_team_takes_their_consent_along(
    db: Database, actors: Actors, scene: Scene
) -> None:
    ids = await _member_ids(db, scene)
    async with db.transaction() as session:
        session.add(
            MemberSponsorConsent(
                member_id=ids["Luca"], shows=NameShown.FULL_NAME, set_by=scene.coach.id or 0
            )
        )
    giulia = MemberInput(
        id=ids["Giulia"], first_name="Giulia", last_name="Bianchi", consent_on=utcnow().date()
    )
    async with db.read() as session:
        track_id = (
            (await session.execute(select(Track.id).where(Track.challenge_id == scene.cid)))
            .scalars()
            .first()
        )
    data = TeamInput(name="4B Aqua", track_id=track_id, members=[giulia])

    async with db.transaction() as session:
        await teams_service.update_team(
            session, user=scene.coach, team_id=scene.team.id or 0, data=data
        )

    async with db.read() as session:
        left = (await session.execute(select(MemberSponsorConsent.member_id))).scalars().all()
        members = (
            (
                await session.execute(
                    select(TeamMember.id).where(TeamMember.team_id == scene.team.id)
                )
            )
            .scalars()
            .all()
        )
    assert (list(left), list(members)) == ([], [ids["Giulia"]])
