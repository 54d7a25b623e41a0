"""A challenge's cover image: a PNG or JPEG its organisers upload, shown on its page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import events, permissions
from app.challenges.models import Challenge
from app.errors import PayloadTooLarge, UnsupportedMediaType
from app.events.service import log_action
from app.forms import Upload
from app.i18n import lazy
from app.images import check_image
from app.storage import Staged

MAX_COVER_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000  # pixels: a larger image costs every visitor's browser a lot of memory


class CoverRefused(UnsupportedMediaType):
    message = lazy("The cover must be a PNG or JPEG image.")
    field = "file"


class CoverTooLarge(PayloadTooLarge):
    message = lazy("The cover is too large: at most 2 MB and 4000 x 4000 pixels.")
    field = "file"


def check_cover(data: bytes) -> str:
    """The image's proven type; refused before anything is stored."""
    return check_image(
        data,
        max_bytes=MAX_COVER_BYTES,
        max_side=MAX_SIDE,
        refused=CoverRefused,
        too_large=CoverTooLarge,
    )


async def set_cover(
    session: AsyncSession, *, user: User, challenge_id: int, upload: Upload, stage: Staged
) -> str | None:
    """Put up a new cover. Returns the old image's storage key when no edition uses it any
    more, to delete once the change is committed."""
    await permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    check_cover(upload.data)
    return await _replace(session, user, challenge_id, stage.save(upload.data).key)


async def remove_cover(session: AsyncSession, *, user: User, challenge_id: int) -> str | None:
    """Take the cover down; the old key as `set_cover` returns it."""
    return await _replace(session, user, challenge_id, None)


async def _replace(
    session: AsyncSession, user: User, challenge_id: int, key: str | None
) -> str | None:
    access = await permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    challenge = access.challenge
    old, challenge.cover_key = challenge.cover_key, key
    session.add(challenge)
    await session.flush()
    log_action(
        session,
        actor_id=user.id,
        action=events.COVER_SET if key else events.COVER_REMOVED,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
    )
    if old is None:
        return None
    # An edition made from this one shares its cover until it puts up its own.
    users = await session.execute(
        select(func.count()).select_from(Challenge).where(col(Challenge.cover_key) == old)
    )
    return old if users.scalar_one() == 0 else None


async def cover_of(session: AsyncSession, *, user: User | None, challenge_id: int) -> str | None:
    """The cover's storage key, for those who may see the challenge."""
    access = await permissions.viewable(session, user=user, challenge_id=challenge_id)
    return access.challenge.cover_key
