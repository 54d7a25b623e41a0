"""Rubric options: independent criteria, mandatory comments, a rubric per track."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.errors import ValidationFailed
from app.events.models import AuditEntry
from app.i18n import use_locale
from app.judging import results, rounds, scoring, service
from app.judging.models import Assignment, Criterion, Round, RoundStatus, Rubric, Score
from app.judging.schemas import (
    CriterionIn,
    RoundSettings,
    RubricCreate,
    ScoresIn,
    rubric_from_form,
)
from tests.factories import Actors, csrf_from, make_round
from tests.judging.conftest import Jury
from tests.judging.test_results import put_in_tracks


async def _rubric(db: Database, jury: Jury, data: RubricCreate) -> tuple[Rubric, list[Criterion]]:
    async with db.transaction() as session:
        rubric = await service.create_rubric(
            session, user=jury.organiser, challenge_id=jury.cid, data=data
        )
    async with db.read() as session:
        criteria = (
            (
                await session.execute(
                    select(Criterion)
                    .where(Criterion.rubric_id == rubric.id)
                    .order_by(Criterion.position)
                )
            )
            .scalars()
            .all()
        )
    return rubric, list(criteria)


async def _use_rubric(db: Database, judging_round: Round, rubric: Rubric) -> None:
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.rubric_id = rubric.id


async def _sheets(db: Database, judge_id: int | None) -> list[Assignment]:
    async with db.read() as session:
        found = await session.execute(
            select(Assignment).where(Assignment.judge_id == judge_id).order_by(Assignment.id)
        )
        return list(found.scalars())


WITH_INDEPENDENT = RubricCreate(
    name="Con criterio libero",
    criteria=[
        CriterionIn(name="Innovazione", weight=50),
        CriterionIn(name="Impatto", weight=50),
        CriterionIn(name="Adatto allo sponsor", independent=True),
    ],
)


def test_independent_criterion_is_outside_the_hundred() -> None:
    assert [c.weight for c in WITH_INDEPENDENT.criteria] == [50, 50, 0]


def test_independent_criterion_with_a_weight_is_refused() -> None:
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        rubric_from_form(
            {
                "name": "R",
                "criteria-0-name": "A",
                "criteria-0-weight": "100",
                "criteria-1-name": "B",
                "criteria-1-weight": "10",
                "criteria-1-independent": "on",
            }
        )

    assert refused.value.errors == {
        "criteria-1-weight": "An independent criterion is not in the total: leave its weight empty."
    }


def test_counted_criterion_without_weight_is_refused() -> None:
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        rubric_from_form({"name": "R", "criteria-0-name": "A", "criteria-1-name": "B"})

    assert refused.value.errors["criteria-0-weight"] == (
        "Give the criterion a weight from 1 to 100, or mark it independent."
    )


def test_weights_of_counted_criteria_must_make_100() -> None:
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        rubric_from_form(
            {
                "name": "R",
                "criteria-0-name": "A",
                "criteria-0-weight": "60",
                "criteria-1-name": "B",
                "criteria-1-independent": "on",
            }
        )

    assert refused.value.errors == {
        "criteria": "The weights of the criteria in the total must add up to 100; "
        "now they add up to 60."
    }


def test_form_reads_independent_and_comment_required() -> None:
    parsed = rubric_from_form(
        {
            "name": "R",
            "comment_required": "on",
            "criteria-0-name": "A",
            "criteria-0-weight": "100",
            "criteria-1-name": "B",
            "criteria-1-independent": "on",
        }
    )

    assert parsed.comment_required is True
    assert [(c.name, c.weight, c.independent) for c in parsed.criteria] == [
        ("A", 100, False),
        ("B", 0, True),
    ]


async def test_independent_criterion_is_shown_but_not_in_the_total(
    db: Database, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    rubric, criteria = await _rubric(db, jury, WITH_INDEPENDENT)
    await _use_rubric(db, judging_round, rubric)
    innovation, impact, fit = (c.id or 0 for c in criteria)
    # Project 0 is counted 3 and fits the sponsor 5; project 1 is counted 4 and fits 1.
    marks = {jury.projects[0].id: (3, 5), jury.projects[1].id: (4, 1), jury.projects[2].id: (2, 2)}
    for judge in jury.judges:
        for sheet in await _sheets(db, judge.id):
            counted, independent = marks[sheet.project_id]
            async with db.transaction() as session:
                await scoring.save_scores(
                    session,
                    user=judge,
                    assignment_id=sheet.id or 0,
                    data=ScoresIn(scores={innovation: counted, impact: counted, fit: independent}),
                )

    async with db.read() as session:
        [result] = await results.round_results(session, jury.cid)

    shown = [(r.project.title, r.ranking.raw_mean, r.independent) for r in result.rows]
    assert shown == [
        ("Project 1", 4.0, {"Adatto allo sponsor": 1.0}),
        ("Project 0", 3.0, {"Adatto allo sponsor": 5.0}),
        ("Project 2", 2.0, {"Adatto allo sponsor": 2.0}),
    ]


async def test_ranking_page_shows_the_independent_criterion(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await test_independent_criterion_is_shown_but_not_in_the_total(db, jury)

    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/challenges/{jury.cid}/ranking?lang=en")

    assert page.status_code == 200
    assert "Adatto allo sponsor (not in the total): 5<" in page.text


async def test_sheet_without_the_mandatory_comment_is_refused_and_nothing_written(
    db: Database, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    rubric, criteria = await _rubric(
        db,
        jury,
        RubricCreate(
            name="Commentata", comment_required=True, criteria=[CriterionIn(name="A", weight=100)]
        ),
    )
    await _use_rubric(db, judging_round, rubric)
    judge = jury.judges[0]
    sheet = (await _sheets(db, judge.id))[0]

    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await scoring.save_scores(
                session,
                user=judge,
                assignment_id=sheet.id or 0,
                data=ScoresIn(scores={criteria[0].id or 0: 4}, comment="  "),
            )

    assert refused.value.errors == {
        "comment": "This rubric asks for a comment: write one to submit your scores."
    }
    async with db.read() as session:
        scores = (await session.execute(select(func.count()).select_from(Score))).scalar_one()
        audits = (
            await session.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "scores.saved")
            )
        ).scalar_one()
    assert (scores, audits) == (0, 0)


async def test_sheet_with_the_mandatory_comment_is_submitted(db: Database, jury: Jury) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    rubric, criteria = await _rubric(
        db,
        jury,
        RubricCreate(
            name="Commentata", comment_required=True, criteria=[CriterionIn(name="A", weight=100)]
        ),
    )
    await _use_rubric(db, judging_round, rubric)
    judge = jury.judges[0]
    sheet = (await _sheets(db, judge.id))[0]

    async with db.transaction() as session:
        saved = await scoring.save_scores(
            session,
            user=judge,
            assignment_id=sheet.id or 0,
            data=ScoresIn(scores={criteria[0].id or 0: 4}, comment="Idea chiara"),
        )

    assert saved.submitted_at is not None and saved.comment == "Idea chiara"


async def test_score_sheet_page_refuses_a_missing_comment_with_the_marks_kept(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    rubric, criteria = await _rubric(
        db,
        jury,
        RubricCreate(
            name="Commentata", comment_required=True, criteria=[CriterionIn(name="A", weight=100)]
        ),
    )
    await _use_rubric(db, judging_round, rubric)
    judge = jury.judges[0]
    sheet = (await _sheets(db, judge.id))[0]
    async with await actors.client(judge) as http:
        path = f"/judging/assignments/{sheet.id}"
        form = await http.get(path + "?lang=en")
        response = await http.post(
            path + "?lang=en",
            data={"csrf_token": csrf_from(form.text), f"criterion-{criteria[0].id}": "4"},
        )

    assert response.status_code == 422
    assert "This rubric asks for a comment: write one to submit your scores." in response.text
    assert 'value="4" checked' in response.text


async def _track_round(db: Database, jury: Jury) -> tuple[Round, dict[str, int], list[Criterion]]:
    """A round whose "Mobilità" projects are scored with a rubric of their own."""
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.DRAFT
    )
    tracks = await put_in_tracks(db, jury)
    mobility, criteria = await _rubric(
        db,
        jury,
        RubricCreate(
            name="Mobilità",
            criteria=[
                CriterionIn(name="Emissioni", weight=80),
                CriterionIn(name="Costo", weight=20),
            ],
        ),
    )
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        await rounds.apply_settings(
            session,
            judging_round=stored,
            data=RoundSettings(track_rubrics={tracks["Mobilità"]: mobility.id or 0}),
            timezone="Europe/Rome",
        )
        stored.status = RoundStatus.OPEN
    return judging_round, tracks, criteria


async def test_a_tracks_projects_are_scored_with_its_rubric(db: Database, jury: Jury) -> None:
    _round, _tracks, _criteria = await _track_round(db, jury)
    judge = jury.judges[0]
    sheets = {s.project_id: s for s in await _sheets(db, judge.id)}
    mobility_sheet = sheets[jury.projects[2].id]

    async with db.read() as session:
        sheet = await scoring.score_sheet(session, user=judge, assignment_id=mobility_sheet.id or 0)
        water = await scoring.score_sheet(
            session, user=judge, assignment_id=sheets[jury.projects[0].id].id or 0
        )

    assert [c.name for c in sheet.criteria] == ["Emissioni", "Costo"]
    assert [c.name for c in water.criteria] == ["Innovazione", "Fattibilità", "Impatto"]


async def test_score_for_a_criterion_of_another_rubric_is_refused(db: Database, jury: Jury) -> None:
    _round, _tracks, _criteria = await _track_round(db, jury)
    judge = jury.judges[0]
    sheets = {s.project_id: s for s in await _sheets(db, judge.id)}
    async with db.read() as session:
        water_sheet = await scoring.score_sheet(
            session, user=judge, assignment_id=sheets[jury.projects[0].id].id or 0
        )
    wrong = water_sheet.criteria[0].id or 0  # the round's rubric, not the mobility track's

    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await scoring.save_scores(
                session,
                user=judge,
                assignment_id=sheets[jury.projects[2].id].id or 0,
                data=ScoresIn(scores={wrong: 3}),
            )

    assert refused.value.errors == {
        f"criterion-{wrong}": "This criterion is not part of the rubric."
    }


async def test_ranking_weighs_a_tracks_sheets_by_its_rubric(db: Database, jury: Jury) -> None:
    _round, _tracks, criteria = await _track_round(db, jury)
    emissions, cost = (c.id or 0 for c in criteria)
    for judge in jury.judges:
        for sheet in await _sheets(db, judge.id):
            if sheet.project_id != jury.projects[2].id:
                continue
            async with db.transaction() as session:
                await scoring.save_scores(
                    session,
                    user=judge,
                    assignment_id=sheet.id or 0,
                    data=ScoresIn(scores={emissions: 5, cost: 1}),
                )

    async with db.read() as session:
        [result] = await results.round_results(session, jury.cid)

    [row] = result.rows
    assert row.ranking.raw_mean == pytest.approx(0.8 * 5 + 0.2 * 1)


async def test_track_rubric_on_another_scale_is_refused(db: Database, jury: Jury) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.DRAFT
    )
    tracks = await put_in_tracks(db, jury)
    tenths, _criteria = await _rubric(
        db,
        jury,
        RubricCreate(
            name="Decimi", scale_min=0, scale_max=10, criteria=[CriterionIn(name="A", weight=100)]
        ),
    )

    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await rounds.update_settings(
                session,
                user=jury.organiser,
                round_id=judging_round.id or 0,
                data=RoundSettings(track_rubrics={tracks["Acqua"]: tenths.id or 0}),
            )

    assert refused.value.errors == {
        f"track_rubric-{tracks['Acqua']}": "This rubric scores from 0 to 10; the round's from "
        "1 to 5. One ranking needs one scale."
    }
