"""Judges saving scores: upsert per criterion, completion, validation and timing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.db import Database
from app.errors import NotFound, ValidationFailed
from app.judging import scoring
from app.judging.models import Assignment, Criterion, Round, RoundStatus, Score
from app.judging.schemas import ScoresIn, scores_from_form
from tests.factories import make_round
from tests.judging.conftest import Jury, events


async def _setup(
    db: Database, jury: Jury, status: RoundStatus = RoundStatus.OPEN
) -> tuple[Round, list[int], Assignment]:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=status
    )
    async with db.read() as session:
        criteria = (
            await session.execute(
                select(Criterion.id)
                .where(Criterion.rubric_id == judging_round.rubric_id)
                .order_by(Criterion.position)
            )
        ).scalars()
        mine = (
            await session.execute(
                select(Assignment).where(Assignment.judge_id == jury.judges[0].id).limit(1)
            )
        ).scalar_one()
    return judging_round, [c for c in criteria if c is not None], mine


async def _save(db: Database, judge: User, assignment_id: int, data: ScoresIn) -> Assignment:
    async with db.transaction() as session:
        return await scoring.save_scores(
            session, user=judge, assignment_id=assignment_id, data=data
        )


async def test_partial_scores_are_kept_but_not_submitted(db: Database, jury: Jury) -> None:
    _round, criteria, mine = await _setup(db, jury)
    assert mine.id is not None

    saved = await _save(db, jury.judges[0], mine.id, ScoresIn(scores={criteria[0]: 4}))

    assert saved.submitted_at is None
    assert await events(db, "ScoreSubmitted") == []


async def test_all_criteria_scored_submits_and_emits(db: Database, jury: Jury) -> None:
    judging_round, criteria, mine = await _setup(db, jury)
    assert mine.id is not None
    await _save(db, jury.judges[0], mine.id, ScoresIn(scores={criteria[0]: 2}))

    saved = await _save(
        db,
        jury.judges[0],
        mine.id,
        ScoresIn(scores={criteria[0]: 4, criteria[1]: 3, criteria[2]: 5}, comment="Solid"),
    )

    async with db.read() as session:
        stored = (
            await session.execute(
                select(Score.criterion_id, Score.value).where(Score.assignment_id == mine.id)
            )
        ).all()
    assert sorted(tuple(row) for row in stored) == sorted(
        [(criteria[0], 4), (criteria[1], 3), (criteria[2], 5)]
    )
    assert saved.submitted_at is not None and saved.comment == "Solid"
    assert await events(db, "ScoreSubmitted") == [
        {
            "assignment_id": mine.id,
            "round_id": judging_round.id,
            "project_id": mine.project_id,
            "judge_id": jury.judges[0].id,
        }
    ]


@pytest.mark.parametrize(("value", "offset"), [(0, 0), (6, 0), (3, 10_000)])
async def test_score_out_of_scale_or_unknown_criterion_is_422(
    db: Database, jury: Jury, value: int, offset: int
) -> None:
    _round, criteria, mine = await _setup(db, jury)
    assert mine.id is not None
    key = criteria[0] + offset

    with pytest.raises(ValidationFailed) as caught:
        await _save(db, jury.judges[0], mine.id, ScoresIn(scores={key: value}))

    assert set(caught.value.errors) == {f"criterion-{key}"}
    async with db.read() as session:
        assert (await session.execute(select(Score))).first() is None


async def test_scores_after_the_round_closed_are_409(db: Database, jury: Jury) -> None:
    _round, criteria, mine = await _setup(db, jury, status=RoundStatus.CLOSED)
    assert mine.id is not None

    with pytest.raises(scoring.ScoringClosed) as caught:
        await _save(db, jury.judges[0], mine.id, ScoresIn(scores={criteria[0]: 3}))

    assert caught.value.status_code == 409


async def test_another_judges_assignment_is_404(db: Database, jury: Jury) -> None:
    _round, criteria, mine = await _setup(db, jury)
    assert mine.id is not None

    with pytest.raises(NotFound):
        await _save(db, jury.judges[1], mine.id, ScoresIn(scores={criteria[0]: 3}))
    with pytest.raises(NotFound):
        async with db.read() as session:
            await scoring.score_sheet(session, user=jury.organiser, assignment_id=mine.id)


async def test_draft_round_assignments_are_hidden_from_judges(db: Database, jury: Jury) -> None:
    _round, _criteria, mine = await _setup(db, jury, status=RoundStatus.DRAFT)
    assert mine.id is not None

    async with db.read() as session:
        groups = await scoring.my_assignments(session, user=jury.judges[0])
        with pytest.raises(NotFound):
            await scoring.score_sheet(session, user=jury.judges[0], assignment_id=mine.id)

    assert groups == []


async def test_my_assignments_group_by_round_with_progress(db: Database, jury: Jury) -> None:
    _round, criteria, mine = await _setup(db, jury)
    assert mine.id is not None
    await _save(db, jury.judges[0], mine.id, ScoresIn(scores=dict.fromkeys(criteria, 3)))

    async with db.read() as session:
        groups = await scoring.my_assignments(session, user=jury.judges[0])

    assert [(len(g.items), g.done) for g in groups] == [(3, 1)]


def test_score_form_reads_radio_buttons_and_rejects_odd_keys() -> None:
    data = scores_from_form({"criterion-7": "4", "criterion-8": "", "comment": " ok "})

    assert (data.scores, data.comment) == ({7: 4}, "ok")
    with pytest.raises(ValidationFailed) as caught:
        scores_from_form({"criterion-x": "4", "criterion-9": "four"})
    assert set(caught.value.errors) == {"criterion-x", "criterion-9"}
