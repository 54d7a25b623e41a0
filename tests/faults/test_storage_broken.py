"""The file storage fails on write: a clear 503, nothing half-saved, and it heals by itself.

Two real failures (as root, permissions would not stop a write):
- the volume is gone: the storage folder has been replaced by a regular file, so no
  folder can be made in it (a lost mount point);
- the disk is full: the storage is a tiny tmpfs, so writing the file runs out of space
  half-way (where mounting is allowed).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpx import AsyncClient, Response
from starlette.applications import Starlette

from app.challenges.models import PhaseKind
from app.config import Settings
from app.db import Database
from app.events.models import AuditEntry
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile
from app.web import services
from tests.factories import Actors, make_challenge, make_project, make_team, post_form
from tests.faults.world import count, stored_files

SMALL = b"%PDF-1.7\n" + b"0" * 1024 + b"\n%%EOF\n"
LARGE = b"%PDF-1.7\n" + b"1" * (512 * 1024) + b"\n%%EOF\n"  # more than the full disk holds
UNAVAILABLE_IT = "archivio dei file non è disponibile: non è stato salvato nulla"


class Outage:
    """Breaks the storage folder and repairs it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def fill_or_break(self) -> None:
        raise NotImplementedError

    def repair(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        pass


class VolumeGone(Outage):
    def fill_or_break(self) -> None:
        self.root.rename(self.root.with_name("storage.away"))
        self.root.write_bytes(b"")  # where the folder was, a file: nothing can be made in it

    def repair(self) -> None:
        self.root.unlink()
        self.root.with_name("storage.away").rename(self.root)


class DiskFull(Outage):
    """A 256 KiB tmpfs: the small upload fits, the large one fails half-way through."""

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(self.root)],
            capture_output=True,
            check=False,
        )
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")

    def fill_or_break(self) -> None:
        pass  # already too small for LARGE

    def repair(self) -> None:
        subprocess.run(["mount", "-o", "remount,size=4m", str(self.root)], check=True)

    def cleanup(self) -> None:
        subprocess.run(["umount", "-l", str(self.root)], capture_output=True, check=False)


@pytest.fixture(params=[VolumeGone, DiskFull], ids=["volume-gone", "disk-full"])
def outage(request: pytest.FixtureRequest, fault_settings: Settings) -> Iterator[Outage]:
    broken: Outage = request.param(Path(fault_settings.storage_dir))
    broken.prepare()
    yield broken
    broken.cleanup()
    shutil.rmtree(broken.root.with_name("storage.away"), ignore_errors=True)


@dataclass
class Uploads:
    app: Starlette
    project: Project
    api: AsyncClient
    browser: AsyncClient

    @property
    def page(self) -> str:
        return f"/projects/{self.project.id}"

    async def via_api(self, data: bytes, name: str = "idea.pdf") -> Response:
        files = {"file": (name, data, "application/pdf")}
        return await self.api.post(f"/api/v1{self.page}/files", files=files)

    async def via_page(self, data: bytes, name: str = "idea.pdf") -> Response:
        files = {"file": (name, data, "application/pdf")}
        return await post_form(self.browser, f"{self.page}/files", files=files, form_page=self.page)


async def _project_version(db: Database, project_id: int) -> int:
    async with db.read() as session:
        project = await session.get(Project, project_id)
        assert project is not None
        return project.version


async def test_upload_while_storage_fails_is_503_with_nothing_saved_then_works_again(
    fault_app: Starlette, fault_db: Database, fault_actors: Actors, outage: Outage
) -> None:
    storage: LocalStorage = services(fault_app).storage
    coach = await fault_actors.user("Elena Marchetti")
    challenge = await make_challenge(fault_db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(fault_db, challenge, coach=coach)
    project = await make_project(fault_db, team, submitted=False)
    assert project.id is not None
    async with (
        await fault_actors.api(coach) as api,
        await fault_actors.client(coach) as browser,
    ):
        uploads = Uploads(fault_app, project, api, browser)
        before = await uploads.via_api(SMALL, "prima.pdf")
        assert before.status_code == 201
        saved = (
            await count(fault_db, ProjectFile),
            await count(fault_db, AuditEntry),
            await _project_version(fault_db, project.id),
        )
        files = stored_files(storage.root)

        outage.fill_or_break()
        from_api = await uploads.via_api(LARGE)
        from_page = await uploads.via_page(LARGE)

        assert from_api.status_code == 503
        assert from_api.json()["error"]["code"] == "storage_unavailable"
        assert from_page.status_code == 503
        assert UNAVAILABLE_IT in from_page.text
        assert (
            await count(fault_db, ProjectFile),
            await count(fault_db, AuditEntry),
            await _project_version(fault_db, project.id),
        ) == saved

        outage.repair()
        assert stored_files(storage.root) == files  # no partial or orphan file
        after_api = await uploads.via_api(LARGE, "dopo.pdf")
        after_page = await uploads.via_page(SMALL, "pagina.pdf")
        first = await browser.get(f"{uploads.page}/files/{before.json()['id']}")

    assert after_api.status_code == 201
    assert after_page.status_code == 303
    assert await count(fault_db, ProjectFile) == 3
    async with fault_db.read() as session:
        stored = await session.get(ProjectFile, after_api.json()["id"])
    assert stored is not None and storage.read(stored.storage_key) == LARGE
    assert first.status_code == 200 and first.content == SMALL  # the earlier file is intact
