"""The JSON API of what had only a page: a milestone's file (upload by the side that recorded
it, download by both sides and the organisers, the same type and size checks) and the
coach's choices of which members' names an adopting company sees."""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database
from app.sponsors.models import MemberSponsorConsent
from app.storage import LocalStorage
from app.teams.models import TeamMember
from tests.factories import Actors, make_team
from tests.snapshots import changed_tables, snapshot
from tests.sponsors.conftest import Scene
from tests.sponsors.test_followup import _adopted, _confirm, _record
from tests.sponsors.test_milestone_files import _milestone
from tests.teams.test_uploads import EXE, PDF, stored_files


def _file(adoption_id: int, milestone_id: int) -> str:
    return f"/api/v1/adoptions/{adoption_id}/milestones/{milestone_id}/file"


async def test_a_milestone_file_through_the_api(
    db: Database, actors: Actors, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")
    path = _file(adoption_id, milestone_id)
    async with await actors.api(scene.rep) as api:
        none_yet = await api.get(path)
        put = await api.put(path, files={"file": ("../verbale.pdf", PDF, "application/pdf")})
    assert none_yet.status_code == 404
    assert put.status_code == 200, put.text
    assert put.json()["file_name"] == "verbale.pdf"
    assert put.json()["file_size"] == len(PDF)
    assert (await _milestone(db, milestone_id)).file_key in stored_files(storage)
    for user in (scene.rep, scene.coach, scene.organiser):
        async with await actors.api(user) as api:
            got = await api.get(path)
        assert got.status_code == 200
        assert got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
    stranger = await actors.user("Sara Sconosciuta")
    async with await actors.api(stranger) as api:
        assert (await api.get(path)).status_code == 404
        assert (
            await api.put(path, files={"file": ("x.pdf", PDF, "application/pdf")})
        ).status_code == 404


async def test_the_api_refuses_what_the_page_refuses_and_stores_nothing(
    db: Database, actors: Actors, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _adopted(db, scene)
    mine = await _record(db, scene.rep, adoption_id, kind="kickoff")
    theirs = await _record(db, scene.coach, adoption_id, kind="kickoff")
    confirmed = await _record(db, scene.rep, adoption_id, kind="prototype_delivered")
    await _confirm(db, scene.coach, adoption_id, confirmed)
    before = await snapshot(db)
    files_before = stored_files(storage)
    async with await actors.api(scene.rep) as api:
        exe = await api.put(
            _file(adoption_id, mine), files={"file": ("a.pdf", EXE, "application/pdf")}
        )
        other_side = await api.put(
            _file(adoption_id, theirs), files={"file": ("a.pdf", PDF, "application/pdf")}
        )
        closed = await api.put(
            _file(adoption_id, confirmed), files={"file": ("a.pdf", PDF, "application/pdf")}
        )
        empty = await api.put(
            _file(adoption_id, mine), files={"file": ("a.pdf", b"", "application/pdf")}
        )
    assert exe.status_code == 415
    assert other_side.status_code == 403
    assert closed.status_code == 409
    assert empty.status_code == 422
    changed = set(changed_tables(before, await snapshot(db)))
    assert changed <= {"api_token", "audit_entry"}  # the token made here, nothing else
    for milestone_id in (mine, theirs, confirmed):
        assert (await _milestone(db, milestone_id)).file_key is None
    assert stored_files(storage) == files_before


async def _member_ids(db: Database, team_id: int) -> dict[str, int]:
    async with db.read() as session:
        rows = await session.execute(
            select(TeamMember.first_name, TeamMember.id).where(TeamMember.team_id == team_id)
        )
        return {first: int(mid) for first, mid in rows.all()}


async def test_the_coach_reads_and_sets_the_member_names_through_the_api(
    db: Database, actors: Actors, scene: Scene
) -> None:
    ids = await _member_ids(db, scene.team.id or 0)
    path = f"/api/v1/teams/{scene.team.id}/member-names"
    async with await actors.api(scene.coach) as api:
        before = (await api.get(path)).json()
        put = await api.put(
            path,
            json={"members": [{"member_id": ids["Giulia"], "shows": "full_name"}]},
        )
        after = (await api.get(path)).json()
    assert {m["shows"] for m in before["members"]} == {"nothing"}
    assert put.status_code == 200, put.text
    shows = {m["first_name"]: m["shows"] for m in after["members"]}
    assert shows["Giulia"] == "full_name"
    assert {v for k, v in shows.items() if k != "Giulia"} == {"nothing"}
    async with db.read() as session:
        stored = await session.get(MemberSponsorConsent, ids["Giulia"])
    assert stored is not None and stored.set_by == scene.coach.id


async def test_member_names_are_the_coachs_alone_and_for_the_teams_members(
    db: Database, actors: Actors, scene: Scene
) -> None:
    ids = await _member_ids(db, scene.team.id or 0)
    other = await make_team(db, scene.challenge, coach=await actors.user(), name="5A Altro")
    foreign = next(iter((await _member_ids(db, other.id or 0)).values()))
    path = f"/api/v1/teams/{scene.team.id}/member-names"
    before = await snapshot(db)
    async with await actors.api(scene.coach) as api:
        mixed = await api.put(
            path,
            json={
                "members": [
                    {"member_id": ids["Giulia"], "shows": "full_name"},
                    {"member_id": foreign, "shows": "full_name"},
                ]
            },
        )
        junk = await api.put(path, json={"members": [{"member_id": ids["Luca"], "shows": "all"}]})
        empty = await api.put(path, json={"members": []})
    async with await actors.api(scene.rep) as api:
        rep_get = await api.get(path)
        rep_put = await api.put(path, json={"members": [{"member_id": ids["Giulia"]}]})
    assert mixed.status_code == 422
    assert junk.status_code == 422
    assert empty.status_code == 422
    assert rep_get.status_code in (403, 404)
    assert rep_put.status_code in (403, 404)
    changed = set(changed_tables(before, await snapshot(db)))
    assert changed <= {"api_token", "audit_entry"}  # the tokens made here, nothing else
    async with db.read() as session:
        assert (await session.execute(select(MemberSponsorConsent))).first() is None
