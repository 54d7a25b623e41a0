"""The judging JSON API, from rubric to published results."""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database
from app.judging.models import Assignment, Award, Criterion, Round, RoundStatus
from tests.factories import Actors, make_round, unpublish
from tests.judging.conftest import Jury
from tests.judging.test_results import close, scored_round

RUBRIC = {
    "name": "Climathon",
    "scale_min": 1,
    "scale_max": 5,
    "criteria": [
        {"name": "Innovazione", "weight": 30, "guidance": "Nuova?"},
        {"name": "Fattibilità", "weight": 30},
        {"name": "Impatto", "weight": 40},
    ],
}


async def test_organiser_sets_up_a_round_over_the_api(
    db: Database, actors: Actors, jury: Jury
) -> None:
    async with await actors.api(jury.organiser) as http:
        rubric = await http.post(f"/api/v1/challenges/{jury.cid}/rubrics", json=RUBRIC)
        created = await http.post(
            f"/api/v1/challenges/{jury.cid}/rounds",
            json={"name": "Finale", "rubric_id": rubric.json()["id"], "judges_per_project": 2},
        )
        round_id = created.json()["id"]
        assigned = await http.post(f"/api/v1/rounds/{round_id}/assign")
        opened = await http.post(f"/api/v1/rounds/{round_id}/open")
        reassign = await http.post(f"/api/v1/rounds/{round_id}/assign")
        closed = await http.post(f"/api/v1/rounds/{round_id}/close")

    assert rubric.status_code == 201
    assert [c["weight"] for c in rubric.json()["criteria"]] == [30, 30, 40]
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert assigned.status_code == 200 and assigned.json()["assignments"] == 6
    assert sorted(assigned.json()["loads"].values()) == [2, 2, 2]
    assert opened.json()["status"] == "open"
    assert reassign.status_code == 409
    assert reassign.json()["error"]["code"] == "round_not_draft"
    assert closed.json()["status"] == "closed"
    async with db.read() as session:
        stored = await session.get(Round, round_id)
    assert stored is not None and stored.status == RoundStatus.CLOSED


async def test_rubric_with_bad_weights_is_422(actors: Actors, jury: Jury) -> None:
    bad = {**RUBRIC, "criteria": [{"name": "A", "weight": 50}, {"name": "B", "weight": 49}]}
    async with await actors.api(jury.organiser) as http:
        response = await http.post(f"/api/v1/challenges/{jury.cid}/rubrics", json=bad)

    assert response.status_code == 422
    assert "99" in response.json()["error"]["fields"]["criteria"]


async def test_rubric_by_non_organisers_is_403_and_in_a_draft_404(
    db: Database, actors: Actors, jury: Jury
) -> None:
    path = f"/api/v1/challenges/{jury.cid}/rubrics"
    async with await actors.api(jury.coaches[0]) as http:
        coach = await http.post(path, json=RUBRIC)
    async with await actors.api(await actors.user()) as http:
        outsider = await http.post(path, json=RUBRIC)
        await unpublish(db, jury.challenge)
        in_draft = await http.post(path, json=RUBRIC)

    # Who may see the challenge is not allowed (403); a draft does not exist for them (404).
    assert (coach.status_code, outsider.status_code, in_draft.status_code) == (403, 403, 404)


