"""Reading certificates: by code, by challenge, for a person; and what codes look like."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateStatus
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge
from app.errors import NotFound
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import queries as sponsors_queries
from app.teams import queries as teams_queries

# No 0/O or 1/I: a code read aloud or copied from paper cannot be mistyped into another.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.]+")


class CertificateNotFound(NotFound):
    message = lazy("This certificate does not exist.")


class NotDownloadable(NotFound):
    message = lazy(
        "This certificate has no PDF to download: it is still being prepared or it was revoked."
    )


def normalise_code(raw: str) -> str:
    """What people type or copy: any case, with spaces or dashes between the groups."""
    return _SEPARATORS.sub("", raw).upper()


def display_code(code: str) -> str:
    """The code in groups of four, as printed: ABCD-EFGH-JKLM."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def recipient_type(certificate: Certificate) -> str:
    """'member', 'user' or 'sponsor': the first part of the recipient key."""
    return certificate.recipient_key.split(":", 1)[0]


def recipient_ref(certificate: Certificate) -> int:
    return int(certificate.recipient_key.split(":")[1])


async def get_certificate(
    session: AsyncSession,
    *,
    certificate_id: int,
    challenge_id: int | None = None,
    lock: bool = False,
) -> Certificate:
    """A certificate; with challenge_id, another challenge's certificate is 'not found'.
    `lock` holds its row until the transaction ends, for a change of its state."""
    certificate = await session.get(Certificate, certificate_id, with_for_update=lock or None)
    if certificate is None or (
        challenge_id is not None and certificate.challenge_id != challenge_id
    ):
        raise CertificateNotFound(_(CertificateNotFound.message))
    return certificate


async def find_by_code(session: AsyncSession, *, code: str) -> Certificate | None:
    code = normalise_code(code)
    if not is_well_formed(code):
        return None
    result = await session.execute(select(Certificate).where(col(Certificate.code) == code))
    return result.scalar_one_or_none()


async def verification(session: AsyncSession, *, code: str) -> tuple[Certificate, Challenge] | None:
    """A certificate and its challenge by code, as typed (any case, spaces, dashes)."""
    certificate = await find_by_code(session, code=code)
    if certificate is None:
        return None
    challenge = await challenges_queries.get_challenge(session, certificate.challenge_id)
    return certificate, challenge


async def downloadable(session: AsyncSession, *, code: str) -> Certificate:
    """An issued certificate by its code, for downloading its PDF."""
    certificate = await find_by_code(session, code=code)
    if certificate is None:
        raise CertificateNotFound(_(CertificateNotFound.message))
    if certificate.status != CertificateStatus.ISSUED or certificate.storage_key is None:
        raise NotDownloadable(_(NotDownloadable.message))
    return certificate


async def for_challenge(session: AsyncSession, *, challenge_id: int) -> list[Certificate]:
    result = await session.execute(
        select(Certificate)
        .where(col(Certificate.challenge_id) == challenge_id)
        .order_by(
            col(Certificate.kind),
            col(Certificate.recipient_name),
            col(Certificate.recipient_key),
            col(Certificate.version),
        )
    )
    return list(result.scalars())


def counts(certificates: list[Certificate]) -> dict[str, int]:
    """How many certificates per status, plus the total."""
    totals = {str(status): 0 for status in CertificateStatus}
    for certificate in certificates:
        totals[str(certificate.status)] += 1
    totals["total"] = len(certificates)
    return totals


async def versions_of(session: AsyncSession, *, certificate: Certificate) -> list[Certificate]:
    result = await session.execute(
        select(Certificate)
        .where(
            col(Certificate.challenge_id) == certificate.challenge_id,
            col(Certificate.kind) == certificate.kind,
            col(Certificate.recipient_key) == certificate.recipient_key,
        )
        .order_by(col(Certificate.version))
    )
    return list(result.scalars())


async def visible_to(
    session: AsyncSession, *, user_id: int, challenge_id: int
) -> list[Certificate]:
    """Certificates of the teams the person coaches, their own, and their companies'."""
    project_ids = await teams_queries.project_ids_coached_by(
        session, user_id=user_id, challenge_id=challenge_id
    )
    sponsors = await sponsors_queries.sponsors_represented_by(
        session, user_id=user_id, challenge_id=challenge_id
    )
    mine = [
        col(Certificate.recipient_key) == f"user:{user_id}",
        col(Certificate.project_id).in_(project_ids)
        & col(Certificate.recipient_key).startswith("member:"),
        *(col(Certificate.recipient_key).startswith(f"sponsor:{s.id}:") for s in sponsors),
    ]
    result = await session.execute(
        select(Certificate)
        .where(col(Certificate.challenge_id) == challenge_id, or_(*mine))
        .order_by(
            col(Certificate.kind),
            col(Certificate.recipient_name),
            col(Certificate.version).desc(),
        )
    )
    return list(result.scalars())


async def notification_recipients(session: AsyncSession, *, certificate: Certificate) -> list[User]:
    """Who is told about a new certificate: the team's coach, the judge, the company."""
    kind = recipient_type(certificate)
    users: list[User] = []
    if kind == "member" and certificate.project_id is not None:
        project = await teams_queries.get_project(session, certificate.project_id)
        team = await teams_queries.get_team(session, project.team_id)
        coach = await session.get(User, team.coach_id)
        users = [coach] if coach else []
    elif kind == "user":
        person = await session.get(User, recipient_ref(certificate))
        users = [person] if person else []
    elif kind == "sponsor":
        users = await sponsors_queries.representative_users(session, recipient_ref(certificate))
    return [user for user in users if user.is_active]


async def pending_since(session: AsyncSession, *, before: datetime) -> list[Certificate]:
    """Certificates still waiting for their PDF (a lost render job, a failed run)."""
    result = await session.execute(
        select(Certificate)
        .where(
            col(Certificate.status) == CertificateStatus.PENDING,
            col(Certificate.created_at) < before,
        )
        .order_by(col(Certificate.id))
        .limit(500)
    )
    return list(result.scalars())


async def issued_for_project(session: AsyncSession, project_id: int) -> int:
    """How many certificates about the project are issued and not revoked."""
    result = await session.execute(
        select(func.count())
        .select_from(Certificate)
        .where(
            col(Certificate.project_id) == project_id,
            col(Certificate.status) == CertificateStatus.ISSUED,
        )
    )
    return int(result.scalar_one())
