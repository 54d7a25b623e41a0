"""Worlds for the query-count tests: challenges, programmes, tracks and people."""

from __future__ import annotations

from app.accounts.models import RoleKind
from app.db import Database
from tests.factories import Actors, make_challenge
from tests.listings import Visit, item
from tests.listings.rows import make_programme, put_in_programme, submitted_projects


async def home(db: Database, actors: Actors, n: int) -> Visit:
    for k in range(n):
        challenge = await make_challenge(db, title=item(k))
        await put_in_programme(db, challenge, await make_programme(db, f"Programme-{k}"))
    return Visit(actors.anonymous(), "/")


async def challenges(db: Database, actors: Actors, n: int) -> Visit:
    for k in range(n):
        await make_challenge(db, title=item(k))
    return Visit(actors.anonymous(), "/challenges")


async def challenges_api(db: Database, actors: Actors, n: int) -> Visit:
    visit = await challenges(db, actors, n)
    return Visit(visit.http, "/api/v1/challenges")


async def challenge_page(db: Database, actors: Actors, n: int) -> Visit:
    """The gallery, and the teams of a coach who has n of them."""
    coach = await actors.user()
    challenge = await make_challenge(db)
    await submitted_projects(db, actors, challenge, n, coach=coach)
    return Visit(await actors.client(coach), f"/challenges/{challenge.id}")


async def challenge_api(db: Database, actors: Actors, n: int) -> Visit:
    challenge = await make_challenge(db, tracks=tuple(item(k) for k in range(n)))
    return Visit(actors.anonymous(), f"/api/v1/challenges/{challenge.id}")


async def programmes(db: Database, actors: Actors, n: int) -> Visit:
    for k in range(n):
        await make_programme(db, item(k))
    return Visit(actors.anonymous(), "/programmes")


async def programme_page(db: Database, actors: Actors, n: int) -> Visit:
    """n stages, all organised by the visitor, its owner (who gets them as options to attach)."""
    organiser = await actors.user(creator=True)
    programme = await make_programme(db, "Programme", owner=organiser)
    for k in range(n):
        challenge = await make_challenge(db, organiser=organiser, title=item(k))
        await put_in_programme(db, challenge, programme)
    return Visit(await actors.client(organiser), f"/programmes/{programme.id}")


async def new_challenge(db: Database, actors: Actors, n: int) -> Visit:
    creator = await actors.user(creator=True)
    for k in range(n):
        await make_programme(db, item(k), owner=creator)
    return Visit(await actors.client(creator), "/challenges/new")


async def edit_challenge(db: Database, actors: Actors, n: int) -> Visit:
    organiser = await actors.user(creator=True)
    challenge = await make_challenge(db, organiser=organiser)
    for k in range(n):
        await make_programme(db, item(k), owner=organiser)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/edit")


async def tracks(db: Database, actors: Actors, n: int) -> Visit:
    organiser = await actors.user()
    challenge = await make_challenge(
        db, organiser=organiser, tracks=tuple(item(k) for k in range(n))
    )
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/tracks")


async def people(db: Database, actors: Actors, n: int) -> Visit:
    organiser = await actors.user("Olga")
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None
    for k in range(n):
        await actors.grant(await actors.user(item(k)), challenge.id, RoleKind.JUDGE)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/people")
