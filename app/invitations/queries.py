"""Reads of invitations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import Role, RoleKind, User
from app.errors import NotFound
from app.invitations.models import Invitation, InvitationStatus, company_open_key
from app.sponsors.models import CompanyRepresentative, SponsorRepresentative


async def invitations(session: AsyncSession, challenge_id: int) -> list[Invitation]:
    """The challenge's invitations, newest first."""
    result = await session.execute(
        select(Invitation)
        .where(col(Invitation.challenge_id) == challenge_id)
        .order_by(col(Invitation.id).desc())
    )
    return list(result.scalars())


async def get_invitation(
    session: AsyncSession, invitation_id: int, *, challenge_id: int
) -> Invitation:
    found = await session.get(Invitation, invitation_id, populate_existing=True)
    if found is None or found.challenge_id != challenge_id:
        raise NotFound()
    return found


async def open_addresses(
    session: AsyncSession, *, challenge_id: int, key: str, emails: Sequence[str]
) -> set[str]:
    """Which of these addresses have an open invitation with this key."""
    if not emails:
        return set()
    result = await session.execute(
        select(Invitation.email).where(
            col(Invitation.challenge_id) == challenge_id,
            col(Invitation.open_key) == key,
            col(Invitation.email).in_(list(emails)),
        )
    )
    return set(result.scalars())


async def role_holders(
    session: AsyncSession,
    *,
    challenge_id: int,
    kind: RoleKind,
    sponsor_id: int | None,
    emails: Sequence[str],
) -> set[str]:
    """Which of these addresses hold the role already (for a sponsor: represent it)."""
    if not emails:
        return set()
    if kind == RoleKind.SPONSOR:
        query = (
            select(User.email)
            .join(SponsorRepresentative, col(SponsorRepresentative.user_id) == col(User.id))
            .where(
                col(SponsorRepresentative.sponsor_id) == sponsor_id,
                col(User.email).in_(list(emails)),
            )
        )
    else:
        query = (
            select(User.email)
            .join(Role, col(Role.user_id) == col(User.id))
            .where(
                col(Role.challenge_id) == challenge_id,
                col(Role.kind) == kind,
                col(User.email).in_(list(emails)),
            )
        )
    return set((await session.execute(query)).scalars())


async def company_invitations(session: AsyncSession, company_id: int) -> list[Invitation]:
    """The pending invitations of colleagues to the company, newest first."""
    result = await session.execute(
        select(Invitation)
        .where(
            col(Invitation.company_id) == company_id,
            col(Invitation.status) == InvitationStatus.PENDING,
        )
        .order_by(col(Invitation.id).desc())
    )
    return list(result.scalars())


async def get_company_invitation(
    session: AsyncSession, invitation_id: int, *, company_id: int
) -> Invitation:
    """An invitation to this company; another's (or an organiser's) is 'not found'."""
    found = await session.get(Invitation, invitation_id, populate_existing=True)
    if found is None or found.company_id != company_id:
        raise NotFound()
    return found


async def company_open_addresses(
    session: AsyncSession, *, company_id: int, emails: Sequence[str]
) -> set[str]:
    """Which of these addresses have an open invitation to the company."""
    if not emails:
        return set()
    result = await session.execute(
        select(Invitation.email).where(
            col(Invitation.company_id) == company_id,
            col(Invitation.open_key) == company_open_key(company_id),
            col(Invitation.email).in_(list(emails)),
        )
    )
    return set(result.scalars())


async def company_holders(
    session: AsyncSession, *, company_id: int, emails: Sequence[str]
) -> set[str]:
    """Which of these addresses represent the company already."""
    if not emails:
        return set()
    result = await session.execute(
        select(User.email)
        .join(CompanyRepresentative, col(CompanyRepresentative.user_id) == col(User.id))
        .where(
            col(CompanyRepresentative.company_id) == company_id,
            col(User.email).in_(list(emails)),
        )
    )
    return set(result.scalars())
