from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.challenges.models import PhaseKind
from app.db import Database
from app.forms import Upload
from app.storage import LocalStorage, staged
from app.teams import projects, uploads
from app.teams.models import Project, ProjectFile
from tests.factories import Actors, make_challenge, make_project, make_team

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60


def stored_files(storage: LocalStorage) -> list[str]:
    return sorted(p.name for p in storage.root.rglob("*") if p.is_file())


async def _draft(db: Database, actors: Actors, *open_phases: PhaseKind) -> tuple[User, Project]:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=open_phases)
    team = await make_team(db, challenge, coach=coach)
    return coach, await make_project(db, team, submitted=False)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (EXE, None),
        (b"%PD", None),
        (b"just text pretending to be a pdf", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_magic_bytes(data: bytes, expected: str | None) -> None:
    assert uploads.sniff(data) == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("relazione.pdf", "relazione.pdf"),
        ("C:\\Users\\prof\\Desktop\\idea finale.pdf", "idea finale.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("budget.bat", "budget.pdf"),
        ("evil\u202egnp.pdf", "evilgnp.pdf"),
        ("tab\tand\nnewline.pdf", "tab and newline.pdf"),
        ("   ", "document.pdf"),
        ("a" * 200 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_clean_display_name(filename: str, expected: str) -> None:
    assert uploads.clean_display_name(filename, "application/pdf") == expected


async def test_add_file_stores_bytes_and_bumps_version(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _draft(db, actors, PhaseKind.SUBMISSION)

    async with staged(storage) as stage, db.transaction() as session:
        added = await uploads.add_file(
            session,
            user=coach,
            project_id=project.id or 0,
            upload=Upload("idea.pdf", PDF),
            max_bytes=1024,
            stage=stage,
        )

    assert storage.read(added.storage_key) == PDF
    assert (added.content_type, added.size, added.display_name) == (
        "application/pdf",
        len(PDF),
        "idea.pdf",
    )
    async with db.read() as session:
        stored = await session.get(Project, project.id)
    assert stored is not None and stored.version == 2


async def test_refused_file_writes_nothing(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _draft(db, actors, PhaseKind.SUBMISSION)
    before = stored_files(storage)

    for data, error in ((EXE, uploads.FileTypeRefused), (PDF + b"x" * 2000, uploads.FileTooLarge)):
        with pytest.raises(error):
            async with staged(storage) as stage, db.transaction() as session:
                await uploads.add_file(
                    session,
                    user=coach,
                    project_id=project.id or 0,
                    upload=Upload("x.pdf", data),
                    max_bytes=1024,
                    stage=stage,
                )

    assert stored_files(storage) == before
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(ProjectFile))).scalar() == 0


async def test_failed_transaction_removes_the_stored_file(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _draft(db, actors, PhaseKind.SUBMISSION)
    before = stored_files(storage)

    with pytest.raises(RuntimeError):
        async with staged(storage) as stage, db.transaction() as session:
            added = await uploads.add_file(
                session,
                user=coach,
                project_id=project.id or 0,
                upload=Upload("x.pdf", PDF),
                max_bytes=1024,
                stage=stage,
            )
            assert storage.exists(added.storage_key)
            raise RuntimeError("the database went away before the commit")

    assert stored_files(storage) == before
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(ProjectFile))).scalar() == 0


async def test_upload_after_the_deadline_is_refused_before_storing(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _draft(db, actors)
    before = stored_files(storage)

    with pytest.raises(projects.SubmissionClosed):
        async with staged(storage) as stage, db.transaction() as session:
            await uploads.add_file(
                session,
                user=coach,
                project_id=project.id or 0,
                upload=Upload("x.pdf", PDF),
                max_bytes=1024,
                stage=stage,
            )

    assert stored_files(storage) == before


async def test_delete_file_returns_key_and_removes_row(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await _draft(db, actors, PhaseKind.SUBMISSION)
    async with staged(storage) as stage, db.transaction() as session:
        added = await uploads.add_file(
            session,
            user=coach,
            project_id=project.id or 0,
            upload=Upload("x.png", PNG),
            max_bytes=1024,
            stage=stage,
        )

    async with db.transaction() as session:
        key = await uploads.delete_file(
            session, user=coach, project_id=project.id or 0, file_id=added.id or 0
        )

    assert key == added.storage_key
    async with db.read() as session:
        assert await session.get(ProjectFile, added.id) is None
