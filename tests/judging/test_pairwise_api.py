"""Pairwise (expo) rounds over the API: a judge's walk, votes, skips, undo; organisers'
ranking, voiding and CSV; and what must be refused."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import delete, select
from sqlmodel import col

from app.accounts.models import Role, RoleKind
from app.db import Database
from app.events.models import AuditEntry
from app.judging.models import PairwiseItem, PairwiseSkip, PairwiseVote, RoundStatus
from app.teams.models import Project, ProjectStatus
from tests.factories import Actors, make_pairwise_round, make_project, make_team
from tests.judging.conftest import Jury


async def _votes(db: Database) -> list[PairwiseVote]:
    async with db.read() as session:
        return list(
            (await session.execute(select(PairwiseVote).order_by(PairwiseVote.id))).scalars()
        )


async def _vote_for_current(http: AsyncClient, rid: int, walk: dict[str, Any]) -> Any:
    return await http.post(
        f"/api/v1/pairwise/{rid}/votes",
        json={
            "winner_id": walk["current"]["project_id"],
            "loser_id": walk["previous"]["project_id"],
        },
    )


async def _two_seen(http: AsyncClient, rid: int) -> dict[str, Any]:
    started = await http.post(f"/api/v1/pairwise/{rid}/start")
    assert started.status_code == 200, started.text
    walked = await http.post(f"/api/v1/pairwise/{rid}/seen")
    assert walked.status_code == 200, walked.text
    body: dict[str, Any] = walked.json()
    return body


async def test_a_judge_is_sent_to_projects_and_their_vote_is_stored(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        assert walk["previous"] is not None and walk["current"] is not None
        answer = await _vote_for_current(http, rid, walk)

    assert answer.status_code == 201, answer.text
    (stored,) = await _votes(db)
    assert (stored.winner_id, stored.loser_id) == (
        walk["current"]["project_id"],
        walk["previous"]["project_id"],
    )
    assert stored.judge_id == jury.judges[0].id
    after = answer.json()
    assert after["previous"]["project_id"] == walk["current"]["project_id"]
    assert after["votes"] == 1
    async with db.read() as session:
        items = {i.project_id: i for i in (await session.execute(select(PairwiseItem))).scalars()}
    assert items[stored.winner_id].mu > 0 > items[stored.loser_id].mu


async def test_the_same_vote_twice_is_refused_and_stored_once(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        first = await _vote_for_current(http, rid, walk)
        again = await _vote_for_current(http, rid, walk)

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "vote_replayed"
    assert len(await _votes(db)) == 1


async def test_undo_takes_the_last_vote_back_and_shows_the_pair_again(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        await _vote_for_current(http, rid, walk)
        undone = await http.post(f"/api/v1/pairwise/{rid}/undo")
        ranking = None
    assert undone.status_code == 200, undone.text
    body = undone.json()
    assert (body["previous"], body["current"]) == (walk["previous"], walk["current"])
    assert body["votes"] == 0
    (stored,) = await _votes(db)
    assert stored.undone_at is not None
    async with db.read() as session:
        items = list((await session.execute(select(PairwiseItem))).scalars())
    assert all(i.mu == 0.0 and i.sigma_sq == 1.0 for i in items)
    async with await actors.api(jury.organiser) as http:
        ranking = (await http.get(f"/api/v1/pairwise/{rid}/ranking")).json()
    assert ranking["rows"] == []


async def test_a_vote_on_a_project_not_in_the_round_is_refused(
    db: Database, actors: Actors, jury: Jury
) -> None:
    other = await make_team(db, jury.challenge, coach=await actors.user(), name="Altra")
    draft = await make_project(db, other, submitted=False)
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        answer = await http.post(
            f"/api/v1/pairwise/{rid}/votes",
            json={"winner_id": draft.id, "loser_id": walk["current"]["project_id"]},
        )
    assert answer.status_code == 422
    assert list(answer.json()["error"]["fields"]) == ["winner_id"]
    assert await _votes(db) == []


async def test_a_vote_outside_an_open_round_is_refused(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(
        db, jury.challenge, judges=jury.judges, status=RoundStatus.CLOSED
    )
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        answer = await http.post(f"/api/v1/pairwise/{rid}/start")
        voted = await http.post(
            f"/api/v1/pairwise/{rid}/votes",
            json={"winner_id": jury.projects[0].id, "loser_id": jury.projects[1].id},
        )
    assert answer.status_code == 409
    assert voted.status_code == 409
    assert await _votes(db) == []


async def test_someone_who_is_not_a_judge_cannot_vote(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.coaches[0]) as http:
        answer = await http.post(f"/api/v1/pairwise/{rid}/start")
        voted = await http.post(
            f"/api/v1/pairwise/{rid}/votes",
            json={"winner_id": jury.projects[0].id, "loser_id": jury.projects[1].id},
        )
    assert answer.status_code == 403
    assert voted.status_code == 403
    assert await _votes(db) == []


async def test_a_judge_is_never_sent_to_a_project_they_are_in_conflict_with(
    db: Database, actors: Actors, jury: Jury
) -> None:
    coach_judge = jury.coaches[0]
    await actors.grant(coach_judge, jury.cid, RoleKind.JUDGE)
    judging_round = await make_pairwise_round(db, jury.challenge, judges=[])
    rid = judging_round.id or 0
    seen: set[int] = set()
    async with await actors.api(coach_judge) as http:
        walk = (await http.post(f"/api/v1/pairwise/{rid}/start")).json()
        seen.add(walk["current"]["project_id"])
        walk = (await http.post(f"/api/v1/pairwise/{rid}/seen")).json()
        seen.add(walk["current"]["project_id"])
        walk = (await _vote_for_current(http, rid, walk)).json()
    assert seen == {jury.projects[1].id, jury.projects[2].id}
    assert walk["done"] is True


async def test_an_organiser_voids_a_judges_votes_and_the_ranking_is_refitted(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    for judge in jury.judges[:2]:
        async with await actors.api(judge) as http:
            walk = await _two_seen(http, rid)
            assert (await _vote_for_current(http, rid, walk)).status_code == 201
    async with await actors.api(jury.organiser) as http:
        voided = await http.post(f"/api/v1/pairwise/{rid}/judges/{jury.judges[0].id}/void")
        ranking = (await http.get(f"/api/v1/pairwise/{rid}/ranking")).json()
        listed = (await http.get(f"/api/v1/pairwise/{rid}/votes")).json()

    assert voided.json() == {"voided": 1}
    assert ranking["valid_votes"] == 1
    remaining = [v for v in listed if v["voided_at"] is None]
    assert [v["judge_id"] for v in remaining] == [jury.judges[1].id]
    assert ranking["rows"][0]["project_id"] == remaining[0]["winner_id"]
    async with db.read() as session:
        actions = [a.action for a in (await session.execute(select(AuditEntry))).scalars()]
    assert actions.count("pairwise.voided") == 1


async def test_votes_exported_as_csv_import_back_into_another_round(
    db: Database, actors: Actors, jury: Jury
) -> None:
    first = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = first.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        await _vote_for_current(http, rid, walk)
    second = await make_pairwise_round(db, jury.challenge, judges=[], name="Copia")
    async with await actors.api(jury.organiser) as http:
        exported = await http.get(f"/api/v1/pairwise/{rid}/votes.csv")
        files = {"file": ("votes.csv", exported.content, "text/csv")}
        imported = await http.post(f"/api/v1/pairwise/{second.id}/votes.csv", files=files)
        again = await http.post(f"/api/v1/pairwise/{second.id}/votes.csv", files=files)

    assert exported.status_code == 200
    lines = exported.text.splitlines()
    assert lines[0] == "judge,winner,loser,timestamp"
    assert lines[1].startswith(f"{jury.judges[0].name},")
    assert imported.json() == {"imported": 1, "already_there": 0}
    assert again.json() == {"imported": 0, "already_there": 1}
    copied = [v for v in await _votes(db) if v.round_id == second.id]
    assert [(v.winner_id, v.loser_id, v.imported) for v in copied] == [
        (walk["current"]["project_id"], walk["previous"]["project_id"], True)
    ]


async def test_a_csv_with_bad_lines_imports_nothing_and_names_each_line(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    p0, p1 = jury.projects[0], jury.projects[1]
    judge = jury.judges[0]
    text = (
        "judge,winner,loser,timestamp\n"
        f"{judge.id},{p0.id},{p1.id},2026-12-10T09:15:00Z\n"
        f"Nessuno,{p0.id},{p1.id},2026-12-10T09:16:00Z\n"
        f"{judge.email},{p0.title},{p0.title},2026-12-10T09:17:00Z\n"
        f"{judge.name},{p0.id},{p1.id},ieri\n"
        f"{judge.name},{p0.id}\n"
    )
    async with await actors.api(jury.organiser) as http:
        answer = await http.post(
            f"/api/v1/pairwise/{judging_round.id}/votes.csv",
            files={"file": ("votes.csv", text.encode(), "text/csv")},
        )
    assert answer.status_code == 422
    message = answer.json()["error"]["fields"]["file"]
    assert "Line 2" not in message and "Riga 2" not in message
    for line in (3, 4, 5, 6):
        assert f" {line}:" in message
    assert await _votes(db) == []


async def test_a_skipped_project_is_left_and_another_one_given(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        first = (await http.post(f"/api/v1/pairwise/{rid}/start")).json()
        skipped = await http.post(f"/api/v1/pairwise/{rid}/skip", json={"reason": "absent"})
        bad = await http.post(f"/api/v1/pairwise/{rid}/skip", json={"reason": "bored"})

    assert skipped.status_code == 200
    assert skipped.json()["current"]["project_id"] != first["current"]["project_id"]
    assert skipped.json()["previous"] is None
    assert bad.status_code == 422
    async with db.read() as session:
        (row,) = (await session.execute(select(PairwiseSkip))).scalars()
    assert (row.project_id, row.reason) == (first["current"]["project_id"], "absent")


async def test_a_judge_whose_role_was_taken_away_votes_no_more(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        async with db.transaction() as session:
            await session.execute(
                delete(Role).where(
                    col(Role.user_id) == jury.judges[0].id, col(Role.kind) == RoleKind.JUDGE
                )
            )
        answer = await _vote_for_current(http, rid, walk)

    assert answer.status_code == 403
    assert await _votes(db) == []


async def test_the_walk_of_a_round_in_preparation_is_not_found(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(
        db, jury.challenge, judges=jury.judges, status=RoundStatus.DRAFT
    )
    async with await actors.api(jury.judges[0]) as http:
        answer = await http.get(f"/api/v1/pairwise/{judging_round.id}")
    assert answer.status_code == 404


async def test_a_skip_after_the_project_seen_last_was_withdrawn_starts_a_new_chain(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id or 0
    async with await actors.api(jury.judges[0]) as http:
        walk = await _two_seen(http, rid)
        async with db.transaction() as session:
            project = await session.get(Project, walk["previous"]["project_id"])
            assert project is not None
            project.status = ProjectStatus.DRAFT
        refused = await _vote_for_current(http, rid, walk)
        skipped = await http.post(f"/api/v1/pairwise/{rid}/skip", json={"reason": "absent"})

    assert refused.status_code == 422
    assert skipped.json()["previous"] is None
    assert skipped.json()["current"]["project_id"] not in (
        walk["previous"]["project_id"],
        walk["current"]["project_id"],
    )
