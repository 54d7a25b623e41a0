from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind
from app.challenges import queries as challenge_queries
from app.challenges.models import Institution, PhaseKind
from app.db import Database, utcnow
from app.teams.models import Team, TeamMember
from tests.challenges.windows import set_windows
from tests.factories import Actors, make_challenge, make_project, make_team, post_form

CONSENT = (utcnow().date() - timedelta(days=2)).isoformat()


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _track_id(db: Database, challenge_id: int) -> str:
    async with db.read() as session:
        return str((await challenge_queries.tracks(session, challenge_id))[0].id)


def _form(track_id: str, name: str = "4B Aqua", **extra: str) -> dict[str, str]:
    return {
        "name": name,
        "track_id": track_id,
        "institution_name": "ITIS Fermi",
        "institution_city": "Mantova",
        "class_name": "4B",
        "members-0-first_name": "Giulia",
        "members-0-last_name": "Bianchi",
        "members-0-is_minor": "on",
        "members-0-consent_on": CONSENT,
        "members-1-first_name": "",
        "members-1-last_name": "",
        "members-1-is_minor": "on",
        "members-2-first_name": "Marco",
        "members-2-last_name": "Neri",
        **extra,
    }


async def test_register_page_renders_for_a_teacher(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    async with await actors.client(await actors.user()) as http:
        response = await http.get(f"/challenges/{challenge.id}/teams/new?lang=en")

    assert response.status_code == 200
    assert 'name="members-0-first_name"' in response.text
    assert "e-mail" not in response.text.split("<form", 1)[1].split("</form>")[0].lower()


async def test_register_team_creates_team_members_and_coach_role(
    db: Database, actors: Actors
) -> None:
    teacher = await actors.user()
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    track_id = await _track_id(db, challenge.id or 0)
    path = f"/challenges/{challenge.id}/teams/new"
    async with await actors.client(teacher) as http:
        response = await post_form(http, path, _form(track_id), form_page=path)

    assert response.status_code == 303
    async with db.read() as session:
        team = (await session.execute(select(Team))).scalar_one()
        members = list(
            (await session.execute(select(TeamMember).order_by(TeamMember.id))).scalars()
        )
        institution = (await session.execute(select(Institution))).scalar_one()
        role = (await session.execute(select(Role).where(Role.user_id == teacher.id))).scalar_one()
    assert response.headers["location"] == f"/teams/{team.id}"
    assert (team.coach_id, team.institution_id, str(team.track_id)) == (
        teacher.id,
        institution.id,
        track_id,
    )
    assert [(m.first_name, m.is_minor) for m in members] == [("Giulia", True), ("Marco", False)]
    assert role.kind == RoleKind.COACH


async def test_register_team_with_minor_without_consent_shows_row_error(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    track_id = await _track_id(db, challenge.id or 0)
    path = f"/challenges/{challenge.id}/teams/new"
    form = _form(track_id, **{"members-2-is_minor": "on"})
    async with await actors.client(await actors.user()) as http:
        response = await post_form(http, path, form, form_page=path)

    assert response.status_code == 422
    assert 'id="e-members-2-consent_on"' in response.text
    assert 'id="e-members-0-consent_on"' not in response.text
    assert 'value="Marco"' in response.text and 'value="4B Aqua"' in response.text
    assert await _count(db, Team) == 0


async def test_register_team_with_taken_name_is_409_next_to_the_field(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    await make_team(db, challenge, coach=await actors.user(), name="4B Aqua")
    track_id = await _track_id(db, challenge.id or 0)
    path = f"/challenges/{challenge.id}/teams/new"
    async with await actors.client(await actors.user()) as http:
        response = await post_form(http, path, _form(track_id, name="4b AQUA"), form_page=path)

    assert response.status_code == 409
    assert 'id="e-name"' in response.text
    assert await _count(db, Team) == 1


async def test_register_team_outside_registration_is_409(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, open_phases=(PhaseKind.SUBMISSION,))
    track_id = await _track_id(db, challenge.id or 0)
    path = f"/challenges/{challenge.id}/teams/new"
    async with await actors.client(await actors.user()) as http:
        page = await http.get(path)
        response = await post_form(
            http, path, _form(track_id), form_page=f"/challenges/{challenge.id}"
        )

    assert page.status_code == 200
    assert "Le iscrizioni a questa sfida non sono aperte." in page.text
    assert 'name="members-0-first_name"' not in page.text
    assert response.status_code == 409
    assert await _count(db, Team) == 0


async def test_register_team_in_draft_challenge_is_404(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, published=False)
    async with await actors.client(await actors.user()) as http:
        response = await http.get(f"/challenges/{challenge.id}/teams/new")

    assert response.status_code == 404


async def test_more_rows_button_adds_rows_without_saving(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    track_id = await _track_id(db, challenge.id or 0)
    path = f"/challenges/{challenge.id}/teams/new"
    async with await actors.client(await actors.user()) as http:
        # The button posts the form to ?more_rows=1 (formaction).
        response = await post_form(http, f"{path}?more_rows=1", _form(track_id), form_page=path)

    assert response.status_code == 200
    assert 'name="members-9-first_name"' in response.text
    assert 'value="Giulia"' in response.text
    assert await _count(db, Team) == 0


async def test_team_page_visibility(db: Database, actors: Actors) -> None:
    coach, organiser, stranger, pupil = [await actors.user() for _ in range(4)]
    challenge = await make_challenge(db, organiser=organiser)
    team = await make_team(db, challenge, coach=coach)
    async with db.transaction() as session:
        session.add(
            TeamMember(
                team_id=team.id or 0,
                first_name="Pia",
                last_name="Alunna",
                is_minor=False,
                user_id=pupil.id,
            )
        )

    statuses = {}
    for name, person in (
        ("coach", coach),
        ("organiser", organiser),
        ("member", pupil),
        ("stranger", stranger),
    ):
        async with await actors.client(person) as http:
            statuses[name] = (await http.get(f"/teams/{team.id}")).status_code
    async with actors.anonymous() as http:
        statuses["anonymous"] = (await http.get(f"/teams/{team.id}")).status_code

    assert statuses == {
        "coach": 200,
        "organiser": 200,
        "member": 200,
        "stranger": 404,
        "anonymous": 404,
    }


async def test_team_page_sends_others_to_the_submitted_project(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db)
    team = await make_team(db, challenge, coach=await actors.user())
    project = await make_project(db, team, submitted=True)

    async with actors.anonymous() as http:
        response = await http.get(f"/teams/{team.id}")

    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{project.id}"


async def test_edit_team_by_organiser_is_403_and_by_stranger_404(
    db: Database, actors: Actors
) -> None:
    organiser, stranger = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    team = await make_team(db, challenge, coach=await actors.user())

    async with await actors.client(organiser) as http:
        as_organiser = await http.get(f"/teams/{team.id}/edit")
    async with await actors.client(stranger) as http:
        as_stranger = await http.get(f"/teams/{team.id}/edit")

    assert (as_organiser.status_code, as_stranger.status_code) == (403, 404)


async def test_edit_team_updates_and_removes_cleared_members(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(
        db, challenge, coach=coach, members=(("Giulia", "Bianchi"), ("Luca", "Verdi"))
    )
    path = f"/teams/{team.id}/edit"
    async with await actors.client(coach) as http:
        page = await http.get(path)
        async with db.read() as session:
            giulia, luca = list(
                (await session.execute(select(TeamMember).order_by(TeamMember.last_name))).scalars()
            )
        response = await post_form(
            http,
            path,
            {
                "name": "4B Aqua 2",
                "members-0-id": str(giulia.id),
                "members-0-first_name": "Giulia",
                "members-0-last_name": "Rossi",
                "members-0-is_minor": "on",
                "members-0-consent_on": CONSENT,
                "members-1-id": str(luca.id),
                "members-1-first_name": "",
                "members-1-last_name": "",
            },
            form_page=path,
        )

    assert page.status_code == 200 and 'value="Bianchi"' in page.text
    assert response.status_code == 303
    async with db.read() as session:
        members = list((await session.execute(select(TeamMember))).scalars())
        stored = await session.get(Team, team.id)
    assert stored is not None and stored.name == "4B Aqua 2"
    assert [(m.id, m.last_name) for m in members] == [(giulia.id, "Rossi")]


async def test_edit_team_after_submission_closed_is_409(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=())
    await set_windows(db, challenge, submission=(-3, -1))
    team = await make_team(db, challenge, coach=coach)
    path = f"/teams/{team.id}/edit"
    async with await actors.client(coach) as http:
        response = await post_form(
            http,
            path,
            {"name": "Nuovo", "members-0-first_name": "A", "members-0-last_name": "B"},
            form_page=f"/teams/{team.id}",
        )

    assert response.status_code == 409
    async with db.read() as session:
        stored = await session.get(Team, team.id)
    assert stored is not None and stored.name == team.name