async def test_judge_lists_assignments_and_puts_scores(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    judge = jury.judges[0]
    async with await actors.api(judge) as http:
        listed = await http.get("/api/v1/judging/assignments")
        first = listed.json()[0]
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
        partial = await http.put(
            f"/api/v1/assignments/{first['id']}/scores",
            json={"scores": {str(criteria[0]): 4}, "comment": "Bene"},
        )
        complete = await http.put(
            f"/api/v1/assignments/{first['id']}/scores",
            json={"scores": {str(c): 5 for c in criteria}},
        )
        out_of_scale = await http.put(
            f"/api/v1/assignments/{first['id']}/scores", json={"scores": {str(criteria[0]): 6}}
        )
        unknown = await http.put(
            f"/api/v1/assignments/{first['id']}/scores", json={"scores": {"999999": 3}}
        )

    assert listed.status_code == 200 and len(listed.json()) == 3
    assert partial.json()["submitted_at"] is None and partial.json()["comment"] == "Bene"
    assert complete.json()["submitted_at"] is not None
    assert complete.json()["scores"] == {str(c): 5 for c in criteria}
    assert out_of_scale.status_code == 422
    assert list(out_of_scale.json()["error"]["fields"]) == [f"criterion-{criteria[0]}"]
    assert unknown.status_code == 422
    async with db.read() as session:
        stored = await session.get(Assignment, first["id"])
    assert stored is not None and stored.comment == "Bene"


async def test_put_scores_on_others_assignment_404_and_closed_round_409(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await make_round(
        db,
        jury.challenge,
        judges=jury.judges,
        projects=jury.projects,
        status=RoundStatus.CLOSED,
    )
    async with db.read() as session:
        mine = (
            await session.execute(
                select(Assignment).where(Assignment.judge_id == jury.judges[0].id).limit(1)
            )
        ).scalar_one()
    async with await actors.api(jury.judges[1]) as http:
        other = await http.put(f"/api/v1/assignments/{mine.id}/scores", json={"scores": {}})
    async with await actors.api(jury.judges[0]) as http:
        closed = await http.put(f"/api/v1/assignments/{mine.id}/scores", json={"scores": {}})

    assert other.status_code == 404
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "scoring_closed"


async def test_ranking_publish_and_results_over_the_api(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await scored_round(db, jury)

    async with actors.anonymous() as http:
        hidden = await http.get(f"/api/v1/challenges/{jury.cid}/results")
    async with await actors.api(jury.organiser) as http:
        ranking = await http.get(f"/api/v1/challenges/{jury.cid}/ranking")
        too_early = await http.post(f"/api/v1/challenges/{jury.cid}/results/publish")
        await close(db, judging_round)
        published = await http.post(f"/api/v1/challenges/{jury.cid}/results/publish")
        twice = await http.post(f"/api/v1/challenges/{jury.cid}/results/publish")
    async with actors.anonymous() as http:
        public = await http.get(f"/api/v1/challenges/{jury.cid}/results")
    async with await actors.api(jury.judges[0]) as http:
        judge_ranking = await http.get(f"/api/v1/challenges/{jury.cid}/ranking")

    assert hidden.status_code == 404
    rows = ranking.json()[0]["rows"]
    assert [(r["raw_rank"], r["judges"]) for r in rows] == [(1, 3), (1, 3), (3, 3)]
    assert too_early.status_code == 409
    assert too_early.json()["error"]["code"] == "rounds_still_open"
    assert published.status_code == 201
    # Published again (a double click): the same awards, nothing done twice.
    assert (twice.status_code, twice.json()["awards"]) == (201, published.json()["awards"])
    assert public.status_code == 200
    assert [(a["name"], a["rank"]) for a in public.json()["awards"]] == [
        ("Miglior idea", 1),
        ("Miglior idea", 1),
        ("Terzo posto", 3),
    ]
    assert judge_ranking.status_code == 403
    async with db.read() as session:
        assert len((await session.execute(select(Award))).scalars().all()) == 3


async def test_only_a_rubric_round_has_a_rubric(db: Database, actors: Actors, jury: Jury) -> None:
    async with await actors.api(jury.organiser) as http:
        rubric = (await http.post(f"/api/v1/challenges/{jury.cid}/rubrics", json=RUBRIC)).json()
        url = f"/api/v1/challenges/{jury.cid}/rounds"
        no_rubric = await http.post(url, json={"name": "Preselezione"})
        pairwise_with_rubric = await http.post(
            url, json={"name": "Expo", "kind": "pairwise", "rubric_id": rubric["id"]}
        )
        pairwise = await http.post(url, json={"name": "Expo", "kind": "pairwise"})

    assert no_rubric.status_code == 422
    assert "richiede una griglia" in str(no_rubric.json()["error"])
    assert pairwise_with_rubric.status_code == 422
    assert pairwise.status_code == 201
    assert pairwise.json()["kind"] == "pairwise" and pairwise.json()["rubric_id"] is None
    async with db.read() as session:
        rounds = (await session.execute(select(Round))).scalars().all()
    assert [(r.name, r.kind) for r in rounds] == [("Expo", "pairwise")]
