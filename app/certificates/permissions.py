"""Who may see and manage certificates in a challenge.

Organisers list, revoke and re-issue them (app.challenges.permissions.organised). Everyone
holding a role in the challenge sees the certificates that are theirs; anyone may verify a
certificate by its code, which is what it is printed with.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.permissions import ChallengeAccess
from app.i18n import gettext as _


async def taking_part(session: AsyncSession, *, user: User, challenge_id: int) -> ChallengeAccess:
    """The challenge, if the person holds any role in it: see the certificates that are theirs."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    access.require(
        access.is_organiser or bool(access.actor.roles),
        _("You have no role in this challenge, so there are no certificates for you."),
    )
    return access
