"""The audit log pages: who did what and when, filtered and paged, for who may read it."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.db import Database
from app.reports.audit import PAGE_SIZE
from tests.factories import Actors, make_challenge, post_form


@dataclass
class Logged:
    organiser: User
    challenge_id: int

    @property
    def page(self) -> str:
        return f"/challenges/{self.challenge_id}/audit"

    @property
    def api(self) -> str:
        return f"/api/v1/challenges/{self.challenge_id}/audit"


async def _logged(db: Database, actors: Actors, tracks: int) -> Logged:
    """A challenge whose organiser added `tracks` tracks through the pages (audited)."""
    organiser = await actors.user("Olga Organizzatrice")
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    page = f"/challenges/{challenge.id}/tracks"
    async with await actors.client(organiser) as http:
        for k in range(tracks):
            await post_form(http, page, {"name": f"Tema {k}", "position": "0"}, form_page=page)
    assert challenge.id is not None
    return Logged(organiser, challenge.id)


async def test_the_log_says_who_did_what_newest_first(db: Database, actors: Actors) -> None:
    logged = await _logged(db, actors, 3)
    async with await actors.api(logged.organiser) as api:
        tracks = (await api.get(f"{logged.api}?action=track.added")).json()
        by_subject = (await api.get(f"{logged.api}?action=track")).json()
        theirs = (await api.get(f"{logged.api}?person={logged.organiser.id}")).json()
        nobody = (await api.get(f"{logged.api}?from=2001-01-01&to=2001-12-31")).json()
    async with await actors.client(logged.organiser) as browser:
        page = await browser.get(f"{logged.page}?action=track.added")

    assert [e["data"]["name"] for e in tracks["entries"]] == ["Tema 2", "Tema 1", "Tema 0"]
    assert {e["actor_name"] for e in tracks["entries"]} == {"Olga Organizzatrice"}
    assert by_subject["total"] == theirs["total"] == 3
    assert nobody["total"] == 0
    assert page.status_code == 200 and page.text.count("track.added</code>") == 3


async def test_the_log_is_paged(db: Database, actors: Actors) -> None:
    logged = await _logged(db, actors, PAGE_SIZE + 2)
    async with await actors.api(logged.organiser) as api:
        first = (await api.get(f"{logged.api}?action=track.added")).json()
        second = (await api.get(f"{logged.api}?action=track.added&page=2")).json()
        beyond = await api.get(f"{logged.api}?page=abc")

    assert (first["total"], first["pages"], len(first["entries"])) == (PAGE_SIZE + 2, 2, PAGE_SIZE)
    assert [e["data"]["name"] for e in second["entries"]] == ["Tema 1", "Tema 0"]
    assert beyond.status_code == 404


async def test_a_challenges_log_is_for_its_organisers(db: Database, actors: Actors) -> None:
    logged = await _logged(db, actors, 1)
    async with await actors.client(await actors.user()) as browser:
        refused = await browser.get(logged.page)

    assert refused.status_code == 403  # the challenge is public; its log is not


async def test_the_platform_log_is_for_administrators(db: Database, actors: Actors) -> None:
    logged = await _logged(db, actors, 1)
    async with await actors.client(logged.organiser) as browser:
        refused = await browser.get("/admin/audit")
    async with await actors.api(await actors.user(is_admin=True)) as api:
        everything = (await api.get("/api/v1/audit")).json()

    assert refused.status_code == 403
    assert "track.added" in {e["action"] for e in everything["entries"]}
