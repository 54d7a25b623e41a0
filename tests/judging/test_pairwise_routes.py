"""Pairwise pages: a judge's walk on a phone, the organisers' board, results and awards from
the refit, and statements that do not grow with the votes."""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database, utcnow
from app.judging.models import Award, PairwiseVote, Round, RoundKind, RoundStatus
from tests.factories import Actors, make_pairwise_round, post_form
from tests.judging.conftest import Jury
from tests.judging.test_results import close
from tests.queries import sql_statements


async def _votes(db: Database) -> list[PairwiseVote]:
    async with db.read() as session:
        result = await session.execute(select(PairwiseVote).order_by(PairwiseVote.id))
        return list(result.scalars())


async def _add_votes(
    db: Database, judging_round: Round, jury: Jury, pairs: list[tuple[int, int]]
) -> None:
    async with db.transaction() as session:
        for n, (w, lo) in enumerate(pairs):
            winner, loser = jury.projects[w], jury.projects[lo]
            assert winner.id is not None and loser.id is not None
            session.add(
                PairwiseVote(
                    round_id=judging_round.id or 0,
                    judge_id=jury.judges[n % len(jury.judges)].id or 0,
                    winner_id=winner.id,
                    loser_id=loser.id,
                    imported=True,
                    created_at=utcnow(),
                )
            )


