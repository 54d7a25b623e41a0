"""Worlds of the invitations' list page and list API: n invitations, each to represent
another sponsor (a sponsor's name looked up per row would show)."""

from __future__ import annotations

from app.accounts.models import RoleKind, User
from app.db import Database
from app.invitations import service
from tests.factories import Actors, make_challenge, make_sponsor
from tests.listings import Visit


async def _world(db: Database, actors: Actors, n: int) -> tuple[User, int]:
    organiser = await actors.user("Olga")
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None
    for k in range(n):
        sponsor = await make_sponsor(db, challenge, representative=await actors.user())
        async with db.transaction() as session:
            await service.invite(
                session,
                user=organiser,
                challenge_id=challenge.id,
                kind=RoleKind.SPONSOR,
                sponsor_id=sponsor.id,
                lines=[(1, f"item-{k}@example.org")],
            )
    return organiser, challenge.id


async def invitations(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge_id = await _world(db, actors, n)
    return Visit(await actors.client(organiser), f"/challenges/{challenge_id}/invitations")


async def invitations_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge_id = await _world(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge_id}/invitations")
