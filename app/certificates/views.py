"""What the certificate pages show, each read behind its permission check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.certificates import permissions, queries
from app.certificates.models import Certificate
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge


@dataclass(frozen=True)
class CertificateList:
    challenge: Challenge
    certificates: list[Certificate]

    @property
    def counts(self) -> dict[str, int]:
        return queries.counts(self.certificates)


@dataclass(frozen=True)
class CertificateDetail:
    challenge: Challenge
    certificate: Certificate
    versions: list[Certificate]

    @property
    def is_latest(self) -> bool:
        return self.versions[-1].id == self.certificate.id


async def challenge_certificates(
    session: AsyncSession, *, user: User, challenge_id: int
) -> CertificateList:
    """Every certificate of the challenge, all versions, for its organisers."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    found = await queries.for_challenge(session, challenge_id=challenge_id)
    return CertificateList(access.challenge, found)


async def certificate_detail(
    session: AsyncSession, *, user: User, challenge_id: int, certificate_id: int
) -> CertificateDetail:
    """One certificate with its versions, for the organisers of its challenge."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    certificate = await queries.get_certificate(
        session, certificate_id=certificate_id, challenge_id=challenge_id
    )
    versions = await queries.versions_of(session, certificate=certificate)
    return CertificateDetail(access.challenge, certificate, versions)


async def my_certificates(
    session: AsyncSession, *, user: User, challenge_id: int
) -> CertificateList:
    """The certificates of the challenge that are the person's (as member, judge, sponsor)."""
    assert user.id is not None
    access = await permissions.taking_part(session, user=user, challenge_id=challenge_id)
    found = await queries.visible_to(session, user_id=user.id, challenge_id=challenge_id)
    return CertificateList(access.challenge, found)
