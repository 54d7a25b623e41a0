"""A milestone's optional file (minutes, a photo, a receipt), and the company's consent to
be named on the project ("Adottato da ...")."""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database
from app.sponsors.models import Adoption, AdoptionMilestone
from app.storage import LocalStorage
from tests.factories import Actors, post_form
from tests.sponsors.conftest import Scene, actions
from tests.sponsors.test_followup import _adopted, _confirm, _record
from tests.teams.test_uploads import EXE, PDF, PNG, stored_files


async def _milestone(db: Database, milestone_id: int) -> AdoptionMilestone:
    async with db.read() as session:
        found = await session.get(AdoptionMilestone, milestone_id)
    assert found is not None
    return found


def _page(adoption_id: int) -> str:
    return f"/adoptions/{adoption_id}/follow-up"


async def _attach(
    actors: Actors, user: object, adoption_id: int, milestone_id: int, name: str, data: bytes
) -> object:
    async with await actors.client(user) as http:  # type: ignore[arg-type]
        return await post_form(
            http,
            f"/adoptions/{adoption_id}/milestones/{milestone_id}/file",
            files={"file": (name, data, "application/octet-stream")},
            form_page=_page(adoption_id),
        )


async def test_the_proposing_side_attaches_a_file_both_sides_and_organisers_download_it(
    db: Database, actors: Actors, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")

    sent = await _attach(actors, scene.rep, adoption_id, milestone_id, "../verbale.pdf", PDF)

    assert sent.status_code == 303  # type: ignore[attr-defined]
    milestone = await _milestone(db, milestone_id)
    assert (milestone.file_name, milestone.file_type, milestone.file_size) == (
        "verbale.pdf",
        "application/pdf",
        len(PDF),
    )
    assert milestone.file_key in stored_files(storage)
    path = f"/adoptions/{adoption_id}/milestones/{milestone_id}/file"
    for user in (scene.rep, scene.coach, scene.organiser):
        async with await actors.client(user) as http:
            got = await http.get(path)
        assert got.status_code == 200
        assert got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith('attachment; filename="verbale.pdf"')
    async with await actors.client(scene.coach) as http:
        page = await http.get(_page(adoption_id))
    assert path in page.text
    assert "adoption.milestone_file_attached" in await actions(db)


async def test_strangers_do_not_find_a_milestone_file(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")
    await _attach(actors, scene.rep, adoption_id, milestone_id, "verbale.pdf", PDF)
    stranger = await actors.user("Sara Sconosciuta")
    path = f"/adoptions/{adoption_id}/milestones/{milestone_id}/file"

    async with await actors.client(stranger) as http:
        theirs = await http.get(path)
    async with actors.anonymous() as http:
        anonymous = await http.get(path)

    assert theirs.status_code == 404
    assert anonymous.status_code in (302, 303)
    assert "/login" in anonymous.headers["location"]


async def test_the_other_side_may_not_attach_and_nothing_is_stored(
    db: Database, actors: Actors, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")
    before = stored_files(storage)

    sent = await _attach(actors, scene.coach, adoption_id, milestone_id, "mine.pdf", PDF)

    assert sent.status_code == 403  # type: ignore[attr-defined]
    assert (await _milestone(db, milestone_id)).file_key is None
    assert stored_files(storage) == before


async def test_a_file_of_another_type_is_415_and_reshows_the_page(
    db: Database, actors: Actors, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.coach, adoption_id, kind="kickoff")
    before = stored_files(storage)

    sent = await _attach(actors, scene.coach, adoption_id, milestone_id, "setup.pdf", EXE)

    assert sent.status_code == 415  # type: ignore[attr-defined]
    assert "PDF" in sent.text  # type: ignore[attr-defined]
    assert (await _milestone(db, milestone_id)).file_key is None
    assert stored_files(storage) == before


async def test_a_new_file_replaces_the_old_until_the_milestone_is_confirmed(
    db: Database, actors: Actors, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.coach, adoption_id, kind="prototype_delivered")
    before = stored_files(storage)
    await _attach(actors, scene.coach, adoption_id, milestone_id, "first.pdf", PDF)
    await _attach(actors, scene.coach, adoption_id, milestone_id, "photo.png", PNG)
    replaced = await _milestone(db, milestone_id)
    await _confirm(db, scene.rep, adoption_id, milestone_id)

    late = await _attach(actors, scene.coach, adoption_id, milestone_id, "late.pdf", PDF)

    assert late.status_code == 409  # type: ignore[attr-defined]
    kept = await _milestone(db, milestone_id)
    assert (kept.file_name, kept.file_key) == ("photo.png", replaced.file_key)
    assert stored_files(storage) == sorted([*before, replaced.file_key or ""])


async def test_a_milestone_of_another_adoption_is_404(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")

    async with await actors.client(scene.rep) as http:
        wrong = await http.get(f"/adoptions/{adoption_id + 1}/milestones/{milestone_id}/file")
        none_yet = await http.get(f"/adoptions/{adoption_id}/milestones/{milestone_id}/file")

    assert wrong.status_code == 404
    assert none_yet.status_code == 404


async def test_the_company_chooses_whether_the_project_names_it(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    project_page = f"/projects/{scene.pid}"
    async with actors.anonymous() as http:
        named = await http.get(project_page)
        gallery = await http.get(f"/challenges/{scene.cid}")

    async with await actors.client(scene.coach) as http:
        by_coach = await post_form(
            http,
            f"/adoptions/{adoption_id}/recognition",
            {"recognition": "private"},
            form_page=_page(adoption_id),
        )
    async with await actors.client(scene.rep) as http:
        hidden = await post_form(
            http,
            f"/adoptions/{adoption_id}/recognition",
            {"recognition": "private"},
            form_page=_page(adoption_id),
        )
    async with actors.anonymous() as http:
        unnamed = await http.get(project_page)
        gallery_after = await http.get(f"/challenges/{scene.cid}")

    assert "Adottato da Acme S.p.A." in named.text
    assert "Adottato da Acme S.p.A." in gallery.text
    assert by_coach.status_code == 403
    assert hidden.status_code == 303
    assert "Acme" not in unnamed.text
    assert "Adottato da" not in gallery_after.text
    async with db.read() as session:
        adoption = (await session.execute(select(Adoption))).scalar_one()
    assert adoption.public_recognition is False
    assert "adoption.recognition_changed" in await actions(db)


async def test_an_offer_may_say_no_to_the_name_from_the_start(
    db: Database, actors: Actors, scene: Scene
) -> None:
    page = f"/projects/{scene.pid}/adopt"
    async with await actors.client(scene.rep) as http:
        sent = await post_form(
            http, page, {"mentoring_hours": "5", "recognition": "private"}, form_page=page
        )
        nonsense = await post_form(
            http, page, {"mentoring_hours": "5", "recognition": "maybe"}, form_page=page
        )

    assert sent.status_code == 303
    assert nonsense.status_code in (409, 422)
    async with db.read() as session:
        adoption = (await session.execute(select(Adoption))).scalar_one()
    assert adoption.public_recognition is False


async def test_the_company_changes_its_choice_through_the_api(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    path = f"/api/v1/adoptions/{adoption_id}/recognition"

    async with await actors.api(scene.coach) as http:
        by_coach = await http.put(path, json={"recognition": "private"})
    async with await actors.api(scene.rep) as http:
        hidden = await http.put(path, json={"recognition": "private"})
        nonsense = await http.put(path, json={"recognition": "maybe"})

    assert by_coach.status_code == 403
    assert nonsense.status_code == 422
    assert hidden.status_code == 200
    assert hidden.json()["public_recognition"] is False
    async with db.read() as session:
        adoption = await session.get(Adoption, adoption_id)
    assert adoption is not None and adoption.public_recognition is False