async def test_a_judge_walks_votes_and_undoes_on_the_phone_pages(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id
    page = f"/pairwise/{rid}"
    async with await actors.client(jury.judges[0]) as http:
        listed = await http.get("/judging")
        before = await http.get(page)
        started = await post_form(http, f"{page}/start", form_page=page)
        first = await http.get(page)
        await post_form(http, f"{page}/seen", form_page=page)
        second = await http.get(page)
        winner = second.text.split('name="winner_id" value="')[1].split('"')[0]
        loser = second.text.split('name="loser_id" value="')[1].split('"')[0]
        voted = await post_form(
            http, f"{page}/vote", {"winner_id": winner, "loser_id": loser}, form_page=page
        )
        after = await http.get(page)
        replayed = await post_form(
            http, f"{page}/vote", {"winner_id": winner, "loser_id": loser}, form_page=page
        )
        undone = await post_form(http, f"{page}/undo", form_page=page)

    assert f'href="/pairwise/{rid}"' in listed.text
    assert f'action="/pairwise/{rid}/start"' in before.text
    assert started.status_code == 303 and started.headers["location"] == page
    assert f'action="/pairwise/{rid}/seen"' in first.text
    assert f'action="/pairwise/{rid}/vote"' in second.text
    assert voted.status_code == 303
    assert "1 voto dato" in after.text
    assert replayed.status_code == 409
    assert "Questo voto è già stato registrato." in replayed.text
    assert undone.status_code == 303
    (stored,) = await _votes(db)
    assert (str(stored.winner_id), str(stored.loser_id)) == (winner, loser)
    assert stored.undone_at is not None


async def test_the_walk_page_is_refused_to_who_is_not_a_judge(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    async with await actors.client(jury.coaches[0]) as http:
        page = await http.get(f"/pairwise/{judging_round.id}")
        board = await http.get(f"/pairwise/{judging_round.id}/board")
    assert (page.status_code, board.status_code) == (403, 403)


async def test_an_organiser_creates_and_opens_a_pairwise_round_without_a_rubric(
    db: Database, actors: Actors, jury: Jury
) -> None:
    admin = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        created = await post_form(
            http,
            f"/challenges/{jury.cid}/rounds",
            {
                "name": "Finale all'expo",
                "kind": "pairwise",
                "rubric_id": "",
                "judges_per_project": "2",
                "aggregation": "judge_effect",
            },
            form_page=admin,
        )
        async with db.read() as session:
            judging_round = (await session.execute(select(Round))).scalar_one()
        opened = await post_form(http, f"/rounds/{judging_round.id}/open", form_page=admin)
        shown = await http.get(admin)

    assert created.status_code == 303
    assert opened.status_code == 303
    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
    assert stored is not None
    assert (stored.kind, stored.rubric_id, stored.status) == (
        RoundKind.PAIRWISE,
        None,
        RoundStatus.OPEN,
    )
    assert f'href="/pairwise/{judging_round.id}/board"' in shown.text


async def test_the_board_ranks_voids_and_exports(db: Database, actors: Actors, jury: Jury) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    await _add_votes(db, judging_round, jury, [(0, 1), (0, 2), (1, 2), (0, 1), (2, 1), (0, 2)])
    board = f"/pairwise/{judging_round.id}/board"
    async with await actors.client(jury.organiser) as http:
        shown = await http.get(board)
        exported = await http.get(f"/pairwise/{judging_round.id}/votes.csv")
        voided = await post_form(
            http,
            f"/pairwise/{judging_round.id}/void",
            {"judge_id": str(jury.judges[0].id)},
            form_page=board,
        )
        after = await http.get(voided.headers["location"])

    assert shown.status_code == 200
    first_row = shown.text.split("<tbody>")[1].split("</tr>")[0]
    assert jury.projects[0].title in first_row
    assert "6 voti validi" in shown.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert len(exported.text.splitlines()) == 7
    assert voided.status_code == 303
    assert "4 voti validi" in after.text
    assert sum(v.voided_at is not None for v in await _votes(db)) == 2


async def test_a_bad_csv_on_the_board_is_refused_line_by_line(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    board = f"/pairwise/{judging_round.id}/board"
    text = f"judge,winner,loser,timestamp\nNessuno,{jury.projects[0].id},{jury.projects[1].id},\n"
    async with await actors.client(jury.organiser) as http:
        response = await post_form(
            http,
            f"/pairwise/{judging_round.id}/import",
            files={"file": ("voti.csv", text.encode(), "text/csv")},
            form_page=board,
        )
    assert response.status_code == 422
    assert "Riga 2: «Nessuno» non è noto qui." in response.text
    assert await _votes(db) == []


async def test_a_closed_pairwise_round_decides_the_awards(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    await _add_votes(
        db, judging_round, jury, [(0, 1), (0, 2), (1, 2), (0, 1), (1, 2), (0, 2), (1, 0)]
    )
    await close(db, judging_round)
    async with await actors.client(jury.organiser) as http:
        ranking = await http.get(f"/challenges/{jury.cid}/ranking")
        published = await post_form(
            http,
            f"/challenges/{jury.cid}/results/publish",
            form_page=f"/challenges/{jury.cid}/ranking",
        )

    assert ranking.status_code == 200
    assert f'href="/pairwise/{judging_round.id}/board"' in ranking.text
    assert published.status_code == 303
    async with db.read() as session:
        awards = {
            a.rank: a.project_id
            for a in (await session.execute(select(Award))).scalars()
            if a.track_id is None
        }
    assert awards == {1: jury.projects[0].id, 2: jury.projects[1].id, 3: jury.projects[2].id}


async def test_the_board_and_the_votes_list_do_not_grow_in_statements_with_votes(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_pairwise_round(db, jury.challenge, judges=jury.judges)
    rid = judging_round.id
    await _add_votes(db, judging_round, jury, [(0, 1)])
    async with await actors.client(jury.organiser) as http, await actors.api(jury.organiser) as api:
        with sql_statements(db) as few:
            await http.get(f"/pairwise/{rid}/board")
            await api.get(f"/api/v1/pairwise/{rid}/votes")
        await _add_votes(db, judging_round, jury, [(0, 2), (1, 2), (2, 0)] * 5)
        with sql_statements(db) as many:
            await http.get(f"/pairwise/{rid}/board")
            listed = await api.get(f"/api/v1/pairwise/{rid}/votes")

    assert len(listed.json()) == 16
    assert len(many) == len(few)


async def test_the_judging_page_says_a_pairwise_round_is_decided_by_its_votes(
    db: Database, actors: Actors, jury: Jury
) -> None:
    """Not by the rubric methods' default (judge effect), and offers no choice of them."""
    judging_round = await make_pairwise_round(
        db, jury.challenge, judges=jury.judges, status=RoundStatus.DRAFT
    )
    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/challenges/{jury.cid}/judging?lang=en")

    assert page.status_code == 200
    assert "Winners decided by: Bradley-Terry strength from the pairwise votes" in page.text
    assert "Winners decided by: Judge effect" not in page.text
    assert f'action="/rounds/{judging_round.id}/aggregation"' not in page.text
