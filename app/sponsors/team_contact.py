"""What a company sees of the students (often minors) behind a project.

Nothing until its adoption is accepted: the pages, the API and the e-mails a company gets
name the project and the team, never a member. Once accepted, the coach is the company's
contact, and each member shows only what the coach recorded the guardians (or the adult
member) allowed: nothing (the default), the first name, or the full name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.errors import Conflict, ValidationFailed
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import adoptions, events, permissions
from app.sponsors.discovery_schemas import ConsentRow
from app.sponsors.models import AdoptionStatus, MemberSponsorConsent, NameShown
from app.teams import queries as teams_queries
from app.teams.models import Team, TeamMember

# The adoptions under which the company sees the team's people: in force, or completed.
SHARED_STATUSES = (AdoptionStatus.ACCEPTED, AdoptionStatus.COMPLETED)


class TeamNotShared(Conflict):
    code = "team_not_shared"
    message = lazy(
        "The company sees who is in the team only once its adoption is accepted; "
        "until then the team answers through the platform."
    )


@dataclass(frozen=True)
class ShownMember:
    first_name: str
    last_name: str | None  # None: the first name only


@dataclass(frozen=True)
class TeamForSponsor:
    team: Team
    coach_name: str
    coach_email: str
    members: list[ShownMember]
    not_shown: int


def shown(member: TeamMember, consent: NameShown | None) -> ShownMember | None:
    """The member as the adopting company may see them; None: not at all."""
    if consent == NameShown.FULL_NAME:
        return ShownMember(member.first_name, member.last_name)
    if consent == NameShown.FIRST_NAME:
        return ShownMember(member.first_name, None)
    return None


async def member_consents(
    session: AsyncSession, team_id: int
) -> list[tuple[TeamMember, NameShown | None]]:
    """The team's members, each with what their name may show (None: nothing recorded)."""
    result = await session.execute(
        select(TeamMember, MemberSponsorConsent.shows)
        .outerjoin(MemberSponsorConsent, col(MemberSponsorConsent.member_id) == col(TeamMember.id))
        .where(col(TeamMember.team_id) == team_id)
        .order_by(col(TeamMember.last_name), col(TeamMember.first_name), col(TeamMember.id))
    )
    return [(member, NameShown(s) if s else None) for member, s in result.all()]


async def team_for_sponsor(
    session: AsyncSession, *, user: User, adoption_id: int
) -> TeamForSponsor:
    """The team as the company sees it, once the adoption is accepted (also for the coach
    and the organisers, to check what the company sees)."""
    adoption, _access, _sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=False
    )
    if adoption.status not in SHARED_STATUSES:
        raise TeamNotShared(_(TeamNotShared.message))
    coach = await session.get(User, team.coach_id)
    assert coach is not None and team.id is not None
    members: list[ShownMember] = []
    hidden = 0
    for member, consent in await member_consents(session, team.id):
        found = shown(member, consent)
        if found is None:
            hidden += 1
        else:
            members.append(found)
    return TeamForSponsor(team, coach.name, coach.email, members, hidden)


@dataclass(frozen=True)
class ConsentPage:
    challenge: Challenge
    team: Team
    rows: list[tuple[TeamMember, NameShown | None]]


async def consent_page(session: AsyncSession, *, user: User, team_id: int) -> ConsentPage:
    """The coach's form: what an adopting company may see of each member."""
    team = await teams_queries.get_team(session, team_id)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=team.challenge_id
    )
    await permissions.ensure_sees_team_offers(session, access, team)
    permissions.ensure_coach(access, team)
    return ConsentPage(access.challenge, team, await member_consents(session, team_id))


async def set_member_names(
    session: AsyncSession, *, user: User, team_id: int, rows: list[ConsentRow]
) -> Team:
    """The coach records what each member's name may show to an adopting company (for a
    minor, what the guardians consented to). All rows or none."""
    team = await teams_queries.get_team(session, team_id, lock=True)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=team.challenge_id
    )
    await permissions.ensure_sees_team_offers(session, access, team)
    permissions.ensure_coach(access, team)
    assert user.id is not None and team.id is not None
    current = {m.id: (m, c) for m, c in await member_consents(session, team.id)}
    foreign = [row.member_id for row in rows if row.member_id not in current]
    if foreign:
        raise ValidationFailed({"members": _("This member is not in the team.")})
    changed: dict[str, str] = {}
    for row in rows:
        _member, before = current[row.member_id]
        if (before or NameShown.NOTHING) == row.shows:
            continue
        consent = await session.get(MemberSponsorConsent, row.member_id)
        if consent is None:
            consent = MemberSponsorConsent(member_id=row.member_id, set_by=user.id)
        consent.shows, consent.set_by = row.shows, user.id
        session.add(consent)
        changed[str(row.member_id)] = row.shows.value
    if changed:
        log_action(
            session,
            actor_id=user.id,
            action=events.MEMBER_NAMES_SHOWN,
            subject_type="team",
            subject_id=team.id,
            challenge_id=team.challenge_id,
            data=changed,
        )
    return team


def parse_consent_form(values: dict[str, str]) -> list[ConsentRow]:
    """The form's `shows-<member id>` fields as rows; anything else is ignored."""
    rows: list[ConsentRow] = []
    errors: dict[str, str] = {}
    for key, value in values.items():
        prefix, _sep, number = key.partition("-")
        if prefix != "shows" or not (number.isascii() and number.isdigit() and len(number) < 10):
            continue
        try:
            rows.append(ConsentRow(member_id=int(number), shows=NameShown(value)))
        except ValueError:
            errors[key] = _("Choose one of the options.")
    if errors:
        raise ValidationFailed(errors)
    if not rows:
        raise ValidationFailed({"members": _("The team has no members to show or hide.")})
    return rows
