"""Input the schema would misread is refused with a 422 naming the field, before any work:
a null character in any text, or true/false where a number is expected. A null character:
no text needs one, and PostgreSQL cannot store it (it answered 500 before)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.challenges.models import Programme, Track
from app.db import Database
from tests.factories import Actors, make_challenge, post_form


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_null_character_in_a_json_body_is_refused(db: Database, actors: Actors) -> None:
    creator = await actors.user(creator=True)
    before = await _count(db, Programme)

    async with await actors.api(creator) as http:
        refused = await http.post("/api/v1/programmes", json={"name": "Percorsi\x00 green"})

    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"name"}
    assert await _count(db, Programme) == before


async def test_a_null_character_in_a_page_form_is_refused_with_the_form_again(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    page = f"/challenges/{challenge.id}/tracks"

    async with await actors.client(organiser) as http:
        refused = await post_form(
            http, page, {"name": "Acqua\x00", "description": "Sfida sull'acqua"}, form_page=page
        )

    assert refused.status_code == 422
    assert "carattere nullo" in refused.text
    assert "Sfida sull&#39;acqua" in refused.text  # what was typed is kept
    assert await _count(db, Track) == 0


async def test_true_or_false_where_a_number_is_expected_is_refused(
    db: Database, actors: Actors
) -> None:
    """JSON's true is not the number 1, though pydantic would read it so."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())

    async with await actors.api(organiser) as http:
        refused = await http.post(
            f"/api/v1/challenges/{challenge.id}/tracks", json={"name": "Acqua", "position": True}
        )

    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"position"}
    assert await _count(db, Track) == 0
