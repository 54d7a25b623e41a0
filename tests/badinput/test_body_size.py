"""Bodies past the size limit: 413 from the middleware, whether the Content-Length tells the
truth, lies or is missing (chunked), with nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from app.db import Database
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile
from tests.badinput.helpers import MB, PDF, coach_with_draft, count, metered, stored_files
from tests.factories import Actors, csrf

BOUNDARY = "sizeBoundary42"
CHUNK = 64 * 1024


def limit(app: Starlette) -> int:
    """The middleware's limit: the largest upload plus room for the form's other fields."""
    return int(app.state.settings.max_upload_bytes) + 64 * 1024


class Streamed:
    """A multipart body sent in chunks, remembering how much of it the server pulled."""

    def __init__(self, token: str, file_size: int) -> None:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.raw = head + PDF + b"0" * (file_size - len(PDF)) + f"\r\n--{BOUNDARY}--\r\n".encode()
        self.sent = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.raw), CHUNK):
            chunk = self.raw[start : start + CHUNK]
            self.sent += len(chunk)
            yield chunk


async def _setup(db: Database, actors: Actors) -> tuple[Project, AsyncClient, str, AsyncClient]:
    coach, project = await coach_with_draft(db, actors)
    page = await actors.client(coach)
    token = await csrf(page, f"/projects/{project.id}")
    return project, page, token, await actors.api(coach)


async def _nothing_stored(db: Database, storage: LocalStorage) -> None:
    assert await count(db, ProjectFile) == 0
    assert stored_files(storage) == []


def _paths(project: Project) -> list[str]:
    return [f"/projects/{project.id}/files", f"/api/v1/projects/{project.id}/files"]


@pytest.mark.parametrize("via_api", [False, True])
async def test_declared_length_over_the_limit_is_413_before_reading(
    app: Starlette, db: Database, actors: Actors, storage: LocalStorage, via_api: bool
) -> None:
    project, page, token, api = await _setup(db, actors)
    body = Streamed(token, 3 * MB)
    http = api if via_api else page
    headers = {
        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
        "content-length": str(len(body.raw)),
    }
    with metered() as cost:
        response = await http.post(_paths(project)[via_api], content=body.chunks(), headers=headers)
    await page.aclose()
    await api.aclose()

    assert len(body.raw) > limit(app)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(
        "application/json" if via_api else "text/html"
    )
    assert body.sent == 0  # refused on the header alone
    assert cost.cpu_seconds < 1 and cost.peak_bytes < 2 * MB
    await _nothing_stored(db, storage)


@pytest.mark.parametrize("via_api", [False, True])
async def test_lying_content_length_is_413_once_the_limit_is_passed(
    app: Starlette, db: Database, actors: Actors, storage: LocalStorage, via_api: bool
) -> None:
    project, page, token, api = await _setup(db, actors)
    body = Streamed(token, 6 * MB)
    headers = {
        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
        "content-length": "1000",
    }
    http = api if via_api else page
    with metered() as cost:
        response = await http.post(_paths(project)[via_api], content=body.chunks(), headers=headers)
    await page.aclose()
    await api.aclose()

    assert response.status_code == 413
    # The server stopped pulling soon after the limit, not at the end of the body.
    assert limit(app) < body.sent <= limit(app) + CHUNK
    assert cost.cpu_seconds < 3 and cost.peak_bytes < 3 * limit(app)
    await _nothing_stored(db, storage)


@pytest.mark.parametrize("via_api", [False, True])
async def test_chunked_body_over_the_limit_is_413(
    app: Starlette, db: Database, actors: Actors, storage: LocalStorage, via_api: bool
) -> None:
    project, page, token, api = await _setup(db, actors)
    body = Streamed(token, 6 * MB)
    http = api if via_api else page
    with metered() as cost:
        response = await http.post(
            _paths(project)[via_api],
            content=body.chunks(),
            headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
    await page.aclose()
    await api.aclose()

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert limit(app) < body.sent <= limit(app) + CHUNK
    assert cost.cpu_seconds < 3 and cost.peak_bytes < 3 * limit(app)
    await _nothing_stored(db, storage)


async def test_file_over_the_upload_limit_but_under_the_body_limit_is_413(
    app: Starlette, db: Database, actors: Actors, storage: LocalStorage
) -> None:
    project, page, token, api = await _setup(db, actors)
    size = int(app.state.settings.max_upload_bytes) + 1024
    data = PDF + b"0" * (size - len(PDF))
    page_response = await page.post(
        _paths(project)[0],
        data={"csrf_token": token},
        files={"file": ("big.pdf", data, "application/pdf")},
    )
    api_response = await api.post(
        _paths(project)[1], files={"file": ("big.pdf", data, "application/pdf")}
    )
    await page.aclose()
    await api.aclose()

    assert page_response.status_code == 413
    assert api_response.status_code == 413
    await _nothing_stored(db, storage)


@pytest.mark.parametrize("declared", ["-1", "12abc", "99999999999999999999999"])
async def test_a_content_length_that_is_not_a_small_number_is_413(
    client: AsyncClient, declared: str
) -> None:
    response = await client.post("/login", content=b"email=a", headers={"content-length": declared})

    assert response.status_code == 413


async def test_json_body_over_the_limit_is_413(app: Starlette, actors: Actors) -> None:
    user = await actors.user()
    api = await actors.api(user)
    big = b'{"name": "' + b"a" * (limit(app) + 10) + b'"}'
    response = await api.put(
        "/api/v1/teams/1/project", content=big, headers={"content-type": "application/json"}
    )
    await api.aclose()

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_json_body_over_one_megabyte_is_413_and_writes_nothing(
    db: Database, actors: Actors
) -> None:
    # Under the general body limit (uploads are larger), over what any JSON body needs.
    coach, project = await coach_with_draft(db, actors)
    api = await actors.api(coach)
    big = b'{"title": "Sensori", "description": "' + b"a" * (1024 * 1024) + b'"}'
    before = await count(db, Project)
    response = await api.put(
        f"/api/v1/teams/{project.team_id}/project",
        content=big,
        headers={"content-type": "application/json"},
    )
    await api.aclose()

    assert response.status_code == 413
    assert "1 MB" in response.json()["error"]["message"]
    async with db.read() as session:
        unchanged = await session.get(Project, project.id)
    assert unchanged is not None and unchanged.description == project.description
    assert await count(db, Project) == before
