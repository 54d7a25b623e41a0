"""Who may do what in judging.

Setting judging up, rankings and publishing belong to the challenge's organisers
(app.challenges.permissions.organised). A judge's assignment exists only for that judge:
anyone else gets "not found", organisers included (they see scores in the rankings). A
judge scores only while they hold the judge role, checked again at every save.
"""

from __future__ import annotations

from app.accounts.models import RoleKind, User
from app.challenges.models import Challenge
from app.challenges.permissions import ChallengeAccess
from app.i18n import gettext as _
from app.judging.models import Assignment
from app.permissions import require


def ensure_own_assignment(user: User, assignment: Assignment) -> None:
    require(assignment.judge_id == user.id, visible=False)


def ensure_still_judge(access: ChallengeAccess) -> None:
    """A judge whose role the organisers removed scores nothing more."""
    access.require(access.has(RoleKind.JUDGE), _("You are no longer a judge in this challenge."))


def can_see_results(access: ChallengeAccess, challenge: Challenge) -> bool:
    """Everybody once published; organisers also before, as a preview."""
    return access.is_organiser or challenge.results_published_at is not None
