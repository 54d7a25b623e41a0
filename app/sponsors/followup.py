"""The follow-up of an accepted adoption ("presa in carico"): dated milestones proposed by one
side and confirmed by the other, progress against each commitment, and closing it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges.permissions import ChallengeAccess
from app.db import utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.forms import Upload
from app.i18n import gettext as _
from app.i18n import lazy
from app.permissions import require
from app.sponsors import adoptions, events, permissions
from app.sponsors.models import (
    Adoption,
    AdoptionMilestone,
    AdoptionStatus,
    MilestoneKind,
    Side,
    Sponsor,
)
from app.sponsors.schemas import AdoptionClose, MilestoneCreate, Progress
from app.storage import Staged
from app.teams import uploads as teams_uploads
from app.teams.models import Team


class AdoptionNotFollowed(Conflict):
    code = "adoption_not_followed"
    message = lazy("Only an accepted adoption that is not closed has a follow-up to record.")


class MilestoneConfirmedAlready(Conflict):
    code = "milestone_confirmed"
    message = lazy("This milestone is confirmed already.")


async def side_of(
    session: AsyncSession, access: ChallengeAccess, sponsor: Sponsor, team: Team
) -> Side:
    """The person's side of the adoption: the team's coach, or the company's representative."""
    if access.actor.user_id == team.coach_id:
        return Side.TEAM
    represents = await permissions.represents(session, access, sponsor)
    access.require(
        represents, _("Only the team's coach and the company's representatives may do this.")
    )
    return Side.SPONSOR


async def _followed(
    session: AsyncSession, *, user: User, adoption_id: int, lock: bool = True
) -> tuple[Adoption, Side, int]:
    adoption, access, sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=lock
    )
    side = await side_of(session, access, sponsor, team)
    assert team.id is not None
    return adoption, side, team.id


async def may_follow(session: AsyncSession, *, user: User, adoption_id: int) -> None:
    """The guard of a follow-up write: one of the two sides, before the form is read."""
    await _followed(session, user=user, adoption_id=adoption_id, lock=False)


def _ensure_open(adoption: Adoption) -> None:
    if adoption.status != AdoptionStatus.ACCEPTED:
        raise AdoptionNotFollowed(_(AdoptionNotFollowed.message))


async def propose_milestone(
    session: AsyncSession, *, user: User, adoption_id: int, data: MilestoneCreate
) -> AdoptionMilestone:
    """One side records a step that happened; the other side confirms it."""
    adoption, side, team_id = await _followed(session, user=user, adoption_id=adoption_id)
    _ensure_open(adoption)
    if data.happened_on > utcnow().date():
        raise ValidationFailed({"happened_on": _("A milestone is recorded once it happened.")})
    assert user.id is not None
    milestone = AdoptionMilestone(
        adoption_id=adoption_id, proposed_side=side, proposed_by=user.id, **data.model_dump()
    )
    session.add(milestone)
    await session.flush()
    assert milestone.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.MILESTONE_PROPOSED,
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
        data={"milestone_id": milestone.id, "kind": data.kind.value},
    )
    ids = adoptions.event_ids(adoption, team_id)
    emit(session, events.MilestoneProposed(**ids, milestone_id=milestone.id))
    return milestone


async def confirm_milestone(
    session: AsyncSession, *, user: User, adoption_id: int, milestone_id: int
) -> AdoptionMilestone:
    """The other side confirms a milestone; its proposer cannot."""
    adoption, side, team_id = await _followed(session, user=user, adoption_id=adoption_id)
    milestone = await session.get(
        AdoptionMilestone, milestone_id, with_for_update=True, populate_existing=True
    )
    if milestone is None or milestone.adoption_id != adoption_id:
        raise NotFound()
    if milestone.confirmed_at is not None:
        if milestone.confirmed_by == user.id:
            return milestone  # a double click
        raise MilestoneConfirmedAlready(_(MilestoneConfirmedAlready.message))
    _ensure_open(adoption)
    permissions.require_other_side(milestone.proposed_side != side)
    milestone.confirmed_by = user.id
    milestone.confirmed_at = utcnow()
    session.add(milestone)
    log_action(
        session,
        actor_id=user.id,
        action=events.MILESTONE_CONFIRMED,
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
        data={"milestone_id": milestone_id},
    )
    ids = adoptions.event_ids(adoption, team_id)
    emit(session, events.MilestoneConfirmed(**ids, milestone_id=milestone_id))
    return milestone


async def close_adoption(
    session: AsyncSession, *, user: User, adoption_id: int, data: AdoptionClose
) -> Adoption:
    """Either side closes an accepted adoption: completed, or ended early with a reason."""
    adoption, _side, team_id = await _followed(session, user=user, adoption_id=adoption_id)
    wanted = AdoptionStatus(data.outcome)
    if adoption.status == wanted:
        return adoption
    _ensure_open(adoption)
    adoption.status = wanted
    adoption.reason = data.reason
    adoption.closed_at = utcnow()
    session.add(adoption)
    assert adoption.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_CLOSED,
        subject_type="adoption",
        subject_id=adoption.id,
        challenge_id=adoption.challenge_id,
        data=data.model_dump(),
    )
    ids = adoptions.event_ids(adoption, team_id)
    emit(session, events.AdoptionClosed(**ids, outcome=data.outcome))
    return adoption


