"""An offer's life before acceptance: the company amends it (each version kept, so the team
sees what changed) and the team answers with a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.sponsors import adoptions, events, permissions
from app.sponsors.adoptions import AdoptionAnswered
from app.sponsors.models import OFFER_FIELDS, Adoption, AdoptionStatus, AdoptionVersion
from app.sponsors.schemas import AdoptionAmend, AdoptionReply


@dataclass(frozen=True)
class Change:
    """One term of an offer that an amendment changed."""

    field: str
    before: int | str | date | None
    after: int | str | date | None


def changes(before: AdoptionVersion, after: AdoptionVersion) -> list[Change]:
    """What changed from one version of an offer to the next, in the form's order."""
    return [
        Change(name, getattr(before, name), getattr(after, name))
        for name in OFFER_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]


async def amend_adoption(
    session: AsyncSession, *, user: User, adoption_id: int, data: AdoptionAmend
) -> Adoption:
    """The company changes its offer while the team has not accepted it; the previous
    version is kept. The same terms again change nothing."""
    adoption, access, sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id
    )
    await permissions.ensure_represents(session, access, sponsor)
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    await adoptions.ensure_window(session, adoption.challenge_id)
    terms: dict[str, Any] = data.model_dump(include=set(OFFER_FIELDS))
    if all(getattr(adoption, name) == value for name, value in terms.items()):
        return adoption  # a double click: the version is already there
    for name, value in terms.items():
        setattr(adoption, name, value)
    adoption.version += 1
    session.add(adoption)
    assert user.id is not None and team.id is not None and adoption.id is not None
    session.add(adoptions.version_of(adoption, created_by=user.id))
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_AMENDED,
        subject_type="adoption",
        subject_id=adoption.id,
        challenge_id=adoption.challenge_id,
        data={"version": adoption.version},
    )
    emit(
        session,
        events.AdoptionAmended(**adoptions.event_ids(adoption, team.id), version=adoption.version),
    )
    return adoption


async def reply_to_adoption(
    session: AsyncSession, *, user: User, adoption_id: int, data: AdoptionReply
) -> Adoption:
    """The team's coach answers the company with a message (the latest one is shown)."""
    adoption, access, _sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id
    )
    permissions.ensure_coach(access, team)
    if adoption.status == AdoptionStatus.WITHDRAWN:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    if adoption.team_message == data.message:
        return adoption
    adoption.team_message = data.message
    session.add(adoption)
    assert team.id is not None and adoption.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_REPLIED,
        subject_type="adoption",
        subject_id=adoption.id,
        challenge_id=adoption.challenge_id,
    )
    emit(session, events.AdoptionReplied(**adoptions.event_ids(adoption, team.id)))
    return adoption


async def may_amend(session: AsyncSession, *, user: User, adoption_id: int) -> None:
    """The guard of an amendment: the company's representatives, before the form is read."""
    _adoption, access, sponsor, _team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=False
    )
    await permissions.ensure_represents(session, access, sponsor)


async def may_reply(session: AsyncSession, *, user: User, adoption_id: int) -> None:
    """The guard of a reply: the team's coach, before the form is read."""
    _adoption, access, _sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=False
    )
    permissions.ensure_coach(access, team)
