"""A round's settings: dates, the projects it judges, what its judges see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.challenges import queries as challenges_queries
from app.db import Database, utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.events.models import AuditEntry
from app.i18n import use_locale
from app.judging import queries, rounds, scoring, service
from app.judging.models import (
    Assignment,
    OthersScores,
    Round,
    RoundScope,
    RoundStatus,
    TrackRubric,
)
from app.judging.rounds import SettingsFixed
from app.judging.schemas import RoundSettings, ScoresIn, round_settings_from_form
from tests.factories import Actors, make_challenge, make_round
from tests.judging.conftest import RUBRIC, Jury, draft_round
from tests.judging.test_results import close, put_in_tracks, scored_round


async def _update(db: Database, jury: Jury, round_id: int, data: RoundSettings) -> Round:
    async with db.transaction() as session:
        return await rounds.update_settings(
            session, user=jury.organiser, round_id=round_id, data=data
        )


async def _refusal(db: Database, jury: Jury, round_id: int, data: RoundSettings) -> dict[str, str]:
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        await _update(db, jury, round_id, data)
    return refused.value.errors


async def _stored(db: Database, round_id: int | None) -> Round:
    async with db.read() as session:
        found = await session.get(Round, round_id)
    assert found is not None
    return found


async def test_settings_are_stored_in_utc_from_the_challenges_time(
    db: Database, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    parsed = round_settings_from_form(
        {
            "opens_at": "2031-03-02T09:00",
            "closes_at": "2031-03-02T18:30",
            "scope": "all",
            "others_scores": "after_submitting",
            "hide_team_names": "on",
            "team_feedback": "on",
        }
    )

    await _update(db, jury, judging_round.id or 0, parsed)

    stored = await _stored(db, judging_round.id)
    assert (
        stored.opens_at is not None and stored.opens_at.isoformat() == "2031-03-02T08:00:00+00:00"
    )
    assert stored.closes_at is not None and stored.closes_at.isoformat() == (
        "2031-03-02T17:30:00+00:00"
    )
    assert (stored.others_scores, stored.hide_team_names, stored.team_feedback) == (
        OthersScores.AFTER_SUBMITTING,
        True,
        True,
    )


async def test_dates_in_the_wrong_order_are_refused(db: Database, jury: Jury) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    later = utcnow() + timedelta(days=3)

    errors = await _refusal(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(opens_at=later, closes_at=later - timedelta(hours=1)),
    )

    assert errors == {"closes_at": "The round must close after it opens."}
    assert (await _stored(db, judging_round.id)).opens_at is None


async def test_a_date_in_the_past_is_refused(db: Database, jury: Jury) -> None:
    _rubric, judging_round = await draft_round(db, jury)

    errors = await _refusal(
        db, jury, judging_round.id or 0, RoundSettings(opens_at=utcnow() - timedelta(minutes=5))
    )

    assert errors == {
        "opens_at": "This date has passed: choose a later one, or open the round by hand now."
    }


async def test_once_open_only_the_closing_date_moves(db: Database, jury: Jury) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    later = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)

    moved = await _update(db, jury, judging_round.id or 0, RoundSettings(closes_at=later))
    with use_locale("en"), pytest.raises(SettingsFixed) as refused:
        await _update(
            db, jury, judging_round.id or 0, RoundSettings(closes_at=later, hide_team_names=True)
        )

    assert moved.closes_at == later
    assert str(refused.value) == (
        "Once a round is open only its closing date can change; once it is closed, nothing."
    )
    assert (await _stored(db, judging_round.id)).hide_team_names is False


async def test_a_closed_rounds_settings_are_fixed(db: Database, jury: Jury) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.CLOSED
    )

    with pytest.raises(SettingsFixed):
        await _update(db, jury, judging_round.id or 0, RoundSettings(team_feedback=True))


async def test_the_same_settings_again_change_nothing(db: Database, jury: Jury) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.CLOSED
    )

    await _update(db, jury, judging_round.id or 0, RoundSettings())

    async with db.read() as session:
        audits = (
            await session.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "round.settings_changed")
            )
        ).scalar_one()
    assert audits == 0


async def test_settings_of_a_round_for_a_judge_are_403(db: Database, jury: Jury) -> None:
    _rubric, judging_round = await draft_round(db, jury)

    with pytest.raises(Forbidden):
        async with db.transaction() as session:
            await rounds.update_settings(
                session,
                user=jury.judges[0],
                round_id=judging_round.id or 0,
                data=RoundSettings(hide_team_names=True),
            )

    assert (await _stored(db, judging_round.id)).hide_team_names is False


async def test_a_track_of_another_challenge_is_refused(
    db: Database, actors: Actors, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    other = await make_challenge(db, organiser=jury.organiser)
    async with db.read() as session:
        other_tracks = await challenges_queries.tracks(session, other.id or 0)

    errors = await _refusal(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(scope=RoundScope.TRACK, scope_track_id=other_tracks[0].id),
    )

    assert errors == {"scope_track_id": "Choose one of the challenge's tracks."}


async def test_a_shortlist_of_a_round_not_closed_is_refused(db: Database, jury: Jury) -> None:
    earlier = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    _rubric, judging_round = await draft_round(db, jury)

    errors = await _refusal(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(scope=RoundScope.SHORTLIST, shortlist_round_id=earlier.id, shortlist_size=2),
    )

    assert errors == {"shortlist_round_id": "Choose a closed round of this challenge."}


async def test_a_shortlist_of_another_challenges_round_is_refused(db: Database, jury: Jury) -> None:
    other = await make_challenge(db, organiser=jury.organiser)
    theirs = await make_round(db, other, judges=[], projects=[], status=RoundStatus.CLOSED)
    _rubric, judging_round = await draft_round(db, jury)

    errors = await _refusal(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(scope=RoundScope.SHORTLIST, shortlist_round_id=theirs.id),
    )

    assert errors == {
        "shortlist_round_id": "Choose a closed round of this challenge.",
        "shortlist_size": "Say how many of its best projects go on.",
    }


async def test_a_shortlist_round_judges_the_best_of_the_earlier_round(
    db: Database, jury: Jury
) -> None:
    earlier = await scored_round(db, jury)  # projects 0 and 1 tie at the top, 2 is last
    await close(db, earlier)
    _rubric, judging_round = await draft_round(db, jury)
    await _update(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(scope=RoundScope.SHORTLIST, shortlist_round_id=earlier.id, shortlist_size=1),
    )

    async with db.transaction() as session:
        made = await service.assign_judges(
            session, user=jury.organiser, round_id=judging_round.id or 0
        )

    async with db.read() as session:
        projects = {a.project_id for a in await queries.assignments(session, made.round.id or 0)}
    # Both share the first place: a tie at the N-th goes on.
    assert projects == {jury.projects[0].id, jury.projects[1].id}


async def test_a_track_round_judges_only_the_tracks_projects(db: Database, jury: Jury) -> None:
    tracks = await put_in_tracks(db, jury)
    _rubric, judging_round = await draft_round(db, jury)
    await _update(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(scope=RoundScope.TRACK, scope_track_id=tracks["Mobilità"]),
    )

    async with db.transaction() as session:
        await service.assign_judges(session, user=jury.organiser, round_id=judging_round.id or 0)

    async with db.read() as session:
        projects = {a.project_id for a in await queries.assignments(session, judging_round.id or 0)}
    assert projects == {jury.projects[2].id}


async def test_changing_the_projects_drops_the_allocation(db: Database, jury: Jury) -> None:
    tracks = await put_in_tracks(db, jury)
    _rubric, judging_round = await draft_round(db, jury)
    async with db.transaction() as session:
        await service.assign_judges(session, user=jury.organiser, round_id=judging_round.id or 0)

    await _update(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(scope=RoundScope.TRACK, scope_track_id=tracks["Acqua"]),
    )

    async with db.read() as session:
        left = await queries.assignments(session, judging_round.id or 0)
    assert left == []


async def test_track_rubrics_are_replaced(db: Database, jury: Jury) -> None:
    tracks = await put_in_tracks(db, jury)
    _rubric, judging_round = await draft_round(db, jury)
    async with db.transaction() as session:
        second = await service.create_rubric(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            data=RUBRIC.model_copy(update={"name": "Seconda"}),
        )
    await _update(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(track_rubrics={tracks["Acqua"]: second.id or 0}),
    )
    await _update(
        db,
        jury,
        judging_round.id or 0,
        RoundSettings(track_rubrics={tracks["Mobilità"]: second.id or 0}),
    )

    async with db.read() as session:
        rows = (await session.execute(select(TrackRubric.track_id, TrackRubric.rubric_id))).all()
    assert [tuple(r) for r in rows] == [(tracks["Mobilità"], second.id)]


# --- What judges see ---


async def _two_sheets(
    db: Database, jury: Jury, others: OthersScores
) -> tuple[Round, list[Assignment]]:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.others_scores = others
    async with db.read() as session:
        sheets = (
            (
                await session.execute(
                    select(Assignment)
                    .where(Assignment.project_id == jury.projects[0].id)
                    .order_by(Assignment.id)
                )
            )
            .scalars()
            .all()
        )
    return judging_round, list(sheets)


async def _score_all(db: Database, jury: Jury, judging_round: Round, sheet: Assignment) -> None:
    judge = next(j for j in jury.judges if j.id == sheet.judge_id)
    async with db.read() as session:
        criteria = (
            await scoring.score_sheet(session, user=judge, assignment_id=sheet.id or 0)
        ).criteria
    async with db.transaction() as session:
        await scoring.save_scores(
            session,
            user=judge,
            assignment_id=sheet.id or 0,
            data=ScoresIn(scores={c.id or 0: 4 for c in criteria}),
        )


async def test_others_scores_are_never_shown_when_the_round_says_never(
    db: Database, jury: Jury
) -> None:
    judging_round, sheets = await _two_sheets(db, jury, OthersScores.NEVER)
    await _score_all(db, jury, judging_round, sheets[1])
    await _score_all(db, jury, judging_round, sheets[0])

    with use_locale("en"), pytest.raises(Forbidden) as refused:
        async with db.read() as session:
            await scoring.other_scores(
                session, user=jury.judges[0], assignment_id=sheets[0].id or 0
            )

    assert str(refused.value) == "In this round judges do not see each other's scores."


async def test_others_scores_after_submitting_wait_for_the_judges_own(
    db: Database, jury: Jury
) -> None:
    judging_round, sheets = await _two_sheets(db, jury, OthersScores.AFTER_SUBMITTING)
    await _score_all(db, jury, judging_round, sheets[1])
    mine = sheets[0]
    judge = next(j for j in jury.judges if j.id == mine.judge_id)

    with use_locale("en"), pytest.raises(Forbidden) as refused:
        async with db.read() as session:
            await scoring.other_scores(session, user=judge, assignment_id=mine.id or 0)
    await _score_all(db, jury, judging_round, mine)
    with use_locale("en"):
        async with db.read() as session:
            seen = await scoring.other_scores(session, user=judge, assignment_id=mine.id or 0)

    assert str(refused.value) == (
        "You will see the other judges' scores once you have submitted your own."
    )
    assert list(seen.judges) == ["Judge 1"]
    assert set(seen.judges["Judge 1"].values()) == {4}


async def test_others_scores_of_someone_elses_sheet_are_not_found(db: Database, jury: Jury) -> None:
    _round, sheets = await _two_sheets(db, jury, OthersScores.ALWAYS)
    stranger = next(j for j in jury.judges if j.id != sheets[0].judge_id)

    with pytest.raises(NotFound):
        async with db.read() as session:
            await scoring.other_scores(session, user=stranger, assignment_id=sheets[0].id or 0)


async def test_others_scores_over_the_api_before_allowed_is_403(
    db: Database, actors: Actors, jury: Jury
) -> None:
    _round, sheets = await _two_sheets(db, jury, OthersScores.AFTER_SUBMITTING)
    judge = next(j for j in jury.judges if j.id == sheets[0].judge_id)

    async with await actors.api(judge) as http:
        response = await http.get(f"/api/v1/assignments/{sheets[0].id}/others")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "others_scores_hidden"


async def test_hidden_team_names_give_a_neutral_label_on_the_sheet(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round, sheets = await _two_sheets(db, jury, OthersScores.NEVER)
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.hide_team_names = True
    judge = next(j for j in jury.judges if j.id == sheets[0].judge_id)

    async with await actors.client(judge) as http:
        page = await http.get(f"/judging/assignments/{sheets[0].id}?lang=it")

    assert page.status_code == 200
    assert f"Progetto {jury.projects[0].id}" in page.text
    assert "Team 0" not in page.text
