"""Rankings from stored scores, publishing awards, and who sees the results when."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.challenges.models import Challenge, Track
from app.db import Database
from app.errors import Forbidden, NotFound
from app.events.models import AuditEntry
from app.judging import results, scoring, service
from app.judging.models import Aggregation, Assignment, Award, Criterion, Round, RoundStatus
from app.judging.schemas import ScoresIn
from app.teams.models import Project
from tests.factories import Actors, make_round
from tests.judging.conftest import Jury, events

# Every judge gives each project the same value on every criterion, so the weighted score
# equals it: project 0 -> 5, 5, 4 (mean 4.67); project 1 -> 5, 5, 4 (tie); project 2 -> 2, 3, 1.
VALUES = [[5, 5, 4], [5, 5, 4], [2, 3, 1]]


async def scored_round(db: Database, jury: Jury) -> Round:
    """An open round where all three judges scored all three projects (VALUES)."""
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    async with db.read() as session:
        criteria = (
            (
                await session.execute(
                    select(Criterion.id).where(Criterion.rubric_id == judging_round.rubric_id)
                )
            )
            .scalars()
            .all()
        )
        assignments = (await session.execute(select(Assignment))).scalars().all()
    project_index = {p.id: i for i, p in enumerate(jury.projects)}
    judge_index = {j.id: i for i, j in enumerate(jury.judges)}
    for assignment in assignments:
        value = VALUES[project_index[assignment.project_id]][judge_index[assignment.judge_id]]
        judge = jury.judges[judge_index[assignment.judge_id]]
        async with db.transaction() as session:
            await scoring.save_scores(
                session,
                user=judge,
                assignment_id=assignment.id or 0,
                data=ScoresIn(scores={c: value for c in criteria if c is not None}),
            )
    return judging_round


async def close(db: Database, judging_round: Round) -> None:
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.status = RoundStatus.CLOSED


async def put_in_tracks(db: Database, jury: Jury) -> dict[str, int]:
    async with db.transaction() as session:
        tracks = {
            t.name: t.id or 0
            for t in (
                await session.execute(select(Track).where(Track.challenge_id == jury.cid))
            ).scalars()
        }
        for project, track in zip(jury.projects, ("Acqua", "Acqua", "Mobilità"), strict=True):
            stored = await session.get(Project, project.id)
            assert stored is not None
            stored.track_id = tracks[track]
    return tracks


async def _publish(db: Database, jury: Jury) -> list[Award]:
    async with db.transaction() as session:
        return await results.publish_results(
            session, user=jury.organiser, challenge_id=jury.cid, locale="it"
        )


async def test_ranking_page_shows_each_rounds_three_views(db: Database, jury: Jury) -> None:
    await scored_round(db, jury)

    async with db.read() as session:
        page = await results.ranking_page(session, user=jury.organiser, challenge_id=jury.cid)

    [only] = page.rounds
    ranks = [(row.project.title, row.ranking.raw_rank, row.ranking.judges) for row in only.rows]
    assert ranks == [("Project 0", 1, 3), ("Project 1", 1, 3), ("Project 2", 3, 3)]
    assert only.rows[0].ranking.raw_mean == pytest.approx(14 / 3)
    assert (only.rows[2].ranking.low, only.rows[2].ranking.high) == (1.0, 3.0)
    assert page.all_closed is False


async def test_ranking_page_for_judge_is_403(db: Database, jury: Jury) -> None:
    with pytest.raises(Forbidden):
        async with db.read() as session:
            await results.ranking_page(session, user=jury.judges[0], challenge_id=jury.cid)


async def test_publish_before_every_round_is_closed_is_409(db: Database, jury: Jury) -> None:
    await scored_round(db, jury)

    with pytest.raises(results.RoundsStillOpen) as caught:
        await _publish(db, jury)

    assert caught.value.status_code == 409
    async with db.read() as session:
        assert (await session.execute(select(Award))).first() is None


async def test_publish_without_rounds_is_409(db: Database, jury: Jury) -> None:
    with pytest.raises(results.RoundsStillOpen):
        await _publish(db, jury)


async def test_publish_creates_awards_sharing_tied_places(db: Database, jury: Jury) -> None:
    tracks = await put_in_tracks(db, jury)
    await close(db, await scored_round(db, jury))

    await _publish(db, jury)

    async with db.read() as session:
        awards = (await session.execute(select(Award).order_by(Award.id))).scalars().all()
        challenge = await session.get(Challenge, jury.cid)
    p0, p1, p2 = (p.id for p in jury.projects)
    assert sorted((a.name, a.rank, a.project_id, a.track_id) for a in awards) == sorted(
        [
            ("Miglior idea", 1, p0, None),
            ("Miglior idea", 1, p1, None),
            ("Terzo posto", 3, p2, None),
            ("Miglior idea \u2013 Acqua", 1, p0, tracks["Acqua"]),
            ("Miglior idea \u2013 Acqua", 1, p1, tracks["Acqua"]),
            ("Miglior idea \u2013 Mobilità", 1, p2, tracks["Mobilità"]),
        ]
    )
    assert challenge is not None and challenge.results_published_at is not None
    assert len(await events(db, "ResultsPublished")) == 1


async def test_publish_twice_changes_nothing_the_second_time(db: Database, jury: Jury) -> None:
    await close(db, await scored_round(db, jury))
    first = await _publish(db, jury)

    again = await _publish(db, jury)

    assert sorted(a.id or 0 for a in again) == sorted(a.id or 0 for a in first)
    assert len(await events(db, "ResultsPublished")) == 1


async def test_results_are_hidden_before_publication_except_a_preview_for_organisers(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await close(db, await scored_round(db, jury))

    async with db.read() as session:
        with pytest.raises(NotFound):
            await results.results_page(session, user=None, challenge_id=jury.cid, locale="it")
        preview = await results.results_page(
            session, user=jury.organiser, challenge_id=jury.cid, locale="it"
        )
    await _publish(db, jury)
    async with db.read() as session:
        public = await results.results_page(session, user=None, challenge_id=jury.cid, locale="it")

    assert preview.is_preview and len(preview.awards) == 3
    assert not public.is_preview
    assert [row.award.name for row in public.awards] == [
        "Miglior idea",
        "Miglior idea",
        "Terzo posto",
    ]


# Judge 0 is generous, judge 1 strict; they share project 1 only:
#   judge 0: P0 = 5, P1 = 4        judge 1: P1 = 2, P2 = 4
# Raw means: P0 5, P1 3, P2 4 (P0 wins). Judge effect: leniency ±1, so P0 4, P1 3, P2 5.
DISAGREEING = [(0, 0, 5), (0, 1, 4), (1, 1, 2), (1, 2, 4)]


async def _disagreeing_round(db: Database, jury: Jury, method: Aggregation) -> Round:
    judging_round = await make_round(
        db, jury.challenge, judges=[], projects=[], status=RoundStatus.DRAFT
    )
    async with db.transaction() as session:
        await service.choose_aggregation(
            session, user=jury.organiser, round_id=judging_round.id or 0, method=method
        )
        for judge, project, _value in DISAGREEING:
            session.add(
                Assignment(
                    round_id=judging_round.id or 0,
                    judge_id=jury.judges[judge].id or 0,
                    project_id=jury.projects[project].id or 0,
                )
            )
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.status = RoundStatus.OPEN
    async with db.read() as session:
        criteria = list((await session.execute(select(Criterion.id))).scalars())
        sheets = (await session.execute(select(Assignment))).scalars().all()
    for judge, project, value in DISAGREEING:
        sheet = next(
            s
            for s in sheets
            if s.judge_id == jury.judges[judge].id and s.project_id == jury.projects[project].id
        )
        async with db.transaction() as session:
            await scoring.save_scores(
                session,
                user=jury.judges[judge],
                assignment_id=sheet.id or 0,
                data=ScoresIn(scores=dict.fromkeys(criteria, value)),
            )
    await close(db, judging_round)
    return judging_round


@pytest.mark.parametrize(
    ("method", "winner", "score"),
    [
        (Aggregation.RAW_MEAN, 0, 5.0),
        (Aggregation.JUDGE_EFFECT, 2, 5.0),
        # Two scores each are too few for a judge's own z-scores: everyone's are used.
        (Aggregation.Z_SCORE, 0, None),
    ],
)
async def test_awards_follow_the_way_the_round_decides(
    db: Database, actors: Actors, jury: Jury, method: Aggregation, winner: int, score: float | None
) -> None:
    await _disagreeing_round(db, jury, method)

    async with db.transaction() as session:
        await results.publish_results(
            session, user=jury.organiser, challenge_id=jury.cid, locale="it"
        )
    async with await actors.api(jury.organiser) as http:
        ranking = (await http.get(f"/api/v1/challenges/{jury.cid}/ranking")).json()

    async with db.read() as session:
        best = (await session.execute(select(Award).where(Award.rank == 1))).scalars().all()
    assert [a.project_id for a in best if a.track_id is None] == [jury.projects[winner].id]
    if score is not None:
        assert best[0].score == pytest.approx(score)
    assert ranking[0]["aggregation"] == method
    assert ranking[0]["rows"][0]["project_id"] == jury.projects[winner].id


async def test_the_way_to_decide_is_fixed_once_the_round_opens(db: Database, jury: Jury) -> None:
    judging_round = await _disagreeing_round(db, jury, Aggregation.RAW_MEAN)

    async with db.transaction() as session:
        same = await service.choose_aggregation(
            session, user=jury.organiser, round_id=judging_round.id or 0,
            method=Aggregation.RAW_MEAN,
        )  # fmt: skip
    with pytest.raises(service.AggregationFixed):
        async with db.transaction() as session:
            await service.choose_aggregation(
                session, user=jury.organiser, round_id=judging_round.id or 0,
                method=Aggregation.JUDGE_EFFECT,
            )  # fmt: skip
    with pytest.raises(Forbidden):
        async with db.transaction() as session:
            await service.choose_aggregation(
                session, user=jury.judges[0], round_id=judging_round.id or 0,
                method=Aggregation.JUDGE_EFFECT,
            )  # fmt: skip

    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
        audited = (
            (
                await session.execute(
                    select(AuditEntry.data).where(AuditEntry.action == "round.aggregation_chosen")
                )
            )
            .scalars()
            .all()
        )
    assert same.aggregation == Aggregation.RAW_MEAN
    assert stored is not None and stored.aggregation == Aggregation.RAW_MEAN
    assert audited == [{"from": "judge_effect", "to": "raw_mean"}]


async def test_ranking_page_shows_intervals_agreement_and_judges_charts(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await scored_round(db, jury)

    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/challenges/{jury.cid}/ranking")

    assert page.status_code == 200
    assert page.text.count("<svg") == 2
    assert "Accordo tra i giurati (ICC)" in page.text
    assert "W di Kendall" in page.text
    assert "Vincitori decisi con: Effetto giurato" in page.text
