"""Accepting one invitation many times at once grants the role once; every other request
gets a clear 409 (PostgreSQL: truly at once, the conditional update decides; SQLite
serialises writers, so there the same test shows the sequential behaviour)."""

from __future__ import annotations

import asyncio
from collections import Counter

from httpx import Response
from sqlalchemy import func, select
from sqlmodel import col
from starlette.applications import Starlette

from app.accounts.models import Role, RoleKind, User
from app.db import Database
from app.events.models import AuditEntry
from tests.factories import Actors, csrf, make_challenge
from tests.invitations.conftest import invite, path_of

AT_ONCE = 10


async def _count(db: Database, query: object) -> int:
    async with db.read() as session:
        return int((await session.execute(query)).scalar_one())  # type: ignore[call-overload]


async def test_the_same_invitation_accepted_at_once_grants_once(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    person = await actors.user(email="giudice@example.org", verified=False)
    challenge = await make_challenge(db, organiser=organiser)
    (invitation,) = await invite(db, organiser, challenge, "giudice@example.org")
    path = path_of(app, invitation)
    clients = [await actors.client(person) for _ in range(AT_ONCE)]
    tokens = [await csrf(http, path) for http in clients]

    async def accept(n: int) -> Response:
        return await clients[n].post(path, data={"csrf_token": tokens[n]})

    responses = await asyncio.gather(*(accept(n) for n in range(AT_ONCE)))
    for http in clients:
        await http.aclose()

    assert Counter(r.status_code for r in responses) == Counter({303: 1, 409: AT_ONCE - 1})
    refused = next(r for r in responses if r.status_code == 409)
    assert "già stato accettato" in refused.text
    roles = select(func.count()).select_from(Role).where(col(Role.user_id) == person.id)
    assert await _count(db, roles) == 1
    accepted = (
        select(func.count())
        .select_from(AuditEntry)
        .where(col(AuditEntry.action) == "invitation.accepted")
    )
    assert await _count(db, accepted) == 1
    granted = (
        select(func.count()).select_from(AuditEntry).where(col(AuditEntry.action) == "role.granted")
    )
    assert await _count(db, granted) == 2  # the organiser's (by make_challenge) and the judge's


async def test_one_link_used_to_sign_up_at_once_makes_one_account(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    (invitation,) = await invite(
        db, organiser, challenge, "nuovo@example.org", kind=RoleKind.ORGANISER
    )
    path = path_of(app, invitation)
    clients = [actors.anonymous() for _ in range(AT_ONCE)]
    tokens = [await csrf(http, path) for http in clients]

    async def sign_up(n: int) -> Response:
        form = {"csrf_token": tokens[n], "name": f"Nuovo {n}", "password": "a long password"}
        return await clients[n].post(path, data=form)

    responses = await asyncio.gather(*(sign_up(n) for n in range(AT_ONCE)))
    for http in clients:
        await http.aclose()

    assert Counter(r.status_code for r in responses) == Counter({303: 1, 409: AT_ONCE - 1})
    users = select(func.count()).select_from(User).where(col(User.email) == "nuovo@example.org")
    assert await _count(db, users) == 1
    organisers = (
        select(func.count())
        .select_from(Role)
        .where(col(Role.challenge_id) == challenge.id, col(Role.kind) == RoleKind.ORGANISER)
    )
    assert await _count(db, organisers) == 2
