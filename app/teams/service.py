"""Teams: registering them in a challenge, and their members (often minors without an account)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.accounts.permissions import actor_in
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenge_queries
from app.challenges import service as challenges_service
from app.challenges.models import Challenge, Eligibility, Institution, PhaseKind
from app.db import save_unique, utcnow
from app.errors import Conflict, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.teams import events, permissions, queries
from app.teams.models import Team, TeamMember
from app.teams.permissions import TeamAccess
from app.teams.schemas import MemberInput, TeamInput, consent_errors


class TeamNameTaken(Conflict):
    code = "team_name_taken"
    message = lazy("A team with this name is already registered in this challenge.")
    field = "name"


class RegistrationClosed(Conflict):
    code = "registration_closed"
    message = lazy("Registration for this challenge is not open.")


class TeamLocked(Conflict):
    code = "team_locked"
    message = lazy("The submission deadline has passed: the team can no longer be changed.")


async def access_to_team(session: AsyncSession, *, user: User | None, team: Team) -> TeamAccess:
    actor = await actor_in(session, user=user, challenge_id=team.challenge_id)
    is_member = user is not None and user.id is not None
    if is_member:
        assert user is not None and user.id is not None
        is_member = await queries.is_team_member(session, team_id=team.id or 0, user_id=user.id)
    return permissions.access_to(actor, team, is_member=is_member)


async def load_team(
    session: AsyncSession, *, user: User | None, team_id: int, lock: bool = False
) -> tuple[Team, TeamAccess]:
    """The team and the person's standing; 'not found' to people who may not see it.
    `lock` holds the team's row until the transaction ends, for a change to it."""
    team = await queries.get_team(session, team_id, lock=lock)
    access = await access_to_team(session, user=user, team=team)
    permissions.ensure_can_view_team(access)
    return team, access


async def team_open_for_changes(
    session: AsyncSession, challenge_id: int, now: datetime | None = None
) -> bool:
    """Teams may change until the submission window closes (by the server's clock)."""
    phase = await challenge_queries.get_phase(session, challenge_id, PhaseKind.SUBMISSION)
    return phase is None or (now or utcnow()) < phase.ends_at


def consent_at(member: MemberInput) -> datetime | None:
    # Noon UTC keeps the calendar date the same in every European time zone.
    if member.consent_on is None:
        return None
    return datetime.combine(member.consent_on, time(12), tzinfo=UTC)


async def _checked_fields(
    session: AsyncSession,
    *,
    user: User,
    challenge_id: int,
    data: TeamInput,
    team_id: int | None = None,
) -> tuple[int | None, Institution | None]:
    """The track and institution the input names, after the rules on names and consent."""
    errors = consent_errors(list(enumerate(data.members)))
    challenge = await challenge_queries.get_challenge(session, challenge_id)
    errors.update(_eligibility_errors(challenge, data))
    tracks = await challenge_queries.tracks(session, challenge_id)
    if data.track_id is not None and data.track_id not in {t.id for t in tracks}:
        errors["track_id"] = _("Please choose one of the options.")
    elif data.track_id is None and tracks:
        errors["track_id"] = _("Please choose a track.")
    if errors:
        raise ValidationFailed(errors)
    if await queries.team_name_taken(
        session, challenge_id=challenge_id, name=data.name, except_id=team_id
    ):
        raise TeamNameTaken(_(TeamNameTaken.message))
    institution = await challenges_service.institution_for(
        session,
        institution_id=data.institution_id,
        name=data.institution_name,
        city=data.institution_city,
        actor_id=user.id,
    )
    return data.track_id, institution


def _eligibility_errors(challenge: Challenge, data: TeamInput) -> dict[str, str]:
    """The challenge's own rules: how many members a team has, and who may take part."""
    errors: dict[str, str] = {}
    count = len(data.members)
    if not challenge.team_size_min <= count <= challenge.team_size_max:
        errors["members"] = _(
            "A team in this challenge has from %(min)d to %(max)d members; this one has %(count)d."
        ) % {"min": challenge.team_size_min, "max": challenge.team_size_max, "count": count}
    names_institution = data.institution_id is not None or bool(data.institution_name)
    if challenge.eligibility != Eligibility.OPEN and not names_institution:
        errors["institution_id"] = (
            _("This challenge is for school classes: please name the school.")
            if challenge.eligibility == Eligibility.SCHOOL_CLASSES
            else _("This challenge is for university students: please name the university.")
        )
    if challenge.eligibility == Eligibility.SCHOOL_CLASSES and not data.class_name:
        errors["class_name"] = _("This challenge is for school classes: please name the class.")
    return errors


