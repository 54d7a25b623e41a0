"""A round's settings: the dates that open and close it by itself, the projects it judges
(all, one track, or a previous round's shortlist), per-track rubrics, what its judges see
and whether the teams read their comments; and the organisers' reads of rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import phases as challenge_phases
from app.challenges import queries as challenges_queries
from app.challenges.models import Track
from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import events, queries, results
from app.judging.models import (
    Assignment,
    Round,
    RoundKind,
    RoundScope,
    RoundStatus,
    Rubric,
    TrackRubric,
)
from app.judging.schemas import RoundSettings

# What still may change once a round is open: judges scored under the rest.
CHANGEABLE_WHEN_OPEN = frozenset({"closes_at"})
# What decides the projects: a change in preparation drops the allocation made for the old.
PROJECT_FIELDS = frozenset({"scope", "scope_track_id", "shortlist_round_id", "shortlist_size"})


class SettingsFixed(Conflict):
    code = "round_settings_fixed"
    message = lazy(
        "Once a round is open only its closing date can change; once it is closed, nothing."
    )


@dataclass(frozen=True)
class RoundView:
    """A round with its per-track rubrics (track id -> rubric id)."""

    round: Round
    track_rubrics: dict[int, int]


@dataclass(frozen=True)
class SettingsPage:
    round: Round
    challenge_timezone: str
    track_rubrics: dict[int, int]
    tracks: list[Track]
    rubrics: list[Rubric]
    closed_rounds: list[Round]


def current(judging_round: Round, track_rubrics: dict[int, int]) -> dict[str, Any]:
    """The round's settings as RoundSettings names them."""
    values: dict[str, Any] = {
        name: getattr(judging_round, name)
        for name in RoundSettings.model_fields
        if name != "track_rubrics"
    }
    values["track_rubrics"] = dict(track_rubrics)
    return values


async def list_rounds(session: AsyncSession, *, user: User, challenge_id: int) -> list[RoundView]:
    """The challenge's rounds with their settings, for its organisers (two statements)."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    round_list = await queries.rounds(session, challenge_id)
    by_round = await queries.track_rubrics(session, [r.id for r in round_list if r.id])
    return [RoundView(r, by_round.get(r.id or 0, {})) for r in round_list]


async def read_round(session: AsyncSession, *, user: User, round_id: int) -> RoundView:
    judging_round = await queries.get_round(session, round_id)
    await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    by_round = await queries.track_rubrics(session, [round_id])
    return RoundView(judging_round, by_round[round_id])


async def settings_page(session: AsyncSession, *, user: User, round_id: int) -> SettingsPage:
    """What the settings form offers: the tracks, rubrics and closed rounds to choose from."""
    judging_round = await queries.get_round(session, round_id)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    challenge_id = judging_round.challenge_id
    return SettingsPage(
        round=judging_round,
        challenge_timezone=access.challenge.timezone,
        track_rubrics=(await queries.track_rubrics(session, [round_id]))[round_id],
        tracks=await challenges_queries.tracks(session, challenge_id),
        rubrics=await queries.rubrics(session, challenge_id),
        closed_rounds=[
            r
            for r in await queries.rounds(session, challenge_id)
            if r.status == RoundStatus.CLOSED and r.id != round_id
        ],
    )


async def update_settings(
    session: AsyncSession, *, user: User, round_id: int, data: RoundSettings
) -> Round:
    """Set the round's settings: everything while in preparation, only the closing date once
    open, nothing once closed. Sending the same settings again changes nothing."""
    judging_round = await queries.get_round(session, round_id, lock=True)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    changes = await apply_settings(
        session, judging_round=judging_round, data=data, timezone=access.challenge.timezone
    )
    if changes:
        log_action(
            session,
            actor_id=user.id,
            action=events.ROUND_SETTINGS_CHANGED,
            subject_type="round",
            subject_id=round_id,
            challenge_id=judging_round.challenge_id,
            data=changes,
        )
    return judging_round


async def apply_settings(
    session: AsyncSession,
    *,
    judging_round: Round,
    data: RoundSettings,
    timezone: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Check the settings against the round and the challenge, then set them; what changed,
    as the audit entry records it. A new round (no id yet) is in preparation."""
    now = now or utcnow()
    round_id = judging_round.id
    stored = (await queries.track_rubrics(session, [round_id]))[round_id] if round_id else {}
    wanted = _normalised(data, timezone)
    before = current(judging_round, stored)
    changed = {name for name, value in wanted.items() if before[name] != value}
    if not changed:
        return {}
    if judging_round.status == RoundStatus.CLOSED or (
        judging_round.status == RoundStatus.OPEN and changed - CHANGEABLE_WHEN_OPEN
    ):
        raise SettingsFixed(_(SettingsFixed.message))
    await _check(session, judging_round, wanted, changed, now)
    for name, value in wanted.items():
        if name != "track_rubrics":
            setattr(judging_round, name, value)
    if "opens_at" in changed:
        judging_round.open_failed_at = None  # a new date: tell the organisers again if it fails
    session.add(judging_round)
    await session.flush()
    assert judging_round.id is not None
    audit: dict[str, Any] = {
        name: (value.isoformat() if isinstance(value, datetime) else value)
        for name, value in wanted.items()
        if name in changed and name != "track_rubrics"
    }
    if "track_rubrics" in changed:
        await session.execute(
            delete(TrackRubric).where(col(TrackRubric.round_id) == judging_round.id)
        )
        for track_id, rubric_id in wanted["track_rubrics"].items():
            session.add(
                TrackRubric(round_id=judging_round.id, track_id=track_id, rubric_id=rubric_id)
            )
        audit["track_rubrics"] = {str(k): v for k, v in wanted["track_rubrics"].items()}
    if changed & PROJECT_FIELDS and round_id is not None:
        dropped = await session.execute(
            delete(Assignment).where(col(Assignment.round_id) == round_id)
        )
        audit["assignments_dropped"] = getattr(dropped, "rowcount", 0)
    return audit


