"""Feedback for teams: the judges' comments, anonymised, after the results are published."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.db import Database
from app.errors import NotFound
from app.judging import feedback, results
from app.judging.models import (
    Aggregation,
    Assignment,
    PairwiseVote,
    PublishedPlace,
    Round,
    RoundKind,
    RoundStatus,
)
from tests.factories import Actors, make_round
from tests.judging.conftest import Jury
from tests.judging.test_results import _disagreeing_round, close, scored_round


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
    assert "Il vostro risultato e i commenti dei giurati" in project_page.text
    assert answer.status_code == 200
    assert [list(r["comments"]) for r in answer.json()] == [["Giurato 1", "Giurato 2", "Giurato 3"]]
    assert [r["place"]["count"] for r in answer.json()] == [len(jury.projects)]
    assert (stranger.status_code, judge.status_code) == (404, 404)


# The judge-effect round of tests.judging.test_results: judge 0 generous, judge 1 strict.
# Judge effect: P2 5, P0 4, P1 3 (the raw mean would crown P0).
async def _decided_round(db: Database, jury: Jury) -> Round:
    judging_round = await _disagreeing_round(db, jury, Aggregation.JUDGE_EFFECT)
    await _publish(db, jury)
    return judging_round


async def test_a_losing_team_reads_its_place_and_who_won(db: Database, jury: Jury) -> None:
    judging_round = await _decided_round(db, jury)

    async with db.read() as session:
        found = await feedback.project_feedback(
            session, user=jury.coaches[1], project_id=jury.projects[1].id or 0
        )

    [place] = found.places
    assert place.round.id == judging_round.id
    assert (place.rank, place.count, place.method) == (3, 3, "judge_effect")
    assert place.winner_title == jury.projects[2].title
    assert place.score == pytest.approx(3.0)
    assert place.interval[0] <= place.score <= place.interval[1]


async def test_the_api_gives_a_losing_team_its_place_and_how_the_round_decided(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await _decided_round(db, jury)
    project_id = jury.projects[1].id

    async with await actors.api(jury.coaches[1]) as http:
        answer = await http.get(f"/api/v1/projects/{project_id}/feedback")

    assert answer.status_code == 200
    [item] = answer.json()
    assert (item["project_id"], item["round_id"]) == (project_id, judging_round.id)
    place = item["place"]
    assert (place["rank"], place["count"], place["method"]) == (3, 3, "judge_effect")
    assert place["winner_title"] == jury.projects[2].title
    assert place["score"] == pytest.approx(3.0)
    assert place["interval_low"] <= place["score"] <= place["interval_high"]
    async with db.read() as session:
        [seen] = (
            await feedback.project_feedback(session, user=jury.coaches[1], project_id=project_id)
        ).places
    assert place["tied"] == (seen.tied_above or seen.tied_below)
    # The round did not share its comments: the place alone.
    assert item["comments"] == {}


async def test_the_api_gives_nothing_before_publication_and_nothing_to_others(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await _disagreeing_round(db, jury, Aggregation.JUDGE_EFFECT)
    path = f"/api/v1/projects/{jury.projects[1].id}/feedback"

    async with await actors.api(jury.coaches[1]) as http:
        early = await http.get(path)
    await _publish(db, jury)
    async with await actors.api(jury.coaches[1]) as http:
        published = await http.get(path)
    async with await actors.api(jury.coaches[0]) as http:
        stranger = await http.get(path)
    async with await actors.api(jury.judges[0]) as http:
        judge = await http.get(path)

    assert (early.status_code, early.json()) == (200, [])
    assert published.status_code == 200 and published.json()[0]["place"]["rank"] == 3
    assert (stranger.status_code, judge.status_code) == (404, 404)


async def test_the_api_marks_a_statistical_tie(db: Database, actors: Actors, jury: Jury) -> None:
    """The raw mean of the disagreeing round cannot separate its projects: tied."""
    await _disagreeing_round(db, jury, Aggregation.RAW_MEAN)
    await _publish(db, jury)

    async with db.read() as session:
        found = await feedback.project_feedback(
            session, user=jury.coaches[1], project_id=jury.projects[1].id or 0
        )
    async with await actors.api(jury.coaches[1]) as http:
        answer = await http.get(f"/api/v1/projects/{jury.projects[1].id}/feedback")

    [seen] = found.places
    assert seen.tied_above or seen.tied_below
    [item] = answer.json()
    assert (item["place"]["tied"], item["place"]["method"]) == (True, "raw_mean")


async def test_no_place_is_shown_before_publication(db: Database, jury: Jury) -> None:
    await _disagreeing_round(db, jury, Aggregation.JUDGE_EFFECT)

    async with db.read() as session:
        found = await feedback.project_feedback(
            session, user=jury.coaches[1], project_id=jury.projects[1].id or 0
        )

    assert (found.published, found.places) == (False, [])


@pytest.mark.parametrize(
    ("lang", "place", "method", "ties"),
    [
        (
            "it",
            "Posizione 3 su 3",
            "ha misurato quanto era generoso ciascun giurato",
            "sono statisticamente alla pari",
        ),
        (
            "en",
            "Place 3 of 3",
            "measured how generous each judge was",
            "they are statistically tied",
        ),
    ],
)
async def test_the_team_page_explains_the_method_and_ties_in_plain_words(
    db: Database, actors: Actors, jury: Jury, lang: str, place: str, method: str, ties: str
) -> None:
    await _decided_round(db, jury)
    project_id = jury.projects[1].id

    async with await actors.client(jury.coaches[1]) as http:
        page = await http.get(f"/projects/{project_id}/feedback?lang={lang}")

    assert page.status_code == 200
    assert place in page.text and jury.projects[2].title in page.text
    assert method in page.text.replace("&#39;", "'")
    assert ties in page.text


@pytest.mark.parametrize(
    ("lang", "heading", "method"),
    [
        ("it", "Come sono stati decisi i vincitori", "ha misurato quanto era generoso"),
        ("en", "How the winners were decided", "measured how generous each judge was"),
    ],
)
async def test_the_public_results_say_how_the_winners_were_decided(
    db: Database, actors: Actors, jury: Jury, lang: str, heading: str, method: str
) -> None:
    judging_round = await _decided_round(db, jury)

    async with actors.anonymous() as http:
        page = await http.get(f"/challenges/{jury.cid}/results?lang={lang}")

    assert page.status_code == 200
    assert heading in page.text and judging_round.name in page.text
    assert method in page.text.replace("&#39;", "'")


async def test_a_pairwise_final_is_explained_as_comparisons(
    db: Database, actors: Actors, jury: Jury
) -> None:
    """The newest round with a ranking decides; a pairwise one by its Bradley-Terry fit."""
    await _disagreeing_round(db, jury, Aggregation.JUDGE_EFFECT)
    final = await make_round(db, jury.challenge, judges=[], projects=[], status=RoundStatus.CLOSED)
    async with db.transaction() as session:
        stored = await session.get(Round, final.id)
        assert stored is not None
        stored.kind, stored.rubric_id = RoundKind.PAIRWISE, None
        first, second, third = (p.id or 0 for p in jury.projects)
        judge = jury.judges[0].id or 0
        for winner, loser in ((third, first), (first, second), (third, second)):
            session.add(
                PairwiseVote(
                    round_id=final.id or 0, judge_id=judge, winner_id=winner, loser_id=loser
                )
            )
    await _publish(db, jury)

    async with db.read() as session:
        page = await results.results_page(session, user=None, challenge_id=jury.cid, locale="en")
    async with actors.anonymous() as http:
        answer = await http.get(f"/challenges/{jury.cid}/results?lang=en")

    assert page.decision is not None and page.decision.round.id == final.id
    assert page.decision.method == "bradley_terry"
    assert "said, two projects at a time, which one was better" in answer.text


async def test_publishing_fixes_every_place_and_how_the_winners_were_decided(
    db: Database, jury: Jury
) -> None:
    """The published pages tell the places stored with the awards: the preview's ranking."""
    judging_round = await _disagreeing_round(db, jury, Aggregation.JUDGE_EFFECT)
    async with db.read() as session:
        preview = await results.results_page(
            session, user=jury.organiser, challenge_id=jury.cid, locale="it"
        )
        [ranked] = await results.round_results(session, jury.cid)
    await _publish(db, jury)

    async with db.read() as session:
        stored = (await session.execute(select(PublishedPlace))).scalars().all()
        page = await results.results_page(session, user=None, challenge_id=jury.cid, locale="it")

    assert sorted((p.round_id, p.project_id, p.rank) for p in stored) == sorted(
        (judging_round.id, row.project.id, row.ranking.rank) for row in ranked.rows
    )
    assert preview.decision is not None and page.decision is not None
    assert (page.decision.round.id, page.decision.projects, page.decision.ties) == (
        preview.decision.round.id,
        preview.decision.projects,
        preview.decision.ties,
    )


async def test_results_published_before_places_were_stored_rank_the_rounds_again(
    db: Database, jury: Jury
) -> None:
    await _decided_round(db, jury)
    coach, project_id = jury.coaches[1], jury.projects[1].id or 0
    async with db.read() as session:
        fixed = await results.results_page(session, user=None, challenge_id=jury.cid, locale="it")
        fixed_places = await feedback.project_feedback(session, user=coach, project_id=project_id)
    async with db.transaction() as session:
        await session.execute(delete(PublishedPlace))

    async with db.read() as session:
        ranked = await results.results_page(session, user=None, challenge_id=jury.cid, locale="it")
        ranked_places = await feedback.project_feedback(session, user=coach, project_id=project_id)

    assert fixed.decision is not None
    assert ranked.decision == fixed.decision
    assert fixed_places.places != []
    assert ranked_places.places == fixed_places.places
