"""A sponsor organisation's profile, the same in every challenge it joins: changed by its
representatives (or whoever created it, until it has one), with a logo."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.db import save_unique, utcnow
from app.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from app.events.service import log_action
from app.forms import Upload
from app.i18n import gettext as _
from app.i18n import lazy
from app.images import check_image
from app.permissions import require
from app.sponsors import company_queries, events
from app.sponsors.company_schemas import CompanyProfile
from app.sponsors.models import Company, Sponsor
from app.sponsors.service import CompanyNameTaken
from app.storage import Staged

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_SIDE = 2000  # pixels


class LogoRefused(UnsupportedMediaType):
    message = lazy("The logo must be a PNG or JPEG image.")
    field = "file"


class LogoTooLarge(PayloadTooLarge):
    message = lazy("The logo is too large: at most 1 MB and 2000 x 2000 pixels.")
    field = "file"


async def may_edit(session: AsyncSession, *, user: User, company: Company) -> bool:
    """Its representatives and platform administrators; its creator while it has none."""
    assert company.id is not None and user.id is not None
    if user.is_admin or await company_queries.represents_company(
        session, user_id=user.id, company_id=company.id
    ):
        return True
    return company.created_by == user.id and not await company_queries.representative_ids(
        session, company.id
    )


async def is_public(session: AsyncSession, company_id: int) -> bool:
    """One of the challenges it takes part in is published: then anyone sees it."""
    taking_part = await company_queries.participations(session, [company_id])
    return any(challenge.is_published for _sponsor, challenge in taking_part)


async def visible(session: AsyncSession, *, user: User | None, company_id: int) -> Company:
    """The company, as the challenges' rule has it: anyone sees it while one of its
    challenges is published; while none is, only who may edit it (its representatives,
    admins) and the organisers of its draft challenges. To the others it is not found."""
    company = await company_queries.get_company(session, company_id)
    taking_part = await company_queries.participations(session, [company_id])
    if any(challenge.is_published for _sponsor, challenge in taking_part):
        return company
    if user is not None and (
        await may_edit(session, user=user, company=company)
        or await challenge_permissions.visible_among(
            session, user=user, challenges=[challenge for _sponsor, challenge in taking_part]
        )
    ):
        return company
    raise NotFound()


async def editable(
    session: AsyncSession, *, user: User, company_id: int, lock: bool = False
) -> Company:
    """The company, for someone who may change its profile: who sees it and may not change
    it is not allowed (403), who may not see it finds nothing (404)."""
    company = await company_queries.get_company(session, company_id, lock=lock)
    if not await may_edit(session, user=user, company=company):
        await visible(session, user=user, company_id=company_id)
        require(
            False,
            visible=True,
            message=_("Only the organisation's representatives may change its profile."),
        )
    return company


async def update_profile(
    session: AsyncSession, *, user: User, company_id: int, data: CompanyProfile
) -> Company:
    """Change the profile; every participation shows the new name, site and description."""
    company = await editable(session, user=user, company_id=company_id, lock=True)
    taken = CompanyNameTaken(_(CompanyNameTaken.message))
    if await company_queries.company_named(session, data.name, except_id=company_id):
        raise taken
    for name, value in data.model_dump().items():
        setattr(company, name, value)
    company.updated_at = utcnow()
    await save_unique(session, company, taken=taken)
    await session.execute(
        update(Sponsor)
        .where(col(Sponsor.company_id) == company_id)
        .values(name=company.name, website=company.website, description=company.description)
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.COMPANY_UPDATED,
        subject_type="company",
        subject_id=company_id,
        data={"name": company.name},
    )
    return company


def check_logo(data: bytes) -> None:
    """A PNG or JPEG of a sensible size, proven from its bytes before anything is stored."""
    check_image(
        data,
        max_bytes=MAX_LOGO_BYTES,
        max_side=MAX_LOGO_SIDE,
        refused=LogoRefused,
        too_large=LogoTooLarge,
    )


async def set_logo(
    session: AsyncSession, *, user: User, company_id: int, upload: Upload, stage: Staged
) -> str | None:
    """Put up a new logo; returns the old one's storage key, to delete after the commit."""
    await editable(session, user=user, company_id=company_id)
    check_logo(upload.data)
    return await _replace(session, user, company_id, stage.save(upload.data).key)


async def remove_logo(session: AsyncSession, *, user: User, company_id: int) -> str | None:
    return await _replace(session, user, company_id, None)


async def _replace(
    session: AsyncSession, user: User, company_id: int, key: str | None
) -> str | None:
    company = await editable(session, user=user, company_id=company_id, lock=True)
    old, company.logo_key = company.logo_key, key
    company.updated_at = utcnow()
    session.add(company)
    await session.flush()
    log_action(
        session,
        actor_id=user.id,
        action=events.COMPANY_LOGO_SET if key else events.COMPANY_LOGO_REMOVED,
        subject_type="company",
        subject_id=company_id,
    )
    return old
