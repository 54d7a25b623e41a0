"""May this person see this challenge, and may they run it: the one answer every domain uses.

A published challenge is seen by everyone; a draft only by its organisers (and platform
admins, who may do all organisers may). Every domain starts its permission checks from
`viewable` or `organised` and adds the rules of its own objects (a team, an assignment, a
sponsor) with app.permissions.require, so an outsider learns the same everywhere: what
they may not see is "not found", what they may see but not change is "not allowed".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from app.accounts.auth import current_user
from app.accounts.models import RoleKind, User
from app.accounts.permissions import Actor, actor_in
from app.challenges import queries
from app.challenges.models import Challenge
from app.errors import NotFound
from app.i18n import gettext as _
from app.permissions import require
from app.web import path_id


def can_view(actor: Actor, challenge: Challenge) -> bool:
    """A draft is seen only by its organisers (and platform admins)."""
    return challenge.is_published or actor.is_organiser


def can_manage(actor: Actor) -> bool:
    return actor.is_organiser


def can_register_team(actor: Actor, *, registration_open: bool) -> bool:
    """While registration is open anyone logged in may register a team (and coach it)."""
    return actor.user is not None and registration_open


@dataclass(frozen=True)
class ChallengeAccess:
    """A challenge the person may see, and who they are in it."""

    challenge: Challenge
    actor: Actor

    @property
    def challenge_id(self) -> int:
        assert self.challenge.id is not None
        return self.challenge.id

    @property
    def is_organiser(self) -> bool:
        return self.actor.is_organiser

    def has(self, *kinds: RoleKind) -> bool:
        return self.actor.has(*kinds)

    def require(self, allowed: bool, message: str | None = None) -> None:
        """403 unless `allowed`: the person sees the challenge, so 'not found' would lie."""
        require(allowed, visible=True, message=message)

    def require_organiser(self) -> None:
        self.require(self.is_organiser, _("Only the organisers of this challenge may do this."))


async def viewable(
    session: AsyncSession, *, user: User | None, challenge_id: int, lock: bool = False
) -> ChallengeAccess:
    """The challenge and who the person is in it; 'not found' if they may not see it.

    `lock` takes the challenge's row lock, for a write that must not race another one on
    the same challenge (PostgreSQL; SQLite's writers are serialised anyway).
    """
    challenge = await queries.get_challenge(session, challenge_id, lock=lock)
    actor = await actor_in(session, user=user, challenge_id=challenge_id)
    if not can_view(actor, challenge):
        raise NotFound()
    return ChallengeAccess(challenge, actor)


async def organised(
    session: AsyncSession, *, user: User | None, challenge_id: int, lock: bool = False
) -> ChallengeAccess:
    """The challenge, for its organisers: 'not found' to who may not see it, else 'not allowed'."""
    access = await viewable(session, user=user, challenge_id=challenge_id, lock=lock)
    access.require_organiser()
    return access


async def visible_among(
    session: AsyncSession, *, user: User | None, challenges: Sequence[Challenge]
) -> list[Challenge]:
    """The challenges of a list the person may see, by `can_view`, in one query."""
    drafts = [c.id for c in challenges if not c.is_published and c.id is not None]
    organised: set[int] = set()
    if drafts and user is not None and user.id is not None:
        organised = await queries.organised_among(session, user_id=user.id, challenge_ids=drafts)
    result = []
    for challenge in challenges:
        assert challenge.id is not None
        roles = frozenset({RoleKind.ORGANISER}) if challenge.id in organised else frozenset()
        if can_view(Actor(user=user, challenge_id=challenge.id, roles=roles), challenge):
            result.append(challenge)
    return result


async def organised_in_path(request: HTTPConnection, session: AsyncSession) -> ChallengeAccess:
    """`organised` for the challenge the path's {id} names: an API operation's guard."""
    return await organised(session, user=current_user(request), challenge_id=path_id(request))


async def viewable_in_path(request: HTTPConnection, session: AsyncSession) -> ChallengeAccess:
    """`viewable` for the challenge the path's {id} names: an API operation's guard."""
    return await viewable(session, user=current_user(request), challenge_id=path_id(request))