async def add_coach(session: AsyncSession, *, user: User, challenge_id: int, email: str) -> User:
    """Give an existing account the coach role in the challenge (organisers): a teacher who
    then registers their classes' teams; twice is harmless."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    person = await accounts_service.person_for_role(session, email=email)
    assert person.id is not None
    await accounts_service.grant_role(
        session, user_id=person.id, challenge_id=challenge_id, kind=RoleKind.COACH, actor_id=user.id
    )
    return person


async def register_team(
    session: AsyncSession,
    *,
    user: User,
    challenge_id: int,
    data: TeamInput,
    now: datetime | None = None,
) -> Team:
    """Register a team while registration is open; the person registering becomes its coach
    (so their address must be confirmed)."""
    assert user.id is not None
    accounts_service.require_confirmed(user)
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    is_open = await challenge_queries.phase_is_open(
        session, challenge_id, PhaseKind.REGISTRATION, now or utcnow()
    )
    if not challenge_permissions.can_register_team(access.actor, registration_open=is_open):
        raise RegistrationClosed(_(RegistrationClosed.message))
    track_id, institution = await _checked_fields(
        session, user=user, challenge_id=challenge_id, data=data
    )
    team = Team(
        challenge_id=challenge_id,
        name=data.name,
        track_id=track_id,
        institution_id=institution.id if institution else None,
        class_name=data.class_name,
        coach_id=user.id,
    )
    await save_unique(session, team, taken=TeamNameTaken(_(TeamNameTaken.message)))
    assert team.id is not None
    for member in data.members:
        session.add(_new_member(team.id, member))
    await accounts_service.grant_role(
        session, user_id=user.id, challenge_id=challenge_id, kind=RoleKind.COACH, actor_id=user.id
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.TEAM_REGISTERED,
        subject_type="team",
        subject_id=team.id,
        challenge_id=challenge_id,
        data={"name": team.name, "members": len(data.members)},
    )
    emit(session, events.TeamRegistered(challenge_id=challenge_id, team_id=team.id))
    return team


def _new_member(team_id: int, member: MemberInput) -> TeamMember:
    return TeamMember(
        team_id=team_id,
        first_name=member.first_name,
        last_name=member.last_name,
        is_minor=member.is_minor,
        consent_at=consent_at(member),
    )


async def update_team(
    session: AsyncSession,
    *,
    user: User,
    team_id: int,
    data: TeamInput,
    now: datetime | None = None,
) -> Team:
    """Change the team and its members (the coach, until the submission window closes)."""
    team, access = await load_team(session, user=user, team_id=team_id, lock=True)
    permissions.ensure_coach(access)
    if not await team_open_for_changes(session, team.challenge_id, now):
        raise TeamLocked(_(TeamLocked.message))
    track_id, institution = await _checked_fields(
        session, user=user, challenge_id=team.challenge_id, data=data, team_id=team_id
    )
    team.name = data.name
    team.track_id = track_id
    team.institution_id = institution.id if institution else None
    team.class_name = data.class_name
    await save_unique(session, team, taken=TeamNameTaken(_(TeamNameTaken.message)))
    existing = {m.id: m for m in await queries.members(session, team_id)}
    kept: set[int] = set()
    for member in data.members:
        found = existing.get(member.id) if member.id is not None else None
        if found is None:
            session.add(_new_member(team_id, member))
            continue
        kept.add(member.id or 0)
        found.first_name, found.last_name = member.first_name, member.last_name
        found.is_minor, found.consent_at = member.is_minor, consent_at(member)
    for member_id, old in existing.items():
        if member_id not in kept:
            await session.delete(old)
    log_action(
        session,
        actor_id=user.id,
        action=events.TEAM_UPDATED,
        subject_type="team",
        subject_id=team_id,
        challenge_id=team.challenge_id,
        data={"members": len(data.members)},
    )
    return team
