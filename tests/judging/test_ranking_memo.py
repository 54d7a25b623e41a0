"""The organisers' ranking is made again after every kind of change to a round's scores,
and only then (app.judging.ranking.RankingMemo, keyed by each sheet's weighted total as
the database sums it): on both databases."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from app.db import Database
from app.judging import assignments, conflicts, queries, ranking, results, scoring
from app.judging.models import Aggregation, Assignment, Criterion, Round, Score
from app.judging.schemas import ScoresIn
from app.teams.models import Project, ProjectStatus
from tests.judging.conftest import Jury
from tests.judging.test_results import scored_round
from tests.queries import sql_statements


async def _view(db: Database, jury: Jury) -> results.RoundResult:
    async with db.read() as session:
        page = await results.ranking_page(session, user=jury.organiser, challenge_id=jury.cid)
    [only] = page.rounds
    return only


def _means(result: results.RoundResult) -> dict[str, tuple[float, int]]:
    return {
        row.project.title: (round(row.ranking.raw_mean, 6), row.ranking.judges)
        for row in result.rows
    }


async def _sheet(db: Database, jury: Jury, judge: int, project: int) -> Assignment:
    async with db.read() as session:
        found = await session.scalar(
            select(Assignment).where(
                Assignment.judge_id == jury.judges[judge].id,
                Assignment.project_id == jury.projects[project].id,
            )
        )
    assert found is not None
    return found


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    ranking.memo.clear()


async def test_a_second_view_reuses_the_ranking_with_the_same_statements(
    db: Database, jury: Jury
) -> None:
    await scored_round(db, jury)
    first = await _view(db, jury)
    made = ranking.memo.computed
    with sql_statements(db) as counted:
        second = await _view(db, jury)

    assert ranking.memo.computed == made  # no bootstrap the second time
    assert [r.ranking for r in second.rows] == [r.ranking for r in first.rows]
    ranking.memo.clear()
    with sql_statements(db) as afresh:
        await _view(db, jury)
    assert len(counted) == len(afresh)  # the same reads, from the memo or not


async def test_a_changed_sheet_makes_the_ranking_again(db: Database, jury: Jury) -> None:
    judging_round = await scored_round(db, jury)
    before = _means(await _view(db, jury))
    made = ranking.memo.computed
    sheet = await _sheet(db, jury, judge=0, project=2)
    async with db.read() as session:
        criteria = list(
            await session.scalars(
                select(Criterion.id).where(Criterion.rubric_id == judging_round.rubric_id)
            )
        )
    async with db.transaction() as session:
        await scoring.save_scores(
            session,
            user=jury.judges[0],
            assignment_id=sheet.id or 0,
            data=ScoresIn(scores={c: 5 for c in criteria}),
        )

    after = _means(await _view(db, jury))
    assert ranking.memo.computed == made + 1
    assert before["Project 2"] == (2.0, 3)
    assert after["Project 2"] == (3.0, 3)  # judge 0 gave 5 instead of 2: (5 + 3 + 1) / 3


async def test_a_removed_judges_sheets_leave_the_ranking(db: Database, jury: Jury) -> None:
    await scored_round(db, jury)
    await _view(db, jury)
    made = ranking.memo.computed
    async with db.transaction() as session:
        await assignments.remove_judge(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            judge_id=jury.judges[2].id or 0,
            keep_scores=False,
        )

    after = _means(await _view(db, jury))
    assert ranking.memo.computed == made + 1
    assert after["Project 2"] == (2.5, 2)  # judge 2's 1 is gone: (2 + 3) / 2


async def test_a_recusal_takes_the_sheet_out_of_the_ranking(db: Database, jury: Jury) -> None:
    await scored_round(db, jury)
    await _view(db, jury)
    made = ranking.memo.computed
    sheet = await _sheet(db, jury, judge=1, project=2)
    async with db.transaction() as session:
        await conflicts.recuse(
            session, user=jury.judges[1], assignment_id=sheet.id or 0, reason="My cousin"
        )

    after = _means(await _view(db, jury))
    assert ranking.memo.computed == made + 1
    assert after["Project 2"] == (1.5, 2)  # judge 1's 3 is gone: (2 + 1) / 2


async def test_a_changed_method_ranks_by_it(db: Database, jury: Jury) -> None:
    judging_round = await scored_round(db, jury)
    before = await _view(db, jury)
    made = ranking.memo.computed
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        method = (
            Aggregation.RAW_MEAN
            if stored.aggregation != Aggregation.RAW_MEAN
            else Aggregation.Z_SCORE
        )
        stored.aggregation = method

    after = await _view(db, jury)
    assert ranking.memo.computed == made + 1
    assert after.method == method != before.method
    expected = {
        Aggregation.RAW_MEAN: lambda r: r.raw_mean,
        Aggregation.Z_SCORE: lambda r: r.z_mean,
    }[method]
    assert [row.ranking.score for row in after.rows] == [
        expected(row.ranking) for row in after.rows
    ]


async def test_a_withdrawn_project_leaves_the_ranking(db: Database, jury: Jury) -> None:
    await scored_round(db, jury)
    await _view(db, jury)
    made = ranking.memo.computed
    async with db.transaction() as session:
        await session.execute(
            update(Project)
            .where(col(Project.id) == jury.projects[2].id)
            .values(status=ProjectStatus.WITHDRAWN)
        )

    after = _means(await _view(db, jury))
    assert ranking.memo.computed == made + 1
    assert list(after) == ["Project 0", "Project 1"]


async def test_the_database_sums_each_sheet_as_weighted_score_does(
    db: Database, jury: Jury
) -> None:
    """The key is each sheet's total summed by the database: the same number Python made
    from the scores one by one (here with a different value on every criterion)."""
    judging_round = await scored_round(db, jury)
    async with db.transaction() as session:
        scores = list(await session.scalars(select(Score).order_by(col(Score.id))))
        for n, score in enumerate(scores):
            score.value = 1 + n % 5
    async with db.read() as session:
        criteria = list(
            await session.scalars(
                select(Criterion).where(Criterion.rubric_id == judging_round.rubric_id)
            )
        )
        sheets = await queries.ranking_sheets(
            session,
            [judging_round.id or 0],
            counted=[c.id or 0 for c in criteria],
            independent=[],
        )
        rows = (
            await session.execute(
                select(
                    Assignment.judge_id, Assignment.project_id, Score.criterion_id, Score.value
                ).join(Score, col(Score.assignment_id) == col(Assignment.id))
            )
        ).all()
    by_sheet: dict[tuple[int, int], dict[int, int]] = {}
    for judge_id, project_id, criterion_id, value in rows:
        by_sheet.setdefault((judge_id, project_id), {})[criterion_id] = value
    weights = {c.id or 0: c.weight for c in criteria}

    assert len(sheets.totals) == len(by_sheet) == 9
    for _round, judge_id, project_id, total in sheets.totals:
        by_criterion = by_sheet[(judge_id, project_id)]
        assert total / 100 == ranking.weighted_score(
            {c: weights[c] for c in by_criterion}, by_criterion
        )
    assert len({total for *_ids, total in sheets.totals}) > 1


async def test_a_second_view_reuses_the_judges_figures(db: Database, jury: Jury) -> None:
    await scored_round(db, jury)
    first = await _view(db, jury)

    second = await _view(db, jury)

    # Made once with the ranking they come from (same scores, same key), not at each view.
    assert second.agreement is first.agreement
    assert second.distributions is first.distributions
    ranking.memo.clear()
    afresh = await _view(db, jury)
    assert afresh.agreement == first.agreement and afresh.agreement is not first.agreement


async def test_views_asking_at_once_for_a_ranking_not_made_yet_make_it_once() -> None:
    """A big round's first views (eight browsers as the results are awaited) wait for the one
    ranking being made in its thread instead of each making it, all slower."""
    memo = ranking.RankingMemo()
    scores = [
        ranking.JudgeScore(project, judge, float((project * 7 + judge * 3) % 10))
        for project in range(1, 41)
        for judge in range(1, 5)
    ]

    made = await asyncio.gather(*(memo.rank(scores, seed=1) for _ in range(8)))

    assert memo.computed == 1
    assert all(one is made[0] for one in made)
    assert memo.making == {}
    assert await memo.rank(scores, seed=1) is made[0]
    assert memo.computed == 1
