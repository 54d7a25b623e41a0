"""A challenge's cover image: only a real PNG or JPEG of bounded size, shown to whoever may
see the challenge, and shared with next year's edition until one of them changes it."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from sqlalchemy import select

from app.challenges.models import Challenge
from app.db import Database
from app.storage import LocalStorage
from tests.factories import Actors, make_challenge, post_form, unpublish


def png(width: int = 64, height: int = 32, colour: str = "green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge image (a decompression bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr
    chunk += struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\x00" * 64


async def _key(db: Database, challenge_id: int | None) -> str | None:
    async with db.read() as session:
        found = await session.execute(
            select(Challenge.cover_key).where(Challenge.id == challenge_id)  # type: ignore[arg-type]
        )
    return found.scalar_one()


async def _upload(actors: Actors, user: object, challenge_id: int | None, data: bytes) -> object:
    page = f"/challenges/{challenge_id}/cover/edit"
    async with await actors.client(user) as http:  # type: ignore[arg-type]
        return await post_form(
            http, page, files={"file": ("cover.png", data, "image/png")}, form_page=page
        )


async def test_an_organiser_puts_up_a_cover_that_everyone_sees(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    image = png()

    response = await _upload(actors, organiser, challenge.id, image)

    assert response.status_code == 303  # type: ignore[attr-defined]
    async with actors.anonymous() as http:
        page = await http.get(f"/challenges/{challenge.id}")
        shown = await http.get(f"/challenges/{challenge.id}/cover")
    assert f'src="/challenges/{challenge.id}/cover?v=' in page.text
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/png"
    assert shown.content == image


async def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)

    response = await _upload(actors, organiser, challenge.id, b"%PDF-1.7 not a picture")

    assert response.status_code == 415  # type: ignore[attr-defined]
    assert "deve essere un&#39;immagine PNG o JPEG" in response.text  # type: ignore[attr-defined]
    assert await _key(db, challenge.id) is None


async def test_an_image_declaring_huge_dimensions_is_refused_before_it_is_stored(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)

    response = await _upload(actors, organiser, challenge.id, png_header_claiming(60000, 60000))

    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "4000 x 4000" in response.text  # type: ignore[attr-defined]
    assert await _key(db, challenge.id) is None


async def test_a_draft_challenge_cover_is_not_found_by_outsiders(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    await _upload(actors, organiser, challenge.id, png())
    await unpublish(db, challenge)

    async with actors.anonymous() as http:
        outsider = await http.get(f"/challenges/{challenge.id}/cover")
    async with await actors.client(organiser) as http:
        own = await http.get(f"/challenges/{challenge.id}/cover")

    assert outsider.status_code == 404
    assert own.status_code == 200


async def test_next_years_edition_shares_the_cover_until_one_of_them_changes_it(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    organiser = await actors.user(creator=True)
    challenge = await make_challenge(db, organiser=organiser, title="Climathon Mantova 2026")
    await _upload(actors, organiser, challenge.id, png(colour="green"))
    first = await _key(db, challenge.id)
    async with await actors.api(organiser) as http:
        made = await http.post(
            f"/api/v1/challenges/{challenge.id}/next-edition", json={"title": "Climathon 2027"}
        )
        new_id = made.json()["id"]
        assert (await http.get(f"/api/v1/challenges/{new_id}")).json()["has_cover"] is True
        # Taking it down from the new edition keeps the file: last year's still shows it.
        removed = await http.delete(f"/api/v1/challenges/{new_id}/cover")

    assert removed.status_code == 204
    assert first is not None and storage.read(first)
    assert await _key(db, new_id) is None

    # Replaced in last year's edition, which alone used it: the old file goes.
    await _upload(actors, organiser, challenge.id, png(colour="blue"))
    assert await _key(db, challenge.id) != first
    try:
        storage.read(first)
        gone = False
    except FileNotFoundError:
        gone = True
    assert gone
