"""Feedback for teams: the judges' comments, anonymised, after the results are published."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import Database
from app.errors import NotFound
from app.judging import feedback, results
from app.judging.models import Assignment, Round
from tests.factories import Actors
from tests.judging.conftest import Jury
from tests.judging.test_results import close, scored_round


async def _commented_round(db: Database, jury: Jury, *, shared: bool) -> Round:
    """A closed round with a comment from every judge on every project, results published."""
    judging_round = await scored_round(db, jury)
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.team_feedback = shared
        sheets = (await session.execute(select(Assignment).order_by(Assignment.id))).scalars()
        for sheet in sheets:
            sheet.comment = f"Commento {sheet.judge_id} su {sheet.project_id}"
    await close(db, judging_round)
    return judging_round


async def _publish(db: Database, jury: Jury) -> None:
    async with db.transaction() as session:
        await results.publish_results(
            session, user=jury.organiser, challenge_id=jury.cid, locale="it"
        )


async def test_the_coach_reads_the_comments_anonymised_after_publication(
    db: Database, jury: Jury
) -> None:
    await _commented_round(db, jury, shared=True)
    await _publish(db, jury)
    project = jury.projects[0]

    async with db.read() as session:
        found = await feedback.project_feedback(
            session, user=jury.coaches[0], project_id=project.id or 0
        )

    [only] = found.rounds
    judges = [j.id for j in jury.judges]
    assert only.comments == [
        (f"Giurato {n}", f"Commento {judge} su {project.id}")
        for n, judge in enumerate(judges, start=1)
    ]


async def test_nothing_is_shown_before_publication(db: Database, jury: Jury) -> None:
    await _commented_round(db, jury, shared=True)

    async with db.read() as session:
        found = await feedback.project_feedback(
            session, user=jury.coaches[0], project_id=jury.projects[0].id or 0
        )

    assert (found.published, found.rounds) == (False, [])


async def test_nothing_is_shown_when_the_organisers_did_not_allow_it(
    db: Database, jury: Jury
) -> None:
    await _commented_round(db, jury, shared=False)
    await _publish(db, jury)

    async with db.read() as session:
        found = await feedback.project_feedback(
            session, user=jury.coaches[0], project_id=jury.projects[0].id or 0
        )

    assert found.rounds == []


async def test_another_teams_coach_never_reads_the_comments(db: Database, jury: Jury) -> None:
    await _commented_round(db, jury, shared=True)
    await _publish(db, jury)

    with pytest.raises(NotFound):
        async with db.read() as session:
            await feedback.project_feedback(
                session, user=jury.coaches[1], project_id=jury.projects[0].id or 0
            )


async def test_feedback_page_and_api_for_the_team_and_not_for_others(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await _commented_round(db, jury, shared=True)
    await _publish(db, jury)
    project_id = jury.projects[0].id

    async with await actors.client(jury.coaches[0]) as http:
        page = await http.get(f"/projects/{project_id}/feedback?lang=it")
        project_page = await http.get(f"/projects/{project_id}?lang=it")
    async with await actors.api(jury.coaches[0]) as http:
        answer = await http.get(f"/api/v1/projects/{project_id}/feedback")
    async with await actors.client(jury.coaches[1]) as http:
        stranger = await http.get(f"/projects/{project_id}/feedback")
    async with await actors.client(jury.judges[0]) as http:
        judge = await http.get(f"/projects/{project_id}/feedback")

    assert page.status_code == 200
    assert f"Commento {jury.judges[1].id} su {project_id}" in page.text
    assert "Giurato 2" in page.text and jury.judges[1].name not in page.text
    assert "I commenti dei giurati sul vostro progetto" in project_page.text
    assert answer.status_code == 200
    assert [list(r["comments"]) for r in answer.json()] == [["Giurato 1", "Giurato 2", "Giurato 3"]]
    assert (stranger.status_code, judge.status_code) == (404, 404)
