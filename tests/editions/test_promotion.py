"""Teams moving on along a programme (ideation day -> incubation -> regional final): the
team starts again in the next stage with its people and a draft of its project, linked to
the one it comes from, and the project's history shows the whole path."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge, Programme
from app.db import Database
from app.teams.models import Project, ProjectStatus, Team, TeamMember
from tests.factories import Actors, make_challenge, make_project, make_team, post_form


async def _programme(db: Database, owner: User, *stages: Challenge) -> Programme:
    async with db.transaction() as session:
        programme = Programme(
            slug=f"percorso-{stages[0].id}", name="Percorso green", owner_id=owner.id
        )
        session.add(programme)
        await session.flush()
        for position, challenge in enumerate(stages, start=1):
            stored = await session.get(Challenge, challenge.id)
            assert stored is not None
            stored.programme_id, stored.stage = programme.id, position
    return programme


async def _teams_in(db: Database, challenge: Challenge) -> list[Team]:
    async with db.read() as session:
        found = await session.execute(select(Team).where(Team.challenge_id == challenge.id))
        return list(found.scalars())


async def _two_stages(db: Database, actors: Actors) -> tuple[User, User, Challenge, Challenge]:
    organiser, coach = await actors.user(), await actors.user()
    ideas = await make_challenge(db, organiser=organiser, title="Giornata delle idee")
    final = await make_challenge(db, organiser=organiser, title="Finale regionale")
    await _programme(db, organiser, ideas, final)
    return organiser, coach, ideas, final


async def test_a_team_that_handed_in_moves_on_with_its_people_and_a_linked_draft(
    db: Database, actors: Actors
) -> None:
    organiser, coach, ideas, final = await _two_stages(db, actors)
    team = await make_team(db, ideas, coach=coach, name="4B Aqua")
    project = await make_project(db, team, title="Orti che bevono la pioggia")
    page = f"/challenges/{ideas.id}/promote"

    async with await actors.client(organiser) as http:
        shown = await http.get(page)
        moved = await post_form(
            http, page, {"to_challenge_id": str(final.id), f"team-{team.id}": "on"}, form_page=page
        )
        again = await post_form(
            http, page, {"to_challenge_id": str(final.id), f"team-{team.id}": "on"}, form_page=page
        )

    assert "4B Aqua" in shown.text and "Finale regionale" in shown.text
    assert moved.status_code == 303 and "moved=1" in moved.headers["location"]
    assert again.status_code == 303 and "moved=0" in again.headers["location"]
    [copy] = await _teams_in(db, final)
    async with db.read() as session:
        members = (
            (
                await session.execute(
                    select(TeamMember.first_name).where(TeamMember.team_id == copy.id)
                )
            )
            .scalars()
            .all()
        )
        draft = (
            await session.execute(select(Project).where(Project.team_id == copy.id))
        ).scalar_one()
        coach_role = (
            await session.execute(
                select(func.count())
                .select_from(Role)
                .where(
                    Role.user_id == coach.id,
                    Role.challenge_id == final.id,
                    Role.kind == RoleKind.COACH,
                )
            )
        ).scalar_one()
    assert (copy.name, copy.coach_id, copy.promoted_from_id) == ("4B Aqua", coach.id, team.id)
    assert sorted(members) == ["Giulia", "Luca"]
    assert draft.status == ProjectStatus.DRAFT and draft.previous_project_id == project.id
    assert draft.title == "Orti che bevono la pioggia"
    assert coach_role == 1

    # The history joins both stages, from either end.
    async with actors.anonymous() as http:
        history = await http.get(f"/api/v1/projects/{project.id}/history")
    stages = [s["challenge_title"] for s in history.json()]
    assert stages == ["Giornata delle idee"]  # the final's draft is not public yet
    async with await actors.client(coach) as http:
        mine = await http.get(f"/projects/{draft.id}/history")
    assert mine.status_code == 200
    assert "Giornata delle idee" in mine.text and "Finale regionale" in mine.text


async def test_nothing_moves_on_if_one_chosen_team_cannot(db: Database, actors: Actors) -> None:
    organiser, coach, ideas, final = await _two_stages(db, actors)
    ready = await make_team(db, ideas, coach=coach, name="4B Aqua")
    await make_project(db, ready)
    unfinished = await make_team(db, ideas, coach=coach, name="3C Sole")
    await make_project(db, unfinished, submitted=False)

    async with await actors.api(organiser) as http:
        refused = await http.post(
            f"/api/v1/challenges/{ideas.id}/promotions",
            json={"to_challenge_id": final.id, "team_ids": [ready.id, unfinished.id]},
        )

    assert refused.status_code == 422
    assert "3C Sole" in refused.json()["error"]["fields"]["team_ids"]
    assert await _teams_in(db, final) == []


async def test_a_name_already_taken_in_the_next_stage_is_said_plainly(
    db: Database, actors: Actors
) -> None:
    organiser, coach, ideas, final = await _two_stages(db, actors)
    team = await make_team(db, ideas, coach=coach, name="4B Aqua")
    await make_project(db, team)
    await make_team(db, final, coach=await actors.user(), name="4B Aqua")

    async with await actors.api(organiser) as http:
        refused = await http.post(
            f"/api/v1/challenges/{ideas.id}/promotions",
            json={"to_challenge_id": final.id, "team_ids": [team.id]},
        )

    assert refused.status_code == 422
    assert "4B Aqua" in refused.json()["error"]["fields"]["team_ids"]


async def test_teams_move_only_forward_within_the_programme_and_into_stages_one_organises(
    db: Database, actors: Actors
) -> None:
    organiser, coach, ideas, final = await _two_stages(db, actors)
    team = await make_team(db, final, coach=coach)
    await make_project(db, team)
    elsewhere = await make_challenge(db, organiser=organiser)
    not_mine = await make_challenge(db, organiser=await actors.user())

    async with await actors.api(organiser) as http:
        backwards = await http.post(
            f"/api/v1/challenges/{final.id}/promotions",
            json={"to_challenge_id": ideas.id, "team_ids": [team.id]},
        )
        outside = await http.post(
            f"/api/v1/challenges/{final.id}/promotions",
            json={"to_challenge_id": elsewhere.id, "team_ids": [team.id]},
        )
        foreign = await http.post(
            f"/api/v1/challenges/{final.id}/promotions",
            json={"to_challenge_id": not_mine.id, "team_ids": [team.id]},
        )

    assert backwards.status_code == 422 and outside.status_code == 422
    assert foreign.status_code == 403
    assert await _teams_in(db, ideas) == []


async def test_a_team_of_another_challenge_cannot_be_moved_on(db: Database, actors: Actors) -> None:
    organiser, coach, ideas, final = await _two_stages(db, actors)
    stranger = await make_team(db, await make_challenge(db), coach=coach, name="5A Vento")
    await make_project(db, stranger)

    async with await actors.api(organiser) as http:
        refused = await http.post(
            f"/api/v1/challenges/{ideas.id}/promotions",
            json={"to_challenge_id": final.id, "team_ids": [stranger.id]},
        )

    assert refused.status_code == 422
    assert "team_ids" in refused.json()["error"]["fields"]
    assert await _teams_in(db, final) == []
