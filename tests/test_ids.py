"""Ids in URLs: text that names no row is a 404, whatever the database's integer range."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from app.db import MAX_ID, Database
from app.ids import parse_id
from tests.factories import Actors, make_challenge, make_sponsor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("٣", None),
        ("1e3", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
    ],
)
def test_parse_id(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "path",
    [
        f"/challenges/{MAX_ID + 1}",
        "/challenges/99999999999",
        "/projects/99999999999999999",
        "/teams/" + "9" * 30,
        f"/api/v1/challenges/{MAX_ID + 1}",
        f"/api/v1/challenges/{MAX_ID + 1}/sponsors",
        "/api/v1/challenges/²/sponsors",
        "/verify/" + "9" * 30,
    ],
)
async def test_ids_past_the_range_are_404(client: AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 404


@pytest.mark.parametrize("track", ["²", "99999999999", "x"])
async def test_a_track_filter_naming_nothing_is_not_a_server_error(
    db: Database, actors: Actors, track: str
) -> None:
    representative = await actors.user()
    challenge = await make_challenge(db)
    await make_sponsor(db, challenge, representative=representative)
    async with actors.anonymous() as anonymous:
        gallery = await anonymous.get(f"/challenges/{challenge.id}?track={track}")
    async with await actors.client(representative) as http:
        dashboard = await http.get(f"/challenges/{challenge.id}/sponsor?track={track}")

    assert gallery.status_code == 404
    assert dashboard.status_code == 200
