"""Who may act for a sponsor, and who may see and answer an adoption offer.

Starts from the challenge's rule (app.challenges.permissions): what the person may not see
is "not found", what they may see but not do is "not allowed" (app.permissions).
An adoption is seen by the sponsor's representatives, the team's coach and members with an
account, and the challenge's organisers.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import RoleKind
from app.challenges.permissions import ChallengeAccess
from app.i18n import gettext as _
from app.permissions import require
from app.sponsors import queries
from app.sponsors.models import Sponsor
from app.teams import queries as teams_queries
from app.teams.models import Team


async def represented(session: AsyncSession, access: ChallengeAccess) -> list[Sponsor]:
    """The sponsors the person represents in the challenge, checked now (the sponsor role
    and the link to the company both held); none: not allowed."""
    found = []
    if access.actor.user_id is not None and access.has(RoleKind.SPONSOR):
        found = await queries.sponsors_represented_by(
            session, user_id=access.actor.user_id, challenge_id=access.challenge_id
        )
    access.require(bool(found), _("This page is for the sponsors' representatives."))
    return found


async def represents(session: AsyncSession, access: ChallengeAccess, sponsor: Sponsor) -> bool:
    assert sponsor.id is not None
    user_id = access.actor.user_id
    if user_id is None or not access.has(RoleKind.SPONSOR):
        return False  # the organisers took the sponsor role away: the link counts no more
    return await queries.is_representative(session, user_id=user_id, sponsor_id=sponsor.id)


async def in_team(session: AsyncSession, access: ChallengeAccess, team: Team) -> bool:
    """The team's coach or a member with an account."""
    user_id = access.actor.user_id
    if user_id is None:
        return False
    assert team.id is not None
    return user_id == team.coach_id or await teams_queries.is_team_member(
        session, team_id=team.id, user_id=user_id
    )


async def ensure_sees_team_offers(
    session: AsyncSession, access: ChallengeAccess, team: Team
) -> None:
    """A team's offers are seen by who sees the team: its people and the organisers."""
    require(access.is_organiser or await in_team(session, access, team), visible=False)


async def ensure_sees_adoption(
    session: AsyncSession, access: ChallengeAccess, sponsor: Sponsor, team: Team
) -> None:
    seen = (
        access.is_organiser
        or await represents(session, access, sponsor)
        or await in_team(session, access, team)
    )
    require(seen, visible=False)


def ensure_coach(access: ChallengeAccess, team: Team) -> None:
    """Only the team's coach answers offers: they are responsible for the (often minor) team."""
    access.require(
        access.actor.user_id == team.coach_id,
        _("Only the coach of this team may answer an adoption offer."),
    )


async def ensure_represents(
    session: AsyncSession, access: ChallengeAccess, sponsor: Sponsor
) -> None:
    access.require(
        await represents(session, access, sponsor),
        _("Only the sponsor's representatives may do this."),
    )


def require_other_side(allowed: bool) -> None:
    """A milestone is confirmed by the side that did not propose it."""
    require(
        allowed,
        visible=True,
        message=_("The other side confirms this milestone: the company or the team."),
    )
