"""Malformed multipart bodies on the two upload endpoints: a clear 4xx, little CPU and memory,
no row and no file left behind."""

from __future__ import annotations

import pytest
from httpx import AsyncClient, Response

from app.db import Database
from app.forms import MAX_FIELDS
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile
from tests.badinput.helpers import MB, PDF, coach_with_draft, count, metered, stored_files
from tests.factories import Actors, csrf

BOUNDARY = "madrinaBoundary7MA4YWxkTrZu0gW"


def part(name: str | None, value: bytes, *, filename: str | None = None) -> bytes:
    disposition = "form-data"
    if name is not None:
        disposition += f'; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"Content-Disposition: {disposition}\r\n"
    if filename is not None:
        head += "Content-Type: application/pdf\r\n"
    return f"--{BOUNDARY}\r\n{head}\r\n".encode() + value + b"\r\n"


def body(*parts: bytes, preamble: bytes = b"", boundary: str = BOUNDARY) -> bytes:
    raw = preamble + b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return raw.replace(BOUNDARY.encode(), boundary.encode())


async def _post(
    http: AsyncClient, path: str, raw: bytes, content_type: str | None = None
) -> Response:
    ctype = content_type or f"multipart/form-data; boundary={BOUNDARY}"
    return await http.post(path, content=raw, headers={"content-type": ctype})


async def _assert_nothing_stored(db: Database, storage: LocalStorage, project: Project) -> None:
    assert await count(db, ProjectFile) == 0
    assert stored_files(storage) == []
    async with db.read() as session:
        fresh = await session.get(Project, project.id)
    assert fresh is not None and fresh.version == project.version


async def _page_and_api(
    db: Database, actors: Actors
) -> tuple[Project, AsyncClient, str, AsyncClient]:
    coach, project = await coach_with_draft(db, actors)
    page = await actors.client(coach)
    token = await csrf(page, f"/projects/{project.id}")
    return project, page, token, await actors.api(coach)


def _cases(token: str) -> dict[str, tuple[bytes, str | None, int]]:
    """name -> (body, content type or None for the usual one, expected status)."""
    good_file = part("file", PDF, filename="idea.pdf")
    csrf_part = part("csrf_token", token.encode())
    many = [part(f"f{i}", b"x") for i in range(5000)]
    return {
        # Past the body limit nothing is read (under it, see test_a_preamble_under_the_limit).
        "huge_preamble": (body(csrf_part, good_file, preamble=b"p" * (3 * MB)), None, 413),
        "missing_boundary": (body(csrf_part, good_file), "multipart/form-data", 400),
        "boundary_300_bytes": (
            body(csrf_part, good_file, boundary="b" * 300),
            "multipart/form-data; boundary=" + "b" * 300,
            400,
        ),
        "thousands_of_fields": (body(csrf_part, *many, good_file), None, 400),
        "unterminated": (part("csrf_token", token.encode()) + b"--" + b"x" * 1000, None, 400),
    }


CASES = ["huge_preamble", "missing_boundary", "boundary_300_bytes", "thousands_of_fields"]


@pytest.mark.parametrize("case", CASES)
async def test_malformed_multipart_on_the_page_is_a_clear_4xx(
    db: Database, actors: Actors, storage: LocalStorage, case: str
) -> None:
    project, page, token, api = await _page_and_api(db, actors)
    raw, ctype, expected = _cases(token)[case]
    with metered() as cost:
        response = await _post(page, f"/projects/{project.id}/files", raw, ctype)
    await page.aclose()
    await api.aclose()

    assert response.status_code == expected, response.text[:300]
    assert cost.cpu_seconds < 3
    assert cost.peak_bytes < len(raw) * 3 + 8 * MB
    await _assert_nothing_stored(db, storage, project)


@pytest.mark.parametrize("case", CASES)
async def test_malformed_multipart_on_the_api_is_a_clear_4xx(
    db: Database, actors: Actors, storage: LocalStorage, case: str
) -> None:
    project, page, token, api = await _page_and_api(db, actors)
    raw, ctype, expected = _cases(token)[case]
    with metered() as cost:
        response = await _post(api, f"/api/v1/projects/{project.id}/files", raw, ctype)
    await page.aclose()
    await api.aclose()

    assert response.status_code == expected, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    assert cost.cpu_seconds < 3
    assert cost.peak_bytes < len(raw) * 3 + 8 * MB
    await _assert_nothing_stored(db, storage, project)


