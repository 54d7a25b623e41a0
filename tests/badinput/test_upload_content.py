"""Hostile file names and file contents: names never reach the file system, the shown name is
cleaned, the type comes from the bytes, and images are never decoded."""

from __future__ import annotations

import struct
import zlib

import pytest
from httpx import AsyncClient, Response
from markupsafe import escape
from sqlalchemy import select

from app.db import Database
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile
from app.teams.uploads import MAX_NAME
from tests.badinput.helpers import MB, PDF, coach_with_draft, count, metered, stored_files
from tests.factories import Actors, csrf

BOUNDARY = "nameBoundary0123"


def multipart(filename: bytes, data: bytes, token: str | None) -> bytes:
    """A body with the file name exactly as given: no client escaping in the way."""
    raw = b""
    if token is not None:
        raw += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        ).encode()
    raw += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return raw


async def _upload(
    http: AsyncClient, project: Project, filename: bytes, data: bytes, *, token: str | None
) -> Response:
    path = f"/projects/{project.id}/files"
    if token is None:
        path = "/api/v1" + path
    return await http.post(
        path,
        content=multipart(filename, data, token),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


async def _files(db: Database) -> list[ProjectFile]:
    async with db.read() as session:
        return list((await session.execute(select(ProjectFile))).scalars())


HOSTILE_NAMES = {
    "traversal": (b"../../etc/passwd.pdf", "passwd.pdf"),
    "windows_traversal": (b"..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    "control_chars": (b"rel\x1b[31mazione\x07.pdf", "rel[31mazione.pdf"),
    "nul": (b"idea\x00.exe.pdf", "idea.exe.pdf"),
    "rtl_override": ("fattura\u202efdp.exe.pdf".encode(), "fatturafdp.exe.pdf"),
    "only_dots": (b"....", "document.pdf"),
    "one_kb": (b"a" * 1000 + b".pdf", "a" * (MAX_NAME - 4) + ".pdf"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
@pytest.mark.parametrize("via_api", [False, True])
async def test_hostile_file_name_is_stored_under_our_key_and_shown_clean(
    db: Database, actors: Actors, storage: LocalStorage, case: str, via_api: bool
) -> None:
    raw_name, shown = HOSTILE_NAMES[case]
    coach, project = await coach_with_draft(db, actors)
    async with await (actors.api(coach) if via_api else actors.client(coach)) as http:
        token = None if via_api else await csrf(http, f"/projects/{project.id}")
        response = await _upload(http, project, raw_name, PDF, token=token)
        page = await http.get(f"/projects/{project.id}") if not via_api else None

    assert response.status_code == (201 if via_api else 303), response.text[:300]
    (stored,) = await _files(db)
    assert stored.display_name == shown
    # The only file on disk is under the generated key, inside the storage root.
    assert stored_files(storage) == [
        str(storage.root / stored.storage_key[:2] / stored.storage_key)
    ]
    assert len(stored.storage_key) == 32 and stored.storage_key.isalnum()
    if page is not None:
        assert str(escape(shown)) in page.text
    if via_api:
        assert response.json()["display_name"] == shown


@pytest.mark.parametrize("via_api", [False, True])
async def test_ten_kb_file_name_is_a_clear_400(
    db: Database, actors: Actors, storage: LocalStorage, via_api: bool
) -> None:
    # python-multipart refuses a part header this long before the name reaches our code.
    coach, project = await coach_with_draft(db, actors)
    async with await (actors.api(coach) if via_api else actors.client(coach)) as http:
        token = None if via_api else await csrf(http, f"/projects/{project.id}")
        with metered() as cost:
            response = await _upload(http, project, b"a" * 10_000 + b".pdf", PDF, token=token)

    assert response.status_code == 400
    assert cost.cpu_seconds < 1
    assert await count(db, ProjectFile) == 0
    assert stored_files(storage) == []


async def test_download_header_of_a_hostile_name_cannot_split_headers(
    db: Database, actors: Actors
) -> None:
    # The CR LF ends the part's Content-Disposition header: the multipart parser keeps its
    # last filename parameter (evil.html) and reads "X-Injected" as another header of the
    # part, which nothing uses. The file is a PDF by its bytes, and is named so.
    coach, project = await coach_with_draft(db, actors)
    name = b'a"; filename=evil.html\r\nX-Injected: 1 .pdf'
    async with await actors.client(coach) as http:
        token = await csrf(http, f"/projects/{project.id}")
        uploaded = await _upload(http, project, name, PDF, token=token)
        assert uploaded.status_code == 303, uploaded.text[:300]
        (stored,) = await _files(db)
        download = await http.get(f"/projects/{project.id}/files/{stored.id}")

    assert (stored.display_name, stored.content_type) == ("evil.pdf", "application/pdf")
    assert download.status_code == 200
    assert "x-injected" not in download.headers
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"evil.pdf\"; filename*=UTF-8''evil.pdf"
    )


DANGEROUS_NAMES = {
    "batch": (b"budget.bat", PDF, "budget.pdf"),
    "html": (b"report.html", PDF, "report.pdf"),
    "exe": (b"setup.exe", PDF, "setup.pdf"),
    "svg_png": (b"logo.svg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "logo.png"),
    "pdf_named_png": (b"foto.png", PDF, "foto.pdf"),
    "no_extension": (b"relazione", PDF, "relazione.pdf"),
    "jpeg_kept": (b"foto.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "foto.JPEG"),
}


@pytest.mark.parametrize("case", sorted(DANGEROUS_NAMES))
async def test_stored_and_served_name_takes_the_extension_of_the_detected_type(
    db: Database, actors: Actors, case: str
) -> None:
    raw_name, data, expected = DANGEROUS_NAMES[case]
    coach, project = await coach_with_draft(db, actors)
    async with await actors.api(coach) as http:
        uploaded = await _upload(http, project, raw_name, data, token=None)
    (stored,) = await _files(db)
    async with await actors.client(coach) as browser:
        download = await browser.get(f"/projects/{project.id}/files/{stored.id}")

    assert uploaded.status_code == 201, uploaded.text[:300]
    assert stored.display_name == expected
    assert download.headers["content-disposition"].startswith(f'attachment; filename="{expected}"')


def _png_declaring(width: int, height: int) -> bytes:
    """A valid, tiny PNG whose header claims a huge image (one compressed row of zeros)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width * 3 + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


MISMATCHED = {
    "html_as_pdf": (b"idea.pdf", b"<!doctype html><script>alert(1)</script>"),
    "zip_as_png": (b"foto.png", b"PK\x03\x04" + b"\x00" * 100),
    "exe_as_png": (b"foto.png", b"MZ\x90\x00" + b"\x00" * 100),
    "svg_as_png": (b"logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "pdf_later_in_file": (b"idea.pdf", b"junk " + PDF),
}


@pytest.mark.parametrize("case", sorted(MISMATCHED))
@pytest.mark.parametrize("via_api", [False, True])
async def test_content_that_does_not_match_an_accepted_type_is_415(
    db: Database, actors: Actors, storage: LocalStorage, case: str, via_api: bool
) -> None:
    name, data = MISMATCHED[case]
    coach, project = await coach_with_draft(db, actors)
    async with await (actors.api(coach) if via_api else actors.client(coach)) as http:
        token = None if via_api else await csrf(http, f"/projects/{project.id}")
        response = await _upload(http, project, name, data, token=token)

    assert response.status_code == 415
    if via_api:
        assert response.json()["error"]["code"] == "unsupported_media_type"
    else:
        assert 'id="e-file"' in response.text  # the page again, with the error at the field
    assert await count(db, ProjectFile) == 0
    assert stored_files(storage) == []


async def test_png_declaring_50000_by_50000_pixels_is_stored_without_decoding(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    # uploads.py reads only the magic bytes and never decodes images, so a decompression bomb
    # costs what its bytes cost; decoding 50,000 x 50,000 RGB pixels would need 7.5 GB.
    bomb = _png_declaring(50_000, 50_000)
    assert len(bomb) < 2048
    coach, project = await coach_with_draft(db, actors)
    async with await actors.api(coach) as http:
        with metered() as cost:
            response = await _upload(http, project, b"bomb.png", bomb, token=None)
        (stored,) = await _files(db)
        shown = await http.get(f"/api/v1/projects/{project.id}")

    assert response.status_code == 201
    assert cost.cpu_seconds < 1 and cost.peak_bytes < 4 * MB
    assert (stored.content_type, stored.size) == ("image/png", len(bomb))
    assert storage.read(stored.storage_key) == bomb
    assert [f["content_type"] for f in shown.json()["files"]] == ["image/png"]
