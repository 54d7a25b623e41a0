"""Who may see and run a challenge: the one place these rules live."""

from __future__ import annotations

from app.accounts.permissions import Actor
from app.challenges.models import Challenge
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _


def can_view(actor: Actor, challenge: Challenge) -> bool:
    """A draft is seen only by its organisers (and platform admins)."""
    return challenge.is_published or actor.is_organiser


def ensure_visible(actor: Actor, challenge: Challenge) -> None:
    if not can_view(actor, challenge):
        raise NotFound()


def can_manage(actor: Actor) -> bool:
    return actor.is_organiser


def ensure_manager(actor: Actor, challenge: Challenge) -> None:
    """Organisers only; people who may not even see the challenge get 'not found'."""
    ensure_visible(actor, challenge)
    if not can_manage(actor):
        raise Forbidden(_("Only the organisers of this challenge may do this."))


def can_register_team(actor: Actor, *, registration_open: bool) -> bool:
    """While registration is open anyone logged in may register a team (and coach it)."""
    return actor.user is not None and registration_open
