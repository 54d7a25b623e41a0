from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient, Response
from markupsafe import escape
from sqlalchemy import func, select

from app.accounts.models import User
from app.challenges.models import Challenge, PhaseKind
from app.db import Database
from app.events.models import OutboxEvent
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile, ProjectStatus
from tests.challenges.windows import set_windows
from tests.factories import Actors, csrf, make_challenge, make_project, make_team, post_form
from tests.teams.test_uploads import EXE, PDF, PNG, stored_files

BOUNDARY = "uploadBoundary9Zq"


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _coach_with_draft(
    db: Database, actors: Actors, *open_phases: PhaseKind
) -> tuple[User, Project]:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=open_phases)
    team = await make_team(db, challenge, coach=coach)
    return coach, await make_project(db, team, submitted=False)


async def _upload(
    http: AsyncClient, project: Project, name: str, data: bytes, ctype: str
) -> Response:
    page = f"/projects/{project.id}"
    return await post_form(
        http, f"{page}/files", files={"file": (name, data, ctype)}, form_page=page
    )


async def test_write_project_creates_it_and_edits_bump_version(
    db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    path = f"/teams/{team.id}/project"
    async with await actors.client(coach) as http:
        created = await post_form(http, path, {"title": "Sensori", "summary": "S"}, form_page=path)
        edited = await post_form(http, path, {"title": "Sensori 2"}, form_page=path)

    assert created.status_code == edited.status_code == 303
    async with db.read() as session:
        project = (await session.execute(select(Project))).scalar_one()
    assert created.headers["location"] == f"/projects/{project.id}"
    assert (project.title, project.version, project.status) == ("Sensori 2", 2, "draft")


async def test_write_project_with_empty_title_is_422(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    path = f"/teams/{team.id}/project"
    async with await actors.client(coach) as http:
        response = await post_form(
            http, path, {"title": "", "summary": "Tengo questo"}, form_page=path
        )

    assert response.status_code == 422
    assert "Tengo questo" in response.text and 'id="e-title"' in response.text
    assert await _count(db, Project) == 0


async def test_write_project_by_a_member_account_is_403(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=await actors.user())
    path = f"/teams/{team.id}/project"
    async with await actors.client(organiser) as http:
        response = await post_form(http, path, {"title": "X"}, form_page=f"/teams/{team.id}")

    assert response.status_code == 403
    assert await _count(db, Project) == 0


async def test_draft_project_is_404_for_others_and_shown_to_coach(
    db: Database, actors: Actors
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(await actors.user()) as http:
        foreign = await http.get(f"/projects/{project.id}")
    async with await actors.client(coach) as http:
        own = await http.get(f"/projects/{project.id}")

    assert foreign.status_code == 404
    assert own.status_code == 200 and 'enctype="multipart/form-data"' in own.text


async def test_submit_makes_project_public_and_emits_event(db: Database, actors: Actors) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    page = f"/projects/{project.id}"
    async with await actors.client(coach) as http:
        response = await post_form(http, f"{page}/submit", form_page=page)
    async with actors.anonymous() as http:
        public = await http.get(page)

    assert response.status_code == 303
    assert public.status_code == 200 and str(escape(project.title)) in public.text
    async with db.read() as session:
        stored = await session.get(Project, project.id)
        event = (await session.execute(select(OutboxEvent))).scalar_one()
    assert stored is not None and stored.status == ProjectStatus.SUBMITTED
    assert event.type == "ProjectSubmitted"


async def test_submit_after_the_deadline_is_409_with_a_message(
    db: Database, actors: Actors
) -> None:
    coach, project = await _coach_with_draft(db, actors)
    page = f"/projects/{project.id}"
    async with await actors.client(coach) as http:
        response = await post_form(http, f"{page}/submit", {}, form_page=page)
        english = await post_form(http, f"{page}/submit?lang=en", {}, form_page=page)

    assert response.status_code == english.status_code == 409
    assert "deadline has passed" in english.text
    async with db.read() as session:
        stored = await session.get(Project, project.id)
    assert stored is not None and stored.status == ProjectStatus.DRAFT


async def test_withdraw_hides_the_project_again(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    page = f"/projects/{project.id}"
    async with await actors.client(coach) as http:
        response = await post_form(http, f"{page}/withdraw", form_page=page)
    async with actors.anonymous() as http:
        hidden = await http.get(page)

    assert response.status_code == 303 and hidden.status_code == 404
    async with db.read() as session:
        stored = await session.get(Project, project.id)
    assert stored is not None and stored.status == ProjectStatus.WITHDRAWN


async def test_upload_good_pdf_is_stored_and_downloadable(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(coach) as http:
        response = await _upload(http, project, "../Relazione finale.pdf", PDF, "text/plain")
        async with db.read() as session:
            added = (await session.execute(select(ProjectFile))).scalar_one()
        download = await http.get(f"/projects/{project.id}/files/{added.id}")

    assert response.status_code == 303
    assert (added.content_type, added.display_name) == ("application/pdf", "Relazione finale.pdf")
    assert storage.read(added.storage_key) == PDF
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="Relazione finale.pdf"'
    )


async def test_upload_of_text_named_pdf_is_415_and_stores_nothing(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    before = stored_files(storage)
    async with await actors.client(coach) as http:
        text = await _upload(
            http, project, "idea.pdf", b"<script>alert(1)</script>", "application/pdf"
        )
        exe = await _upload(http, project, "idea.pdf", EXE, "application/pdf")

    assert text.status_code == exe.status_code == 415
    assert 'id="e-file"' in text.text
    assert stored_files(storage) == before
    assert await _count(db, ProjectFile) == 0


async def test_png_named_pdf_is_stored_as_png(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(coach) as http:
        response = await _upload(http, project, "disguised.pdf", PNG, "application/pdf")

    assert response.status_code == 303
    async with db.read() as session:
        added = (await session.execute(select(ProjectFile))).scalar_one()
    assert added.content_type == "image/png"


async def test_upload_too_large_is_413_and_stores_nothing(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    limit = 2 * 1024 * 1024  # the test settings' max_upload_bytes
    before = stored_files(storage)
    async with await actors.client(coach) as http:
        just_over = await _upload(http, project, "big.pdf", PDF + b"0" * limit, "application/pdf")
        way_over = await _upload(
            http, project, "huge.pdf", PDF + b"0" * (limit * 2), "application/pdf"
        )

    assert just_over.status_code == way_over.status_code == 413
    assert stored_files(storage) == before
    assert await _count(db, ProjectFile) == 0


async def test_upload_after_the_deadline_is_409(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    await set_windows(db, await _challenge_of(db, project), submission=(-3, -1))
    before = stored_files(storage)
    async with await actors.client(coach) as http:
        response = await _upload(http, project, "idea.pdf", PDF, "application/pdf")

    assert response.status_code == 409
    assert stored_files(storage) == before


async def _challenge_of(db: Database, project: Project) -> Challenge:
    async with db.read() as session:
        challenge = await session.get(Challenge, project.challenge_id)
    assert challenge is not None
    return challenge


async def test_upload_by_stranger_is_404(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    _coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(await actors.user()) as http:
        response = await post_form(
            http, f"/projects/{project.id}/files", files={"file": ("a.pdf", PDF, "application/pdf")}
        )

    assert response.status_code == 404
    assert await _count(db, ProjectFile) == 0


class _Pulled:
    """A multipart upload sent in chunks, counting how many the server pulled."""

    def __init__(self, token: str) -> None:
        self.raw = (
            (
                f"--{BOUNDARY}\r\n"
                'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{token}\r\n--{BOUNDARY}\r\n"
                'Content-Disposition: form-data; name="file"; filename="idea.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + PDF
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        )
        self.chunks_pulled = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.raw), 64):
            self.chunks_pulled += 1
            yield self.raw[start : start + 64]


@pytest.mark.parametrize("via_api", [False, True], ids=["page", "api"])
@pytest.mark.parametrize(("who", "status"), [("organiser", 403), ("stranger", 404)])
async def test_upload_by_someone_not_the_coach_is_refused_before_the_body_is_read(
    db: Database, actors: Actors, storage: LocalStorage, via_api: bool, who: str, status: int
) -> None:
    organiser, coach = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    project = await make_project(db, await make_team(db, challenge, coach=coach), submitted=False)
    person = organiser if who == "organiser" else await actors.user()
    before = stored_files(storage)
    async with await (actors.api(person) if via_api else actors.client(person)) as http:
        body = _Pulled("" if via_api else await csrf(http, "/challenges"))
        response = await http.post(
            f"{'/api/v1' if via_api else ''}/projects/{project.id}/files",
            content=body.chunks(),
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )

    assert response.status_code == status
    assert body.chunks_pulled == 0  # refused before the multipart body was parsed
    assert stored_files(storage) == before
    assert await _count(db, ProjectFile) == 0


async def test_delete_file_removes_row_and_stored_bytes(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(coach) as http:
        await _upload(http, project, "idea.pdf", PDF, "application/pdf")
        async with db.read() as session:
            added = (await session.execute(select(ProjectFile))).scalar_one()
        page = f"/projects/{project.id}"
        response = await post_form(http, f"{page}/files/{added.id}/delete", form_page=page)

    assert response.status_code == 303
    assert not storage.exists(added.storage_key)
    assert await _count(db, ProjectFile) == 0


async def test_file_of_another_project_is_404(db: Database, actors: Actors) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    _other_coach, other = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(coach) as http:
        await _upload(http, project, "idea.pdf", PDF, "application/pdf")
        async with db.read() as session:
            added = (await session.execute(select(ProjectFile))).scalar_one()
        response = await http.get(f"/projects/{other.id}/files/{added.id}")

    assert response.status_code == 404


async def test_files_of_a_draft_are_404_for_the_public(db: Database, actors: Actors) -> None:
    coach, project = await _coach_with_draft(db, actors, PhaseKind.SUBMISSION)
    async with await actors.client(coach) as http:
        await _upload(http, project, "idea.pdf", PDF, "application/pdf")
    async with db.read() as session:
        added = (await session.execute(select(ProjectFile))).scalar_one()
    async with actors.anonymous() as http:
        response = await http.get(f"/projects/{project.id}/files/{added.id}")

    assert response.status_code == 404
