"""Natural keys under concurrency: the same thing created by several requests at once ends
as one row and clear refusals (409 naming the field), never a server error.

The requests run truly at once on PostgreSQL (each on its own connection); SQLite
serialises writers, so there the same tests show the sequential behaviour.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

from httpx import AsyncClient, Response
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind
from app.challenges.models import Institution, Track
from app.db import Database
from app.sponsors.models import Sponsor, SponsorRepresentative
from app.teams.models import Team
from tests.factories import Actors, make_challenge, make_sponsor

AT_ONCE = 8


async def at_once(send: Callable[[int], Awaitable[Response]]) -> Counter[int]:
    """Fire AT_ONCE requests together; how many got each status."""
    responses = await asyncio.gather(*(send(n) for n in range(AT_ONCE)))
    return Counter(response.status_code for response in responses)


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return (await session.execute(query)).scalar_one()


async def _clients(actors: Actors, user: object, n: int) -> list[AsyncClient]:
    return [await actors.api(user) for _ in range(n)]  # type: ignore[arg-type]


async def test_the_same_track_added_at_once_is_one_track(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    clients = await _clients(actors, organiser, AT_ONCE)
    path = f"/api/v1/challenges/{challenge.id}/tracks"

    statuses = await at_once(
        lambda n: clients[n].post(path, json={"name": "Acqua" if n % 2 else "acqua"})
    )

    assert statuses == Counter({201: 1, 409: AT_ONCE - 1})
    assert await _count(db, Track) == 1


async def test_the_same_sponsor_added_at_once_is_one_sponsor(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    clients = await _clients(actors, organiser, AT_ONCE)
    path = f"/api/v1/challenges/{challenge.id}/sponsors"

    statuses = await at_once(lambda n: clients[n].post(path, json={"name": "Acme S.p.A."}))

    assert statuses == Counter({201: 1, 409: AT_ONCE - 1})
    assert await _count(db, Sponsor) == 1


def _team(name: str, track_id: int | None = None) -> dict[str, object]:
    return {
        "name": name,
        "track_id": track_id,
        "institution_name": "ITIS Enrico Fermi",
        "institution_city": "Mantova",
        "members": [{"first_name": "Giulia", "last_name": "Bianchi", "is_minor": False}],
    }


async def test_the_same_team_registered_at_once_is_one_team(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, tracks=())
    coaches = [await actors.api(await actors.user()) for _ in range(AT_ONCE)]
    path = f"/api/v1/challenges/{challenge.id}/teams"

    statuses = await at_once(lambda n: coaches[n].post(path, json=_team("4B Aqua")))

    assert statuses == Counter({201: 1, 409: AT_ONCE - 1})
    assert await _count(db, Team) == 1
    assert await _count(db, Institution) == 1


async def test_a_new_school_named_by_teams_registering_at_once_is_one_school(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, tracks=())
    coaches = [await actors.api(await actors.user()) for _ in range(AT_ONCE)]
    path = f"/api/v1/challenges/{challenge.id}/teams"

    statuses = await at_once(lambda n: coaches[n].post(path, json=_team(f"Classe {n}")))

    assert statuses == Counter({201: AT_ONCE})
    assert await _count(db, Team) == AT_ONCE
    assert await _count(db, Institution) == 1


async def test_the_same_judge_added_at_once_is_one_role(db: Database, actors: Actors) -> None:
    organiser, judge = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    clients = await _clients(actors, organiser, AT_ONCE)
    path = f"/api/v1/challenges/{challenge.id}/judges"

    statuses = await at_once(lambda n: clients[n].post(path, json={"email": judge.email}))

    assert statuses == Counter({204: AT_ONCE})
    assert await _count(db, Role, Role.kind == RoleKind.JUDGE) == 1


async def test_the_same_representative_added_at_once_is_one_link(
    db: Database, actors: Actors
) -> None:
    organiser, first, second = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    sponsor = await make_sponsor(db, challenge, representative=first)
    clients = await _clients(actors, organiser, AT_ONCE)
    path = f"/api/v1/challenges/{challenge.id}/sponsors/{sponsor.id}/representatives"

    statuses = await at_once(lambda n: clients[n].post(path, json={"email": second.email}))

    assert statuses == Counter({201: AT_ONCE})
    assert await _count(db, SponsorRepresentative) == 2
    assert await _count(db, Role, Role.kind == RoleKind.SPONSOR) == 2
