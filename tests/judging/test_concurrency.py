"""Judging's own transitions many times at once: one audit entry, one row, no server error
(on PostgreSQL truly at once; SQLite serialises writers). And scores that must be refused."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from app.db import Database
from app.judging.models import Assignment, Criterion, JudgeConflict, RoundStatus, Score
from app.teams.models import Team
from tests.concurrency.test_transitions import AT_ONCE, _actions, _clients, _count, at_once
from tests.factories import Actors, make_round
from tests.judging.conftest import Jury


async def test_stepping_back_many_times_at_once_is_done_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await make_round(db, jury.challenge, judges=jury.judges[:1], projects=jury.projects[:1])
    async with db.read() as session:
        sheet = (await session.execute(select(Assignment))).scalar_one()
    clients = await _clients(actors, jury.judges[0])
    path = f"/api/v1/assignments/{sheet.id}/recuse"

    statuses = await at_once(lambda n: clients[n].post(path, json={"reason": f"Motivo {n}"}))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "assignment.recused") == 1
    assert await _count(db, JudgeConflict) == 1


async def test_the_same_conflict_declared_many_times_at_once_is_stored_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    async with db.read() as session:
        team = await session.get(Team, jury.projects[0].team_id)
    assert team is not None
    clients = await _clients(actors, jury.judges[0])
    body = {"kind": "team", "target_id": team.id, "reason": "Conosco la squadra"}
    path = f"/api/v1/challenges/{jury.cid}/conflicts"

    statuses = await at_once(lambda n: clients[n].post(path, json=body))

    assert statuses == Counter({201: AT_ONCE})
    assert await _count(db, JudgeConflict) == 1
    assert await _actions(db, "conflict.declared") == 1


async def test_the_way_to_decide_chosen_many_times_at_once_is_audited_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.DRAFT
    )
    clients = await _clients(actors, jury.organiser)
    path = f"/api/v1/rounds/{judging_round.id}/aggregation"

    statuses = await at_once(lambda n: clients[n].put(path, json={"aggregation": "z_score"}))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "round.aggregation_chosen") == 1


@pytest.mark.parametrize(
    "value",
    ["NaN", "Infinity", "-Infinity", 5.5, "4", 6, 0, True, None, [], {"a": 1}, 10**30],
)
async def test_a_score_that_is_not_a_whole_number_on_the_scale_is_refused(
    db: Database, actors: Actors, jury: Jury, value: object
) -> None:
    await make_round(db, jury.challenge, judges=jury.judges[:1], projects=jury.projects[:1])
    async with db.read() as session:
        sheet = (await session.execute(select(Assignment))).scalar_one()
        criteria = list((await session.execute(select(Criterion.id))).scalars())
    async with await actors.api(jury.judges[0]) as http:
        if isinstance(value, str) and value in {"NaN", "Infinity", "-Infinity"}:
            # Python's json writes these bare words; a strict parser refuses them.
            body = '{"scores": {"' + str(criteria[0]) + '": ' + value + "}}"
            answer = await http.put(
                f"/api/v1/assignments/{sheet.id}/scores",
                content=body,
                headers={"content-type": "application/json"},
            )
        else:
            answer = await http.put(
                f"/api/v1/assignments/{sheet.id}/scores", json={"scores": {criteria[0]: value}}
            )

    assert answer.status_code == 422, answer.text
    assert await _count(db, Score) == 0


async def test_a_score_for_a_criterion_of_another_rubric_is_refused(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await make_round(db, jury.challenge, judges=jury.judges[:1], projects=jury.projects[:1])
    async with db.read() as session:
        sheet = (await session.execute(select(Assignment))).scalar_one()
        criteria = list((await session.execute(select(Criterion.id))).scalars())
    async with await actors.api(jury.judges[0]) as http:
        answer = await http.put(
            f"/api/v1/assignments/{sheet.id}/scores",
            json={"scores": {str(max(criteria) + 1000): 3}},
        )

    assert answer.status_code == 422
    assert await _count(db, Score) == 0
