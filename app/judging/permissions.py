"""Who may do what in judging: the one place these rules live.

Someone with no role in the challenge gets 'not found'; someone taking part without the
right role gets 'not allowed'. A judge's assignment exists only for that judge.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.permissions import Actor, actor_in
from app.challenges.models import Challenge
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.judging.models import Assignment


async def actor(session: AsyncSession, *, user: User | None, challenge_id: int) -> Actor:
    return await actor_in(session, user=user, challenge_id=challenge_id)


def deny(who: Actor, message: str | None = None) -> Exception:
    """404 to outsiders, 403 to people taking part in the challenge."""
    if who.user is None or not (who.roles or who.is_admin):
        return NotFound()
    return Forbidden(message or _("You are not allowed to do this."))


def ensure_organiser(who: Actor) -> None:
    """Rubrics, rounds, assignments, rankings and publishing belong to the organisers."""
    if not who.is_organiser:
        raise deny(who, _("Only the organisers of this challenge may do this."))


def ensure_own_assignment(user: User, assignment: Assignment) -> None:
    """Another judge's assignment does not exist for you, whoever you are."""
    if assignment.judge_id != user.id:
        raise NotFound()


def can_see_results(who: Actor, challenge: Challenge) -> bool:
    """Everybody once published (if the challenge is); organisers also before, as a preview."""
    if who.is_organiser:
        return True
    return challenge.is_published and challenge.results_published_at is not None
