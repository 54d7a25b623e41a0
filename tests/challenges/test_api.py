from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.accounts.models import Role, RoleKind
from app.challenges.models import Phase, PhaseKind
from app.db import Database
from tests.factories import Actors, make_challenge


async def test_list_shows_published_challenges_only(db: Database, actors: Actors) -> None:
    published = await make_challenge(db, open_phases=(PhaseKind.SUBMISSION,))
    await make_challenge(db, published=False)

    async with actors.anonymous() as http:
        response = await http.get("/api/v1/challenges")

    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body] == [published.id]
    assert body[0]["current_phase"] == "submission"


async def test_get_challenge_includes_tracks_and_phases(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, tracks=("Acqua", "Mobilità"))

    async with actors.anonymous() as http:
        response = await http.get(f"/api/v1/challenges/{challenge.id}")

    assert response.status_code == 200
    body = response.json()
    assert [t["name"] for t in body["tracks"]] == ["Acqua", "Mobilità"]
    assert {p["kind"] for p in body["phases"]} == {k.value for k in PhaseKind}


async def test_get_draft_challenge_is_404_json(db: Database, actors: Actors) -> None:
    draft = await make_challenge(db, published=False)

    async with actors.anonymous() as http:
        response = await http.get(f"/api/v1/challenges/{draft.id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_create_challenge_makes_caller_organiser(db: Database, actors: Actors) -> None:
    user = await actors.user(creator=True)
    async with await actors.api(user) as http:
        response = await http.post(
            "/api/v1/challenges", json={"title": "Hackathon Mantova", "timezone": "Europe/Rome"}
        )

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "hackathon-mantova" and body["is_published"] is False
    async with db.read() as session:
        role = (await session.execute(select(Role).where(Role.user_id == user.id))).scalar_one()
    assert (role.challenge_id, role.kind) == (body["id"], RoleKind.ORGANISER)


async def test_create_challenge_without_token_is_401(actors: Actors) -> None:
    async with actors.anonymous() as http:
        response = await http.post("/api/v1/challenges", json={"title": "X"})

    assert response.status_code == 401


async def test_create_challenge_with_bad_body_is_422_with_fields(actors: Actors) -> None:
    async with await actors.api(await actors.user(creator=True)) as http:
        response = await http.post("/api/v1/challenges", json={"title": "", "timezone": "Nowhere"})

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"title", "timezone"}


async def test_add_track_by_organiser_and_duplicate_is_409(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    async with await actors.api(organiser) as http:
        created = await http.post(
            f"/api/v1/challenges/{challenge.id}/tracks", json={"name": "Acqua"}
        )
        duplicate = await http.post(
            f"/api/v1/challenges/{challenge.id}/tracks", json={"name": "Acqua"}
        )

    assert created.status_code == 201 and created.json()["name"] == "Acqua"
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "track_name_taken"


async def test_add_track_by_non_organiser_is_403(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db)
    async with await actors.api(await actors.user()) as http:
        response = await http.post(
            f"/api/v1/challenges/{challenge.id}/tracks", json={"name": "Acqua"}
        )

    assert response.status_code == 403


async def test_put_phases_replaces_windows_in_local_time(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    # A draft: its dates are free to move (a public one needs a reason, see test_phase_moves)
    challenge = await make_challenge(db, organiser=organiser, published=False)
    async with await actors.api(organiser) as http:
        response = await http.put(
            f"/api/v1/challenges/{challenge.id}/phases",
            json={
                "phases": [
                    {
                        "kind": "registration",
                        "starts_at": "2026-09-01T08:00:00",
                        "ends_at": "2026-09-30T18:00:00",
                    }
                ]
            },
        )

    assert response.status_code == 200
    assert response.json() == [
        {
            "kind": "registration",
            "starts_at": "2026-09-01T06:00:00Z",
            "ends_at": "2026-09-30T16:00:00Z",
        }
    ]
    async with db.read() as session:
        stored = list((await session.execute(select(Phase))).scalars())
    assert [(p.kind, p.ends_at) for p in stored] == [
        ("registration", datetime(2026, 9, 30, 16, 0, tzinfo=UTC))
    ]


async def test_put_phases_with_end_before_start_is_422(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    async with await actors.api(organiser) as http:
        response = await http.put(
            f"/api/v1/challenges/{challenge.id}/phases",
            json={
                "phases": [
                    {
                        "kind": "judging",
                        "starts_at": "2026-09-30T08:00:00",
                        "ends_at": "2026-09-01T18:00:00",
                    }
                ]
            },
        )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"judging_ends_at"}


async def test_text_over_its_bound_as_sent_is_refused_even_if_clean_up_would_shrink_it(
    db: Database, actors: Actors
) -> None:
    """The document promises maxLength on what is sent; trailing line breaks (U+0085) that
    the clean-up strips do not smuggle more past it."""
    organiser = await actors.user(creator=True)
    challenge = await make_challenge(db, organiser=organiser)
    padded = "Acqua" + "\u0085" * 1000  # 1,005 characters sent, 5 after stripping

    async with await actors.api(organiser) as api:
        refused = await api.post(
            f"/api/v1/challenges/{challenge.id}/tracks",
            json={"name": "Fiumi", "description": padded},
        )
        spaces = await api.post("/api/v1/challenges", json={"title": "C", "summary": " " * 501})

    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"description"}
    assert spaces.status_code == 422
