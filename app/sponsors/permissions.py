"""Who may do what with sponsors and adoptions: the one place these rules live.

Someone with no role at all in an object's challenge gets 'not found' (we do not reveal
what exists elsewhere); someone taking part without the right role gets 'not allowed'.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.permissions import Actor, actor_in
from app.challenges.models import Challenge
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.sponsors import queries
from app.sponsors.models import Sponsor
from app.teams import queries as teams_queries
from app.teams.models import Team


async def actor(session: AsyncSession, *, user: User | None, challenge_id: int) -> Actor:
    return await actor_in(session, user=user, challenge_id=challenge_id)


def deny(who: Actor, message: str | None = None) -> Exception:
    """The error for someone who may not: 404 to outsiders, 403 to people taking part."""
    if who.user is None or not (who.roles or who.is_admin):
        return NotFound()
    return Forbidden(message or _("You are not allowed to do this."))


def ensure_can_see_challenge(who: Actor, challenge: Challenge) -> None:
    """A draft challenge exists only for its organisers."""
    if not challenge.is_published and not who.is_organiser:
        raise NotFound()


def ensure_organiser(who: Actor) -> None:
    if not who.is_organiser:
        raise deny(who, _("Only the organisers of this challenge may do this."))


async def ensure_represents(session: AsyncSession, who: Actor, sponsor: Sponsor) -> None:
    """Acting for a sponsor needs being one of its representatives."""
    assert sponsor.id is not None
    if who.user_id is None or not await queries.is_representative(
        session, user_id=who.user_id, sponsor_id=sponsor.id
    ):
        raise deny(who, _("Only the sponsor's representatives may do this."))


async def sponsors_of(session: AsyncSession, who: Actor) -> list[Sponsor]:
    """The sponsors the person represents in this challenge; none means not allowed."""
    if who.user_id is None:
        raise deny(who)
    found = await queries.sponsors_represented_by(
        session, user_id=who.user_id, challenge_id=who.challenge_id
    )
    if not found:
        raise deny(who, _("This page is for the sponsors' representatives."))
    return found


def ensure_coach(who: Actor, team: Team) -> None:
    """Only the team's coach answers offers: they are responsible for the (often minor) team."""
    if who.user_id is None or who.user_id != team.coach_id:
        raise deny(who, _("Only the coach of this team may answer an adoption offer."))


async def ensure_can_see_team_adoptions(session: AsyncSession, who: Actor, team: Team) -> None:
    """The coach, the team's members and the organisers see the offers a team received."""
    assert team.id is not None
    if who.is_organiser or (who.user_id is not None and who.user_id == team.coach_id):
        return
    if who.user_id is not None and await teams_queries.is_team_member(
        session, team_id=team.id, user_id=who.user_id
    ):
        return
    raise deny(who)
