"""Organisers change an allocation by hand and remove judges; nothing a removed judge does
counts any more, and a withdrawn project is out of the competition."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind
from app.db import Database
from app.errors import Forbidden, NotFound
from app.judging import assignments, results, scoring
from app.judging.models import Assignment, Criterion, Round, Score
from app.judging.schemas import ScoresIn
from app.teams.models import Project, ProjectStatus
from tests.factories import Actors, make_round, post_form
from tests.judging.conftest import Jury
from tests.judging.test_results import close, scored_round


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return (await session.execute(query)).scalar_one()


async def _sheet_of(db: Database, judge_id: int | None, project_id: int | None) -> Assignment:
    async with db.read() as session:
        return (
            await session.execute(
                select(Assignment).where(
                    Assignment.judge_id == judge_id, Assignment.project_id == project_id
                )
            )
        ).scalar_one()


async def _ranked_judges(db: Database, jury: Jury) -> list[int]:
    async with db.read() as session:
        (result,) = await results.round_results(session, jury.cid)
    return sorted({row.ranking.judges for row in result.rows})


async def test_a_removed_judge_can_no_longer_score(db: Database, jury: Jury) -> None:
    await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    judge = jury.judges[0]
    scored = await _sheet_of(db, judge.id, jury.projects[0].id)
    unscored = await _sheet_of(db, judge.id, jury.projects[1].id)
    async with db.read() as session:
        criteria = list((await session.execute(select(Criterion.id))).scalars())
    first_marks = ScoresIn(scores=dict.fromkeys(criteria, 3))
    async with db.transaction() as session:
        await scoring.save_scores(
            session, user=judge, assignment_id=scored.id or 0, data=first_marks
        )
        await assignments.remove_judge(
            session, user=jury.organiser, challenge_id=jury.cid, judge_id=judge.id or 0,
            keep_scores=True,
        )  # fmt: skip

    later = ScoresIn(scores=dict.fromkeys(criteria, 5))
    with pytest.raises(Forbidden):  # the kept sheet: seen, not changed
        async with db.transaction() as session:
            await scoring.save_scores(session, user=judge, assignment_id=scored.id or 0, data=later)
    with pytest.raises(NotFound):  # the sheet not yet scored went back to the organisers
        async with db.transaction() as session:
            await scoring.save_scores(
                session, user=judge, assignment_id=unscored.id or 0, data=later
            )
    async with db.read() as session:
        values = set((await session.execute(select(Score.value))).scalars())
    assert values == {3}


async def test_removing_a_judge_keeps_or_discards_their_scores_as_chosen(
    db: Database, jury: Jury
) -> None:
    judging_round = await scored_round(db, jury)
    first, second = jury.judges[0], jury.judges[1]

    async with db.transaction() as session:
        await assignments.remove_judge(
            session, user=jury.organiser, challenge_id=jury.cid, judge_id=first.id or 0,
            keep_scores=True,
        )  # fmt: skip
        await assignments.remove_judge(
            session, user=jury.organiser, challenge_id=jury.cid, judge_id=second.id or 0,
            keep_scores=False,
        )  # fmt: skip

    kept = await _count(db, Assignment, Assignment.judge_id == first.id)
    discarded = await _count(db, Assignment, Assignment.judge_id == second.id)
    assert (kept, discarded) == (3, 0)
    assert judging_round.id is not None
    assert await _ranked_judges(db, jury) == [2]  # the third judge and the kept one


async def test_a_judge_is_not_removed_from_the_people_page(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await scored_round(db, jury)
    async with await actors.client(jury.organiser) as http:
        page = f"/challenges/{jury.cid}/people"
        people = await http.get(page)
        async with db.read() as session:
            role_id = (
                await session.execute(
                    select(Role.id).where(
                        Role.user_id == jury.judges[0].id, Role.kind == RoleKind.JUDGE
                    )
                )
            ).scalar_one()
        refused = await post_form(http, f"{page}/{role_id}/remove", form_page=page)

    assert f'href="/challenges/{jury.cid}/judges/{jury.judges[0].id}/remove"' in people.text
    assert refused.status_code == 409
    assert await _count(db, Assignment, Assignment.judge_id == jury.judges[0].id) == 3


async def test_removal_page_asks_what_to_do_with_the_scores(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await scored_round(db, jury)
    judge = jury.judges[0]
    page = f"/challenges/{jury.cid}/judges/{judge.id}/remove"
    async with await actors.client(jury.organiser) as http:
        shown = await http.get(page)
        unanswered = await post_form(http, page, {}, form_page=page)
        removed = await post_form(http, page, {"scores": "discard"}, form_page=page)

    assert shown.status_code == 200 and 'name="scores" value="keep"' in shown.text
    assert unanswered.status_code == 422
    assert removed.status_code == 303
    assert await _count(db, Assignment, Assignment.judge_id == judge.id) == 0


async def test_an_assignment_is_given_to_another_judge_and_its_scores_discarded(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await make_round(db, jury.challenge, judges=jury.judges[:2], projects=jury.projects)
    third = jury.judges[2]
    sheet = await _sheet_of(db, jury.judges[0].id, jury.projects[0].id)
    async with db.read() as session:
        criteria = list((await session.execute(select(Criterion.id))).scalars())
    async with db.transaction() as session:
        await scoring.save_scores(
            session,
            user=jury.judges[0],
            assignment_id=sheet.id or 0,
            data=ScoresIn(scores=dict.fromkeys(criteria, 4)),
        )
    page = f"/rounds/{sheet.round_id}/assignments"
    async with await actors.client(jury.organiser) as http:
        shown = await http.get(page)
        twice = await post_form(
            http, f"/assignments/{sheet.id}/reassign", {"judge_id": str(jury.judges[1].id)},
            form_page=page,
        )  # fmt: skip
        moved = await post_form(
            http, f"/assignments/{sheet.id}/reassign", {"judge_id": str(third.id)}, form_page=page
        )

    assert shown.status_code == 200
    assert twice.status_code == 409  # the second judge scores that project here already
    assert (moved.status_code, moved.headers["location"]) == (303, page)
    moved_sheet = await _sheet_of(db, third.id, jury.projects[0].id)
    assert moved_sheet.id == sheet.id and moved_sheet.submitted_at is None
    assert await _count(db, Score, Score.assignment_id == sheet.id) == 0


async def test_an_assignment_of_a_closed_round_does_not_change(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await scored_round(db, jury)
    await close(db, judging_round)
    sheet = await _sheet_of(db, jury.judges[0].id, jury.projects[0].id)
    async with await actors.api(jury.organiser) as http:
        removed = await http.delete(f"/api/v1/assignments/{sheet.id}")
        listed = await http.get(f"/api/v1/rounds/{judging_round.id}/assignments")

    assert removed.status_code == 409
    assert len(listed.json()) == 9
    assert await _count(db, Assignment) == 9


async def test_a_withdrawn_project_is_not_scored_nor_ranked(db: Database, jury: Jury) -> None:
    judging_round = await scored_round(db, jury)
    withdrawn = jury.projects[2]
    async with db.transaction() as session:
        stored = await session.get(Project, withdrawn.id)
        assert stored is not None
        stored.status = ProjectStatus.WITHDRAWN
    sheet = await _sheet_of(db, jury.judges[0].id, withdrawn.id)

    with pytest.raises(scoring.ProjectNotInCompetition):
        async with db.transaction() as session:
            await scoring.save_scores(
                session, user=jury.judges[0], assignment_id=sheet.id or 0, data=ScoresIn()
            )
    async with db.read() as session:
        (result,) = await results.round_results(session, jury.cid)
        stored_round = await session.get(Round, judging_round.id)

    assert stored_round is not None
    assert {row.project.id for row in result.rows} == {p.id for p in jury.projects[:2]}