async def test_fields_just_past_the_form_limit_are_refused(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    project, page, token, api = await _page_and_api(db, actors)
    fields = [part(f"f{i}", b"x") for i in range(MAX_FIELDS)]  # plus the token: one too many
    raw = body(part("csrf_token", token.encode()), *fields, part("file", PDF, filename="a.pdf"))
    response = await _post(page, f"/projects/{project.id}/files", raw)
    api_response = await _post(api, f"/api/v1/projects/{project.id}/files", body(*fields[:11]))
    await page.aclose()
    await api.aclose()

    assert response.status_code == 400
    assert api_response.status_code == 400
    await _assert_nothing_stored(db, storage, project)


async def test_a_part_without_a_name_is_not_taken_as_the_file(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    project, page, token, api = await _page_and_api(db, actors)
    nameless = part(None, PDF, filename="idea.pdf")
    on_page = await _post(
        page, f"/projects/{project.id}/files", body(part("csrf_token", token.encode()), nameless)
    )
    on_api = await _post(api, f"/api/v1/projects/{project.id}/files", body(nameless))
    await page.aclose()
    await api.aclose()

    # python-multipart refuses a part without a name: the request is malformed.
    assert (on_page.status_code, on_api.status_code) == (400, 400), on_api.text[:300]
    await _assert_nothing_stored(db, storage, project)


async def test_an_unterminated_body_is_a_clear_4xx(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    project, page, token, api = await _page_and_api(db, actors)
    raw, ctype, _expected = _cases(token)["unterminated"]
    on_page = await _post(page, f"/projects/{project.id}/files", raw, ctype)
    on_api = await _post(api, f"/api/v1/projects/{project.id}/files", raw, ctype)
    await page.aclose()
    await api.aclose()

    # The parser takes no part that no boundary closes, so the page finds no CSRF token
    # (403, "the form expired") and the API no file (422, at the field).
    assert on_page.status_code == 403, on_page.text[:300]
    assert on_api.status_code == 422, on_api.text[:300]
    assert list(on_api.json()["error"]["fields"]) == ["file"]
    await _assert_nothing_stored(db, storage, project)


async def test_the_api_refuses_a_body_that_is_not_multipart(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    project, page, _token, api = await _page_and_api(db, actors)
    response = await api.post(f"/api/v1/projects/{project.id}/files", json={"file": PDF.decode()})
    await page.aclose()
    await api.aclose()

    assert response.status_code == 415
    await _assert_nothing_stored(db, storage, project)


# A boundary line but for its last byte: the parser must look at each and move on.
NEAR_MISS = f"\r\n--{BOUNDARY[:-1]}X".encode()


@pytest.mark.parametrize("kind", ["text", "blank_lines"])
async def test_a_preamble_under_the_limit_costs_little(
    db: Database, actors: Actors, storage: LocalStorage, kind: str
) -> None:
    """python-multipart takes no preamble text (400) but skips blank lines before the first
    boundary: 2 MB of either is handled in one pass."""
    project, page, token, api = await _page_and_api(db, actors)
    preamble = b"p" * (2 * MB) if kind == "text" else b"\r\n" * MB
    good_file = part("file", PDF, filename="idea.pdf")
    on_page_body = body(part("csrf_token", token.encode()), good_file, preamble=preamble)
    with metered() as page_cost:
        on_page = await _post(page, f"/projects/{project.id}/files", on_page_body)
    with metered() as api_cost:
        on_api = await _post(
            api, f"/api/v1/projects/{project.id}/files", body(good_file, preamble=preamble)
        )
    await page.aclose()
    await api.aclose()

    for cost in (page_cost, api_cost):
        assert cost.cpu_seconds < 3 and cost.peak_bytes < 3 * len(on_page_body) + 8 * MB, cost
    if kind == "text":
        assert (on_page.status_code, on_api.status_code) == (400, 400)
        await _assert_nothing_stored(db, storage, project)
    else:
        assert (on_page.status_code, on_api.status_code) == (303, 201), on_page.text[:300]
        assert await count(db, ProjectFile) == 2
        assert {p.read_bytes() for p in storage.root.rglob("*") if p.is_file()} == {PDF}


async def test_a_file_full_of_near_boundaries_is_stored_whole_at_a_bounded_cost(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    project, page, token, api = await _page_and_api(db, actors)
    data = PDF + NEAR_MISS * (MB // len(NEAR_MISS))
    raw = body(part("csrf_token", token.encode()), part("file", data, filename="idea.pdf"))
    with metered() as cost:
        response = await _post(page, f"/projects/{project.id}/files", raw)
    await page.aclose()
    await api.aclose()

    assert response.status_code == 303, response.text[:300]
    assert cost.cpu_seconds < 3 and cost.peak_bytes < 3 * len(raw) + 8 * MB, cost
    assert [p.read_bytes() for p in storage.root.rglob("*") if p.is_file()] == [data]


async def test_thousands_of_url_encoded_fields_are_a_clear_400(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    """The same field limit holds for the forms that are not multipart."""
    project, page, token, api = await _page_and_api(db, actors)
    fields = "&".join(f"f{i}=x" for i in range(50_000))
    raw = f"csrf_token={token}&title=Nuovo&{fields}".encode()
    async with db.read() as session:
        team_id = (await session.get(Project, project.id)).team_id  # type: ignore[union-attr]
    with metered() as cost:
        response = await page.post(
            f"/teams/{team_id}/project",
            content=raw,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    await page.aclose()
    await api.aclose()

    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert cost.cpu_seconds < 3 and cost.peak_bytes < 3 * len(raw) + 8 * MB, cost
    await _assert_nothing_stored(db, storage, project)
