"""Who someone is in one challenge: the basis of every domain's permission checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import queries
from app.accounts.models import RoleKind, User
from app.errors import Forbidden, Unauthorized
from app.i18n import gettext as _


@dataclass(frozen=True)
class Actor:
    """A person (or nobody) with their roles in one challenge."""

    user: User | None
    challenge_id: int
    roles: frozenset[RoleKind]

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_admin)

    def has(self, *kinds: RoleKind) -> bool:
        return bool(self.roles.intersection(kinds))

    @property
    def is_organiser(self) -> bool:
        """Organisers run the challenge; platform admins may do all they may."""
        return self.is_admin or RoleKind.ORGANISER in self.roles


async def actor_in(session: AsyncSession, *, user: User | None, challenge_id: int) -> Actor:
    if user is None or user.id is None:
        return Actor(user=None, challenge_id=challenge_id, roles=frozenset())
    roles = await queries.roles_in(session, user_id=user.id, challenge_id=challenge_id)
    return Actor(user=user, challenge_id=challenge_id, roles=frozenset(roles))


def ensure_admin(user: User | None) -> User:
    """Platform pages (the whole audit log, who may create challenges): administrators only."""
    if user is None:
        raise Unauthorized(_("Please log in."))
    if not user.is_admin:
        raise Forbidden(_("Only platform administrators may do this."))
    return user
