"""Pairwise votes many times at once: one vote stored for one decision, every judge's vote
kept, no server error (on PostgreSQL truly at once; SQLite serialises writers)."""

from __future__ import annotations

from collections import Counter

from app.db import Database
from app.judging.models import PairwiseJudge, PairwiseVote
from tests.concurrency.test_transitions import AT_ONCE, _actions, _clients, _count, at_once
from tests.factories import Actors, make_pairwise_round, make_project, make_team
from tests.judging.conftest import Jury


async def _ready(actors: Actors, judge: object, rid: int) -> dict[str, dict[str, int]]:
    async with await actors.api(judge) as http:  # type: ignore[arg-type]
        await http.post(f"/api/v1/pairwise/{rid}/start")
        walk: dict[str, dict[str, int]] = (await http.post(f"/api/v1/pairwise/{rid}/seen")).json()
    return walk


async def test_the_same_vote_sent_many_times_at_once_is_stored_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    walk = await _ready(actors, jury.judges[0], rid)
    body = {"winner_id": walk["current"]["project_id"], "loser_id": walk["previous"]["project_id"]}
    clients = await _clients(actors, jury.judges[0])

    statuses = await at_once(lambda n: clients[n].post(f"/api/v1/pairwise/{rid}/votes", json=body))

    assert statuses == Counter({201: 1, 409: AT_ONCE - 1})
    assert await _count(db, PairwiseVote) == 1
    assert await _actions(db, "pairwise.voted") == 1


async def test_starting_many_times_at_once_starts_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    clients = await _clients(actors, jury.judges[0])

    statuses = await at_once(lambda n: clients[n].post(f"/api/v1/pairwise/{rid}/start"))

    assert statuses == Counter({200: AT_ONCE})
    assert await _count(db, PairwiseJudge) == 1
    assert await _actions(db, "pairwise.started") == 1


async def test_many_judges_voting_at_once_are_all_kept(
    db: Database, actors: Actors, jury: Jury
) -> None:
    for n in range(7):
        team = await make_team(db, jury.challenge, coach=await actors.user(), name=f"Expo {n}")
        await make_project(db, team)
    judges = [await actors.user(f"Giurato {n}") for n in range(8)]
    judging_round = await make_pairwise_round(db, jury.challenge, judges=judges)
    rid = judging_round.id or 0
    walks = [await _ready(actors, judge, rid) for judge in judges]
    clients = [await actors.api(judge) for judge in judges]

    statuses = await at_once(
        lambda n: clients[n].post(
            f"/api/v1/pairwise/{rid}/votes",
            json={
                "winner_id": walks[n]["current"]["project_id"],
                "loser_id": walks[n]["previous"]["project_id"],
            },
        ),
        times=len(judges),
    )

    assert statuses == Counter({201: len(judges)})
    assert await _count(db, PairwiseVote) == len(judges)


async def test_an_undo_sent_many_times_at_once_undoes_one_vote(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    walk = await _ready(actors, jury.judges[0], rid)
    async with await actors.api(jury.judges[0]) as http:
        voted = await http.post(
            f"/api/v1/pairwise/{rid}/votes",
            json={
                "winner_id": walk["current"]["project_id"],
                "loser_id": walk["previous"]["project_id"],
            },
        )
    assert voted.status_code == 201
    clients = await _clients(actors, jury.judges[0])

    statuses = await at_once(lambda n: clients[n].post(f"/api/v1/pairwise/{rid}/undo"))

    assert statuses == Counter({200: 1, 409: AT_ONCE - 1})
    assert await _actions(db, "pairwise.undone") == 1


async def test_a_judges_votes_voided_many_times_at_once_are_voided_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    walk = await _ready(actors, jury.judges[0], rid)
    async with await actors.api(jury.judges[0]) as http:
        await http.post(
            f"/api/v1/pairwise/{rid}/votes",
            json={
                "winner_id": walk["current"]["project_id"],
                "loser_id": walk["previous"]["project_id"],
            },
        )
    clients = await _clients(actors, jury.organiser)
    path = f"/api/v1/pairwise/{rid}/judges/{jury.judges[0].id}/void"

    statuses = await at_once(lambda n: clients[n].post(path))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "pairwise.voided") == 1