async def _milestone_of(
    session: AsyncSession, adoption_id: int, milestone_id: int, *, lock: bool
) -> AdoptionMilestone:
    milestone = await session.get(
        AdoptionMilestone, milestone_id, with_for_update=lock or None, populate_existing=lock
    )
    if milestone is None or milestone.adoption_id != adoption_id:
        raise NotFound()
    return milestone


async def may_attach(
    session: AsyncSession, *, user: User, adoption_id: int, milestone_id: int
) -> None:
    """The guard of an upload, before its body is read: the side that proposed the
    milestone, while it waits for the other side and the adoption is open."""
    adoption, side, _team_id = await _followed(
        session, user=user, adoption_id=adoption_id, lock=False
    )
    milestone = await _milestone_of(session, adoption_id, milestone_id, lock=False)
    _ensure_attachable(adoption, milestone, side)


def _ensure_attachable(adoption: Adoption, milestone: AdoptionMilestone, side: Side) -> None:
    _ensure_open(adoption)
    if milestone.confirmed_at is not None:
        raise MilestoneConfirmedAlready(
            _("This milestone is confirmed already: its file can no longer change.")
        )
    require(
        milestone.proposed_side == side,
        visible=True,
        message=_("The side that recorded this milestone attaches its file."),
    )


async def attach_file(
    session: AsyncSession,
    *,
    user: User,
    adoption_id: int,
    milestone_id: int,
    upload: Upload,
    max_bytes: int,
    stage: Staged,
) -> tuple[AdoptionMilestone, str | None]:
    """Attach a file (PDF, PNG, JPEG) to a milestone not yet confirmed, replacing the one it
    had; returns the milestone and the replaced file's key, to delete after commit."""
    adoption, side, _team_id = await _followed(session, user=user, adoption_id=adoption_id)
    milestone = await _milestone_of(session, adoption_id, milestone_id, lock=True)
    _ensure_attachable(adoption, milestone, side)
    content_type = teams_uploads.check_file(upload.data, max_bytes=max_bytes)
    stored = stage.save(upload.data)
    replaced = milestone.file_key
    milestone.file_key = stored.key
    milestone.file_name = teams_uploads.clean_display_name(upload.filename, content_type)
    milestone.file_type = content_type
    milestone.file_size = stored.size
    milestone.file_sha256 = stored.sha256
    session.add(milestone)
    log_action(
        session,
        actor_id=user.id,
        action=events.MILESTONE_FILE_ATTACHED,
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
        data={"milestone_id": milestone_id, "sha256": stored.sha256, "size": stored.size},
    )
    return milestone, replaced


async def milestone_file(
    session: AsyncSession, *, user: User, adoption_id: int, milestone_id: int
) -> AdoptionMilestone:
    """A milestone with a file, for who sees the follow-up page: the company's
    representatives, the team's people and the organisers ('not found' to anyone else)."""
    await adoptions.locked_adoption(session, user=user, adoption_id=adoption_id, lock=False)
    milestone = await _milestone_of(session, adoption_id, milestone_id, lock=False)
    if milestone.file_key is None:
        raise NotFound()
    return milestone


async def _company_side(
    session: AsyncSession, *, user: User, adoption_id: int, lock: bool
) -> Adoption:
    adoption, access, sponsor, _team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=lock
    )
    await permissions.ensure_represents(session, access, sponsor)
    return adoption


async def may_set_recognition(session: AsyncSession, *, user: User, adoption_id: int) -> None:
    """The guard of the company's choice, before the form or body is read."""
    await _company_side(session, user=user, adoption_id=adoption_id, lock=False)


async def set_recognition(
    session: AsyncSession, *, user: User, adoption_id: int, public: bool
) -> Adoption:
    """The company says whether the project may show its name ("Adottato da ...")."""
    adoption = await _company_side(session, user=user, adoption_id=adoption_id, lock=True)
    if adoption.public_recognition == public:
        return adoption
    adoption.public_recognition = public
    session.add(adoption)
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_RECOGNITION_CHANGED,
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
        data={"public": public},
    )
    return adoption


def progress(adoption: Adoption, milestones: Iterable[AdoptionMilestone]) -> Progress:
    """Done against promised, from the confirmed milestones (more than promised is shown)."""
    result = Progress(
        mentoring_hours_promised=adoption.mentoring_hours,
        internships_promised=adoption.internships,
        funding_promised_eur=adoption.funding_eur,
    )
    for m in milestones:
        if m.confirmed_at is None:
            result.milestones_waiting += 1
            continue
        result.milestones_confirmed += 1
        if result.last_milestone_on is None or m.happened_on > result.last_milestone_on:
            result.last_milestone_on = m.happened_on
        if m.kind == MilestoneKind.MENTORING:
            result.mentoring_hours_done += m.hours
        elif m.kind == MilestoneKind.INTERNSHIP_STARTED:
            result.internships_started += 1
        elif m.kind == MilestoneKind.FUNDING_PAID:
            result.funding_paid_eur += m.amount_eur
    return result