def _normalised(data: RoundSettings, timezone: str) -> dict[str, Any]:
    """The settings as stored: dates in UTC to the minute, a scope's target only with its
    scope."""
    values = data.model_dump(include=set(RoundSettings.model_fields))
    errors: dict[str, str] = {}
    for name in ("opens_at", "closes_at"):
        if values[name] is None:
            continue
        try:
            # To the minute, as the form shows it: the same date sent back is no change.
            utc = challenge_phases.to_utc(values[name], timezone)
            values[name] = utc.replace(second=0, microsecond=0)
        except OverflowError:  # the first or last day a datetime holds, moved out of range
            errors[name] = _("Please enter a date and time.")
    if errors:
        raise ValidationFailed(errors)
    if data.scope != RoundScope.TRACK:
        values["scope_track_id"] = None
    if data.scope != RoundScope.SHORTLIST:
        values["shortlist_round_id"] = values["shortlist_size"] = None
    return values


async def _check(
    session: AsyncSession,
    judging_round: Round,
    wanted: dict[str, Any],
    changed: set[str],
    now: datetime,
) -> None:
    errors: dict[str, str] = {}
    opens_at, closes_at = wanted["opens_at"], wanted["closes_at"]
    if "opens_at" in changed and opens_at is not None and opens_at <= now:
        errors["opens_at"] = _(
            "This date has passed: choose a later one, or open the round by hand now."
        )
    if "closes_at" in changed and closes_at is not None and closes_at <= now:
        errors["closes_at"] = _(
            "This date has passed: choose a later one, or close the round by hand now."
        )
    elif opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _("The round must close after it opens.")
    challenge_id = judging_round.challenge_id
    tracks = {t.id for t in await challenges_queries.tracks(session, challenge_id)}
    if wanted["scope"] == RoundScope.TRACK and wanted["scope_track_id"] not in tracks:
        errors["scope_track_id"] = _("Choose one of the challenge's tracks.")
    if wanted["scope"] == RoundScope.SHORTLIST:
        source = wanted["shortlist_round_id"]
        found = await session.get(Round, source) if source is not None else None
        if (
            found is None
            or found.challenge_id != challenge_id
            or found.id == judging_round.id
            or found.status != RoundStatus.CLOSED
        ):
            errors["shortlist_round_id"] = _("Choose a closed round of this challenge.")
        if wanted["shortlist_size"] is None:
            errors["shortlist_size"] = _("Say how many of its best projects go on.")
    if wanted["track_rubrics"]:
        errors |= await _check_track_rubrics(session, judging_round, wanted, tracks)
    if errors:
        raise ValidationFailed(errors)


async def _check_track_rubrics(
    session: AsyncSession, judging_round: Round, wanted: dict[str, Any], tracks: set[int | None]
) -> dict[str, str]:
    """Another rubric per track: only in a rubric round, a rubric of the challenge on the
    same scale as the round's (one ranking compares all its projects)."""
    errors: dict[str, str] = {}
    if judging_round.kind != RoundKind.RUBRIC or judging_round.rubric_id is None:
        return {"track_rubrics": _("Only a rubric round is scored with a rubric.")}
    rubrics = {r.id: r for r in await queries.rubrics(session, judging_round.challenge_id)}
    own = rubrics.get(judging_round.rubric_id)
    for track_id, rubric_id in wanted["track_rubrics"].items():
        key = f"track_rubric-{track_id}"
        rubric = rubrics.get(rubric_id)
        if track_id not in tracks:
            errors[key] = _("Choose one of the challenge's tracks.")
        elif rubric is None or own is None:
            errors[key] = _("Choose one of the challenge's rubrics.")
        elif (rubric.scale_min, rubric.scale_max) != (own.scale_min, own.scale_max):
            errors[key] = _(
                "This rubric scores from %(low)s to %(high)s; the round's from %(own_low)s to "
                "%(own_high)s. One ranking needs one scale."
            ) % {
                "low": rubric.scale_min,
                "high": rubric.scale_max,
                "own_low": own.scale_min,
                "own_high": own.scale_max,
            }
    return errors


async def project_ids(session: AsyncSession, judging_round: Round) -> list[int]:
    """The submitted projects the round judges: all, one track's, or the best N of a closed
    round by the way that round decides (projects tied with the N-th go on too)."""
    challenge_id = judging_round.challenge_id
    if judging_round.scope == RoundScope.TRACK:
        return await queries.submitted_project_ids(
            session, challenge_id, track_id=judging_round.scope_track_id
        )
    if judging_round.scope == RoundScope.SHORTLIST:
        size = judging_round.shortlist_size or 0
        source = judging_round.shortlist_round_id
        for result in await results.round_results(session, challenge_id, only=source):
            if result.round.id == source:
                return sorted(
                    row.project.id
                    for row in result.rows
                    if row.ranking.rank <= size and row.project.id is not None
                )
        return []
    return await queries.submitted_project_ids(session, challenge_id)
