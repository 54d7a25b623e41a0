"""A body that stalls or trickles is refused in time: 408 once it pauses for BODY_IDLE_SECONDS
or takes more than BODY_TIMEOUT_SECONDS in all, the connection closed, nothing stored.

The real server (tests/badinput/conftest.py: 1 s of pause, 3 s in all) over a raw socket."""

from __future__ import annotations

import asyncio
import json

from app.db import Database
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile
from tests.badinput.conftest import SHORT_LIMITS
from tests.badinput.helpers import PDF, coach_with_draft, count, stored_files
from tests.badinput.server import Exchange, ServeProcess, exchange
from tests.factories import Actors
from tests.snapshots import snapshot

IDLE = float(SHORT_LIMITS["BODY_IDLE_SECONDS"])
TIMEOUT = float(SHORT_LIMITS["BODY_TIMEOUT_SECONDS"])
LOGIN = b"email=judge%40example.org&password=correct-horse-battery"


def post(path: str, length: int, *headers: str, method: str = "POST") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Length: {length}",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def send(served: ServeProcess, *chunks: bytes, pause: float = 0.0) -> Exchange:
    return await asyncio.to_thread(exchange, served.port, chunks, pause=pause)


async def bearer(actors: Actors, user: object) -> str:
    api = await actors.api(user)  # type: ignore[arg-type]
    await api.aclose()
    return str(api.headers["authorization"])


async def test_a_form_whose_body_stalls_is_a_408_after_the_pause_allowed(
    served: ServeProcess,
) -> None:
    head = post("/login", len(LOGIN), "Content-Type: application/x-www-form-urlencoded")

    result = await send(served, head + LOGIN[:20])

    assert result.status == 408
    assert IDLE - 0.1 < result.seconds < IDLE + 1.5
    assert result.header("connection") == "close"
    assert result.header("content-type") == "text/html; charset=utf-8"
    assert "La richiesta ha impiegato troppo tempo ad arrivare." in result.body.decode()


async def test_a_body_that_trickles_in_is_a_408_when_its_whole_time_is_up(
    served: ServeProcess,
) -> None:
    head = post("/login", len(LOGIN), "Content-Type: application/x-www-form-urlencoded")
    trickle = [LOGIN[i : i + 1] for i in range(len(LOGIN))]  # a byte every half a pause

    result = await send(served, head, *trickle, pause=IDLE / 2)

    assert result.status == 408 or result.reset
    assert TIMEOUT - 0.1 < result.seconds < TIMEOUT + 1.5 < IDLE / 2 * len(trickle)


async def test_an_api_body_that_stalls_is_a_json_408_and_changes_nothing(
    served: ServeProcess, db: Database, actors: Actors
) -> None:
    coach, project = await coach_with_draft(db, actors)
    body = json.dumps({"title": "Sensori nel Mincio", "description": "Misure."}).encode()
    head = post(
        f"/api/v1/teams/{project.team_id}/project",
        len(body),
        "Content-Type: application/json",
        f"Authorization: {await bearer(actors, coach)}",
        method="PUT",
    )
    before = await snapshot(db)

    result = await send(served, head + body[:-5])

    assert result.status == 408
    assert json.loads(result.body)["error"]["code"] == "request_timeout"
    assert result.seconds < IDLE + 1.5
    assert await snapshot(db) == before
    async with db.read() as session:
        unchanged = await session.get(Project, project.id)
    assert unchanged is not None and unchanged.title == project.title


async def test_an_upload_that_stalls_mid_file_is_a_408_and_stores_nothing(
    served: ServeProcess, db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach, project = await coach_with_draft(db, actors)
    boundary = "stallBoundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="idea.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + PDF * 1000
    head = post(
        f"/api/v1/projects/{project.id}/files",
        len(body) + 100,  # the end never comes
        f"Content-Type: multipart/form-data; boundary={boundary}",
        f"Authorization: {await bearer(actors, coach)}",
    )

    result = await send(served, head + body)

    assert result.status == 408
    assert await count(db, ProjectFile) == 0
    assert stored_files(storage) == []
