"""Promotion: the organiser moves selected teams, with their projects, from one stage of a
programme to the next (Climathon -> Impresa in azione -> Hackathon)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenge_queries
from app.challenges.models import Challenge
from app.errors import ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.teams import events, queries
from app.teams.models import Project, ProjectStatus, Team, TeamMember

MAX_TEAMS = 500  # one form or request promotes at most this many teams


@dataclass(frozen=True)
class Promotion:
    """What a promotion did: the new teams, and those already promoted before (unchanged)."""

    target_id: int
    promoted: list[Team]
    already: list[Team]


async def promotion_target(
    session: AsyncSession, *, user: User, source: Challenge, to_challenge_id: int
) -> Challenge:
    """The later stage of the same programme that the person also organises."""
    target = (
        await challenge_permissions.organised(session, user=user, challenge_id=to_challenge_id)
    ).challenge
    if (
        source.programme_id is None
        or target.programme_id != source.programme_id
        or target.stage <= source.stage
    ):
        raise ValidationFailed(
            {"to_challenge_id": _("Teams move on only to a later stage of the same programme.")}
        )
    return target


async def promote_teams(
    session: AsyncSession,
    *,
    user: User,
    from_challenge_id: int,
    to_challenge_id: int,
    team_ids: list[int],
) -> Promotion:
    """Each chosen team, with its submitted project, starts again in the next stage: the same
    name, school, class, coach and members, a draft of its project to develop (linked to the
    one it comes from). A team promoted before is left as it is. Nothing is done if any
    chosen team cannot move on."""
    assert user.id is not None
    source = (
        await challenge_permissions.organised(session, user=user, challenge_id=from_challenge_id)
    ).challenge
    target = await promotion_target(
        session, user=user, source=source, to_challenge_id=to_challenge_id
    )
    if not team_ids:
        raise ValidationFailed({"team_ids": _("Please choose at least one team.")})
    if len(set(team_ids)) > MAX_TEAMS:
        raise ValidationFailed(
            {"team_ids": _("Please choose at most %(n)s teams.") % {"n": MAX_TEAMS}}
        )
    # Locked: of two promotions of the same team at once, the second sees the first's result.
    teams = await queries.teams_by_ids(session, sorted(set(team_ids)), lock=True)
    projects = await queries.projects_of_teams(session, list(teams))
    done = await queries.promoted_from(session, challenge_id=to_challenge_id, team_ids=list(teams))
    errors = []
    for team_id in sorted(set(team_ids)):
        team = teams.get(team_id)
        project = projects.get(team_id)
        if team is None or team.challenge_id != from_challenge_id:
            errors.append(_("A chosen team does not take part in this challenge."))
        elif team_id in done:
            continue
        elif project is None or project.status != ProjectStatus.SUBMITTED:
            errors.append(
                _("%(team)s did not hand in a project, so it cannot move on.") % {"team": team.name}
            )
        elif await queries.team_name_taken(session, challenge_id=to_challenge_id, name=team.name):
            errors.append(
                _("A team called %(team)s is already registered in %(stage)s.")
                % {"team": team.name, "stage": target.title}
            )
    if errors:
        raise ValidationFailed({"team_ids": " ".join(dict.fromkeys(errors))})
    tracks = {
        t.name.casefold(): t.id for t in await challenge_queries.tracks(session, target.id or 0)
    }
    source_tracks = {
        t.id: t.name for t in await challenge_queries.tracks(session, from_challenge_id)
    }
    promoted = []
    for team_id in sorted(set(team_ids) - set(done)):
        team, project = teams[team_id], projects[team_id]
        track_id = tracks.get(source_tracks.get(team.track_id, "").casefold())
        promoted.append(
            await _promote(
                session, user=user, team=team, project=project, target=target, track_id=track_id
            )
        )
    return Promotion(
        target_id=to_challenge_id, promoted=promoted, already=[teams[i] for i in sorted(done)]
    )


async def _promote(
    session: AsyncSession,
    *,
    user: User,
    team: Team,
    project: Project,
    target: Challenge,
    track_id: int | None,
) -> Team:
    assert target.id is not None and team.id is not None and project.id is not None
    copy = Team(
        challenge_id=target.id,
        name=team.name,
        track_id=track_id,
        institution_id=team.institution_id,
        class_name=team.class_name,
        coach_id=team.coach_id,
        promoted_from_id=team.id,
    )
    session.add(copy)
    await session.flush()
    assert copy.id is not None
    for member in await queries.members(session, team.id):
        session.add(
            TeamMember(
                team_id=copy.id,
                first_name=member.first_name,
                last_name=member.last_name,
                is_minor=member.is_minor,
                consent_at=member.consent_at,
                user_id=member.user_id,
            )
        )
    session.add(
        Project(
            team_id=copy.id,
            challenge_id=target.id,
            track_id=track_id,
            title=project.title,
            summary=project.summary,
            description=project.description,
            previous_project_id=project.id,
        )
    )
    await accounts_service.grant_role(
        session,
        user_id=team.coach_id,
        challenge_id=target.id,
        kind=RoleKind.COACH,
        actor_id=user.id,
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.TEAM_PROMOTED,
        subject_type="team",
        subject_id=copy.id,
        challenge_id=target.id,
        data={"from_team": team.id, "from_challenge": team.challenge_id},
    )
    emit(
        session, events.TeamPromoted(challenge_id=target.id, team_id=copy.id, from_team_id=team.id)
    )
    return copy


async def stages_after(session: AsyncSession, challenge: Challenge) -> list[Challenge]:
    """The later stages of the challenge's programme: where its teams may move on to."""
    if challenge.programme_id is None:
        return []
    stages = await challenge_queries.programme_stages(session, challenge.programme_id)
    return [s for s in stages if s.stage > challenge.stage]
