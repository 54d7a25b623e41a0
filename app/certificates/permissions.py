"""Who may see and manage certificates in a challenge: decided here only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.permissions import actor_in
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge
from app.errors import Forbidden
from app.i18n import gettext as _
from app.i18n import lazy


class NotOrganiser(Forbidden):
    message = lazy("Only the challenge's organisers can manage its certificates.")


class NoRoleHere(Forbidden):
    message = lazy("You have no role in this challenge, so there are no certificates for you.")


async def organiser_of(session: AsyncSession, *, user: User, challenge_id: int) -> Challenge:
    """The challenge, if the person organises it: list, revoke and re-issue certificates."""
    challenge = await challenges_queries.get_challenge(session, challenge_id)
    actor = await actor_in(session, user=user, challenge_id=challenge_id)
    if not actor.is_organiser:
        raise NotOrganiser(_(NotOrganiser.message))
    return challenge


async def taking_part(session: AsyncSession, *, user: User, challenge_id: int) -> Challenge:
    """The challenge, if the person holds any role in it: see the certificates that are theirs."""
    challenge = await challenges_queries.get_challenge(session, challenge_id)
    actor = await actor_in(session, user=user, challenge_id=challenge_id)
    if not (actor.is_organiser or actor.roles):
        raise NoRoleHere(_(NoRoleHere.message))
    return challenge
