"""Sponsor organisations under concurrency: a company joined to a challenge by several
organisers at once takes part once; one name created at once in several challenges is one
company. On PostgreSQL the requests run truly at once; SQLite serialises them."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.challenges.models import Track
from app.db import Database
from app.sponsors.models import Company, Sponsor, SponsorRepresentative
from tests.concurrency.test_unique_inserts import AT_ONCE, at_once
from tests.factories import Actors, make_challenge, make_sponsor


async def test_one_company_joined_at_once_takes_part_once(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    rep = await actors.user()
    first = await make_challenge(db, organiser=organiser)
    sponsor = await make_sponsor(db, first, representative=rep, name="Acme S.p.A.")
    second = await make_challenge(db, organiser=organiser)
    clients = [await actors.api(organiser) for _ in range(AT_ONCE)]
    path = f"/api/v1/challenges/{second.id}/sponsors/join"

    statuses = await at_once(
        lambda n: clients[n].post(path, json={"company_id": sponsor.company_id})
    )

    assert statuses == Counter({201: 1, 409: AT_ONCE - 1})
    async with db.read() as session:
        rows = (
            await session.execute(
                select(func.count()).select_from(Sponsor).where(Sponsor.challenge_id == second.id)  # type: ignore[arg-type]
            )
        ).scalar_one()
        links = (
            await session.execute(
                select(func.count())
                .select_from(SponsorRepresentative)
                .join(Sponsor, Sponsor.id == SponsorRepresentative.sponsor_id)  # type: ignore[arg-type]
                .where(Sponsor.challenge_id == second.id)  # type: ignore[arg-type]
            )
        ).scalar_one()
    assert (rows, links) == (1, 1)
    for client in clients:
        await client.aclose()


async def test_one_name_created_at_once_in_many_challenges_is_one_company(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenges = [await make_challenge(db, organiser=organiser) for _ in range(AT_ONCE)]
    clients = [await actors.api(organiser) for _ in range(AT_ONCE)]

    statuses = await at_once(
        lambda n: clients[n].post(
            f"/api/v1/challenges/{challenges[n].id}/sponsors",
            json={"name": "Nuova S.r.l." if n % 2 else "NUOVA s.r.l."},
        )
    )

    assert statuses == Counter({201: 1, 409: AT_ONCE - 1})
    async with db.read() as session:
        companies = (await session.execute(select(func.count()).select_from(Company))).scalar_one()
        sponsors = (await session.execute(select(func.count()).select_from(Sponsor))).scalar_one()
    assert (companies, sponsors) == (1, 1)
    for client in clients:
        await client.aclose()


async def test_a_company_track_accepted_at_once_is_one_track(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    rep = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    sponsor = await make_sponsor(db, challenge, representative=rep, name="Acme S.p.A.")
    base = f"/api/v1/challenges/{challenge.id}/sponsors/{sponsor.id}/track"
    async with await actors.api(rep) as http:
        assert (await http.put(base, json={"name": "La sfida di Acme"})).status_code == 200
    clients = [await actors.api(organiser) for _ in range(AT_ONCE)]

    statuses = await at_once(lambda n: clients[n].post(f"{base}/accept"))

    assert statuses == Counter({200: AT_ONCE})
    async with db.read() as session:
        tracks = (
            await session.execute(
                select(func.count()).select_from(Track).where(Track.challenge_id == challenge.id)  # type: ignore[arg-type]
            )
        ).scalar_one()
    assert tracks == 1
    for client in clients:
        await client.aclose()
