"""Conflicts of interest judges declare (their institution, a team they know), stepping back
from an assignment, and what organisers see of the allocation afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.db import Database
from app.errors import Forbidden, NotFound, ValidationFailed
from app.events.models import AuditEntry
from app.judging import assignments, conflicts, scoring, service
from app.judging.models import Assignment, ConflictKind, Criterion, JudgeConflict, Score
from app.judging.schemas import ConflictDeclare, ConflictWithdraw, ScoresIn
from app.teams.models import Team
from tests.factories import Actors, make_round, post_form
from tests.judging.conftest import Jury, draft_round, events
from tests.judging.test_results import close


async def _team_of(db: Database, jury: Jury, n: int) -> Team:
    async with db.read() as session:
        team = await session.get(Team, jury.projects[n].team_id)
    assert team is not None
    return team


async def _declare(
    db: Database, jury: Jury, judge: User, kind: ConflictKind, target: int, reason: str = ""
) -> JudgeConflict:
    async with db.transaction() as session:
        return await conflicts.declare_conflict(
            session,
            user=judge,
            challenge_id=jury.cid,
            data=ConflictDeclare(kind=kind, target_id=target, reason=reason),
        )


async def _panels(db: Database) -> dict[int, set[int]]:
    async with db.read() as session:
        rows = (await session.execute(select(Assignment))).scalars().all()
    panels: dict[int, set[int]] = {}
    for row in rows:
        panels.setdefault(row.project_id, set()).add(row.judge_id)
    return panels


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_judge_is_never_given_a_team_of_their_declared_institution(
    db: Database, jury: Jury
) -> None:
    team = await _team_of(db, jury, 0)
    assert team.institution_id is not None
    judge = jury.judges[0]
    await _declare(db, jury, judge, ConflictKind.INSTITUTION, team.institution_id)
    _rubric, judging_round = await draft_round(db, jury, k=2)

    async with db.transaction() as session:
        await service.assign_judges(session, user=jury.organiser, round_id=judging_round.id or 0)

    panels = await _panels(db)
    assert judge.id not in panels[jury.projects[0].id or 0]
    assert all(len(panel) == 2 for panel in panels.values())


async def test_a_declared_team_conflict_refuses_a_hand_change_and_the_scores(
    db: Database, jury: Jury
) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges[:2], projects=jury.projects
    )
    team = await _team_of(db, jury, 0)
    judge = jury.judges[0]
    await _declare(db, jury, judge, ConflictKind.TEAM, team.id or 0, "My nephew is in it")
    async with db.read() as session:
        criteria = list((await session.execute(select(Criterion.id))).scalars())
        sheets = (await session.execute(select(Assignment))).scalars().all()
    own = next(a for a in sheets if a.judge_id == judge.id and a.project_id == jury.projects[0].id)
    other = next(
        a for a in sheets if a.judge_id != judge.id and a.project_id == jury.projects[0].id
    )

    with pytest.raises(scoring.ScoringInConflict):
        async with db.transaction() as session:
            await scoring.save_scores(
                session,
                user=judge,
                assignment_id=own.id or 0,
                data=ScoresIn(scores=dict.fromkeys(criteria, 4)),
            )
    with pytest.raises(assignments.JudgeInConflict):
        async with db.transaction() as session:
            await assignments.reassign(
                session, user=jury.organiser, assignment_id=other.id or 0, judge_id=judge.id or 0
            )
    assert await _count(db, Score) == 0
    assert judging_round.id is not None


async def test_declaring_twice_keeps_one_and_withdrawing_removes_it(
    db: Database, jury: Jury
) -> None:
    team = await _team_of(db, jury, 1)
    judge = jury.judges[1]
    first = await _declare(db, jury, judge, ConflictKind.TEAM, team.id or 0, "first")
    again = await _declare(db, jury, judge, ConflictKind.TEAM, team.id or 0, "second")

    assert (again.id, again.reason) == (first.id, "first")
    async with db.transaction() as session:
        await conflicts.withdraw_conflict(
            session,
            user=judge,
            challenge_id=jury.cid,
            data=ConflictWithdraw(kind=ConflictKind.TEAM, target_id=team.id or 0),
        )
    assert await _count(db, JudgeConflict) == 0


async def test_only_judges_declare_and_only_what_the_challenge_has(
    db: Database, actors: Actors, jury: Jury
) -> None:
    team = await _team_of(db, jury, 0)
    with pytest.raises(Forbidden):
        await _declare(db, jury, jury.coaches[0], ConflictKind.TEAM, team.id or 0)
    with pytest.raises(ValidationFailed):
        await _declare(db, jury, jury.judges[0], ConflictKind.TEAM, 999_999)

    page = f"/challenges/{jury.cid}/judging/conflicts"
    async with await actors.client(jury.judges[0]) as http:
        shown = await http.get(page)
        wrong = await post_form(http, page, {"target": "team-abc"}, form_page=page)
        made = await post_form(
            http, page, {"target": f"institution-{team.institution_id}"}, form_page=page
        )
        listed = await http.get(page)
    assert shown.status_code == 200
    assert wrong.status_code == 422
    assert (made.status_code, made.headers["location"]) == (303, page)
    assert "ITIS Fermi" in listed.text
    assert await _count(db, JudgeConflict) == 1


async def test_stepping_back_discards_scores_and_sends_the_project_back(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges[:2], projects=jury.projects
    )
    judge = jury.judges[0]
    async with db.read() as session:
        criteria = list((await session.execute(select(Criterion.id))).scalars())
        own = (
            await session.execute(
                select(Assignment).where(
                    Assignment.judge_id == judge.id, Assignment.project_id == jury.projects[0].id
                )
            )
        ).scalar_one()
    async with db.transaction() as session:
        await scoring.save_scores(
            session,
            user=judge,
            assignment_id=own.id or 0,
            data=ScoresIn(scores=dict.fromkeys(criteria, 4)),
        )
    sheet = f"/judging/assignments/{own.id}"
    async with await actors.client(judge) as http:
        unexplained = await post_form(http, f"{sheet}/recuse", {"reason": " "}, form_page=sheet)
        stepped = await post_form(
            http, f"{sheet}/recuse", {"reason": "I taught this class"}, form_page=sheet
        )
        twice = await post_form(http, f"{sheet}/recuse", {"reason": "again"}, form_page=sheet)
    async with await actors.api(jury.organiser) as http:
        design = (await http.get(f"/api/v1/rounds/{judging_round.id}/design")).json()
    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/rounds/{judging_round.id}/assignments")

    assert unexplained.status_code == 422
    assert stepped.status_code == 303 and twice.status_code == 303
    async with db.read() as session:
        stored = await session.get(Assignment, own.id)
        audits = (
            await session.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "assignment.recused")
            )
        ).scalar_one()
    assert stored is not None and stored.recused_at is not None and stored.submitted_at is None
    assert stored.recusal_reason == "I taught this class"
    assert await _count(db, Score) == 0
    assert audits == 1
    assert len(await events(db, "JudgeRecused")) == 1
    assert design["short"] == [jury.projects[0].id]
    assert "I taught this class" in page.text
    with pytest.raises(scoring.AssignmentRecused):
        async with db.transaction() as session:
            await scoring.save_scores(
                session, user=judge, assignment_id=own.id or 0, data=ScoresIn()
            )
    # The team is a conflict now: the project cannot come back to the same judge.
    async with db.read() as session:
        conflicted = await conflicts.project_conflicts(
            session, challenge_id=jury.cid, project_ids=[jury.projects[0].id or 0]
        )
    assert judge.id in conflicted[jury.projects[0].id or 0]


async def test_stepping_back_is_only_for_ones_own_sheet_in_an_open_round(
    db: Database, jury: Jury
) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges[:1], projects=jury.projects[:1]
    )
    async with db.read() as session:
        own = (await session.execute(select(Assignment))).scalar_one()

    with pytest.raises(NotFound):
        async with db.transaction() as session:
            await conflicts.recuse(
                session, user=jury.judges[1], assignment_id=own.id or 0, reason="not mine"
            )
    await close(db, judging_round)
    with pytest.raises(conflicts.RecusalClosed):
        async with db.transaction() as session:
            await conflicts.recuse(
                session, user=jury.judges[0], assignment_id=own.id or 0, reason="too late"
            )
    async with db.read() as session:
        stored = await session.get(Assignment, own.id)
    assert stored is not None and stored.recused_at is None


async def test_hand_changes_that_split_the_judges_are_flagged(
    db: Database, actors: Actors, jury: Jury
) -> None:
    # Judges 0 and 1 share project 0; judge 2 alone on project 1 and 2: two groups.
    judging_round = await make_round(db, jury.challenge, judges=[], projects=[])
    async with db.transaction() as session:
        for judge, project in (
            (0, 0), (1, 0), (0, 1), (2, 1), (2, 2), (1, 2),
        ):  # fmt: skip
            session.add(
                Assignment(
                    round_id=judging_round.id or 0,
                    judge_id=jury.judges[judge].id or 0,
                    project_id=jury.projects[project].id or 0,
                )
            )
    async with db.read() as session:
        linked = await assignments.round_allocation(
            session, user=jury.organiser, round_id=judging_round.id or 0
        )
        sheet = (
            await session.execute(
                select(Assignment).where(
                    Assignment.judge_id == jury.judges[0].id,
                    Assignment.project_id == jury.projects[1].id,
                )
            )
        ).scalar_one()
    async with db.transaction() as session:
        await assignments.remove_assignment(
            session, user=jury.organiser, assignment_id=sheet.id or 0
        )
        await assignments.remove_assignment(
            session,
            user=jury.organiser,
            assignment_id=(
                await session.execute(
                    select(Assignment.id).where(
                        Assignment.judge_id == jury.judges[1].id,
                        Assignment.project_id == jury.projects[2].id,
                    )
                )
            ).scalar_one(),
        )
    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/rounds/{judging_round.id}/assignments")

    assert linked.design.connected and linked.short == []
    assert "2 gruppi che non condividono mai un progetto" in page.text
    assert "2 progetti hanno meno di 2 giurati" in page.text
