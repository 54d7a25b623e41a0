"""Worlds for the query-count tests: certificates."""

from __future__ import annotations

from app.accounts.models import User
from app.certificates.models import CertificateStatus
from app.challenges.models import Challenge
from app.db import Database
from tests.factories import Actors, make_challenge
from tests.listings import Visit
from tests.listings.rows import certificate, make_certificates, submitted_projects


async def _certified(db: Database, actors: Actors, n: int) -> tuple[User, Challenge]:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    await make_certificates(db, challenge, n)
    return organiser, challenge


async def certificates(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _certified(db, actors, n)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/certificates")


async def certificates_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _certified(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/certificates")


async def my_certificates(db: Database, actors: Actors, n: int) -> Visit:
    """A coach of n teams, each with a certificate."""
    coach = await actors.user()
    challenge = await make_challenge(db)
    projects = await submitted_projects(db, actors, challenge, n, coach=coach)
    await make_certificates(db, challenge, n, projects=projects)
    return Visit(await actors.client(coach), f"/challenges/{challenge.id}/certificates/mine")


async def certificate_versions(db: Database, actors: Actors, n: int) -> Visit:
    """One certificate in n versions (the older ones revoked), seen at the newest."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    versions = [
        certificate(
            challenge,
            recipient="Giulia Bianchi",
            key="member:1",
            version=version,
            status=CertificateStatus.ISSUED if version == n else CertificateStatus.REVOKED,
        )
        for version in range(1, n + 1)
    ]
    async with db.transaction() as session:
        session.add_all(versions)
    newest = versions[-1]
    return Visit(
        await actors.client(organiser), f"/challenges/{challenge.id}/certificates/{newest.id}"
    )
