"""Archiving a finished edition: it leaves the current challenges and stays readable."""

from __future__ import annotations

from sqlalchemy import func, select

from app.challenges import events
from app.db import Database
from app.events.models import AuditEntry
from tests.factories import Actors, make_challenge, post_form


async def _entries(db: Database, action: str) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        return (await session.execute(query)).scalar_one()


async def test_a_challenge_with_a_phase_still_running_is_not_archived(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    running = await make_challenge(db, organiser=organiser)

    async with await actors.api(organiser) as http:
        refused = await http.put(
            f"/api/v1/challenges/{running.id}/archived", json={"archived": True}
        )

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "challenge_not_finished"
    assert await _entries(db, events.CHALLENGE_ARCHIVED) == 0


async def test_a_finished_challenge_is_archived_once_and_shown_among_past_editions(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    finished = await make_challenge(db, organiser=organiser, title="Climathon 2025", open_phases=())
    current = await make_challenge(db, organiser=organiser, title="Climathon 2026")
    page = f"/challenges/{finished.id}"

    async with await actors.client(organiser) as http:
        first = await post_form(http, f"{page}/archive", {"archive": "1"}, form_page=page)
        again = await post_form(http, f"{page}/archive", {"archive": "1"}, form_page=page)
    async with actors.anonymous() as http:
        home = await http.get("/")
        still_readable = await http.get(page)

    assert (first.status_code, again.status_code) == (303, 303)
    assert await _entries(db, events.CHALLENGE_ARCHIVED) == 1
    past = home.text.split("Edizioni passate", 1)
    assert len(past) == 2 and "Climathon 2025" in past[1] and "Climathon 2025" not in past[0]
    assert "Climathon 2026" in past[0]
    assert current.id is not None
    assert still_readable.status_code == 200 and "Archiviata" in still_readable.text


async def test_an_archived_challenge_is_brought_back(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    finished = await make_challenge(db, organiser=organiser, open_phases=())

    async with await actors.api(organiser) as http:
        archived = await http.put(
            f"/api/v1/challenges/{finished.id}/archived", json={"archived": True}
        )
        restored = await http.put(
            f"/api/v1/challenges/{finished.id}/archived", json={"archived": False}
        )

    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert await _entries(db, events.CHALLENGE_RESTORED) == 1
