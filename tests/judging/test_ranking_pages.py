"""The organisers' ranking a hundred rows at a time (every figure still the whole round's),
and every row as a CSV file: on both databases."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlmodel import col

from app.accounts.models import User
from app.db import Database
from app.judging import results
from app.teams.models import Project
from bench.data import BenchData, generate
from tests.factories import Actors

PROJECTS = 250  # three pages: 1-100, 101-200, 201-250
TIED = re.compile(r"<abbr title=\"[^\"]+\">≈</abbr>")
SVG = re.compile(r"<svg.*?</svg>", re.DOTALL)
TITLE = re.compile(r'<th scope="row">([^<]+)<br>')


@pytest.fixture
async def ranked(db: Database) -> BenchData:
    """A round of PROJECTS projects, each scored by 3 of 25 judges."""
    return await generate(db, teams=PROJECTS, judges=25, files=0, sponsors=0)


async def _organiser(db: Database, actors: Actors, data: BenchData) -> AsyncClient:
    async with db.read() as session:
        user = await session.get(User, data.organiser_id)
    assert user is not None
    return await actors.client(user)


async def _whole(db: Database, data: BenchData) -> results.RoundResult:
    async with db.read() as session:
        user = await session.get(User, data.organiser_id)
        assert user is not None
        page = await results.ranking_page(
            session, user=user, challenge_id=data.challenge_ids[0], page=1
        )
    [only] = page.rounds
    return only


def _table(page: str) -> str:
    """The ranking table of the page's one round (the charts and the lists left out)."""
    return page.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]


def _titles(page: str) -> list[str]:
    return [html.unescape(title) for title in TITLE.findall(_table(page))]


async def test_page_two_shows_rows_101_to_200_with_the_whole_rounds_figures(
    db: Database, actors: Actors, ranked: BenchData
) -> None:
    whole = await _whole(db, ranked)
    url = f"/challenges/{ranked.challenge_ids[0]}/ranking"

    async with await _organiser(db, actors, ranked) as http:
        first = await http.get(url)
        second = await http.get(url, params={"page": "2"})

    assert first.status_code == second.status_code == 200
    expected = whole.rows[100:200]
    assert _titles(second.text) == [row.project.title for row in expected]
    ranks = re.findall(r"<tr>\s*<td>(\d+)", _table(second.text))
    assert [int(rank) for rank in ranks] == [row.ranking.rank for row in expected]
    assert int(ranks[0]) > 1  # ranks continue from page 1, they do not start again
    # "≈" where the round's ranking has it: on row 101 too, tied with row 100 on page 1.
    rows = _table(second.text).split("<tr>")[2:]
    assert [bool(TIED.search(row)) for row in rows] == [
        row.ranking.tied_with_better for row in expected
    ]
    assert expected[0].ranking.tied_with_better
    # The chart of the best projects and the judges' dots are the round's, on every page.
    assert SVG.findall(second.text) == SVG.findall(first.text)
    assert len(SVG.findall(second.text)) == 2
    assert "Righe 101\u2013200 di 250" in second.text
    assert f'href="{url}?page=1#round-{whole.round.id}">Precedente' in second.text
    assert f'href="{url}?page=3#round-{whole.round.id}">Successiva' in second.text
    assert "Pagina 2 di 3" in second.text


async def test_the_first_page_shows_the_top_hundred(
    db: Database, actors: Actors, ranked: BenchData
) -> None:
    whole = await _whole(db, ranked)

    async with await _organiser(db, actors, ranked) as http:
        page = await http.get(f"/challenges/{ranked.challenge_ids[0]}/ranking")

    assert _titles(page.text) == [row.project.title for row in whole.rows[:100]]
    assert "Righe 1\u2013100 di 250" in page.text
    assert "Precedente" not in page.text


@pytest.mark.parametrize(
    ("asked", "shown"), [("3", "201\u2013250"), ("99", "201\u2013250"), ("x", "1\u2013100")]
)
async def test_a_page_past_the_last_is_the_last_and_a_bad_one_the_first(
    db: Database, actors: Actors, ranked: BenchData, asked: str, shown: str
) -> None:
    async with await _organiser(db, actors, ranked) as http:
        page = await http.get(
            f"/challenges/{ranked.challenge_ids[0]}/ranking", params={"page": asked}
        )

    assert page.status_code == 200
    assert f"Righe {shown} di 250" in page.text


async def test_the_csv_holds_every_row_of_the_ranking(
    db: Database, actors: Actors, ranked: BenchData
) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Project)
            .where(col(Project.id) == ranked.project_ids[0])
            .values(title="=HYPERLINK(1)")
        )
    whole = await _whole(db, ranked)

    async with await _organiser(db, actors, ranked) as http:
        page = await http.get(f"/challenges/{ranked.challenge_ids[0]}/ranking")
        answer = await http.get(f"/challenges/{ranked.challenge_ids[0]}/ranking.csv")

    assert f'href="/challenges/{ranked.challenge_ids[0]}/ranking.csv"' in page.text
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["cache-control"] == "private, no-store"
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(text[1:])))
    assert header[:5] == ["Turno", "Posizione", "Statisticamente alla pari con il progetto sopra",
                          "Progetto", "Squadra"]  # fmt: skip
    assert len(lines) == PROJECTS == len(whole.rows)
    assert [(line[1], line[3]) for line in lines] == [
        (str(row.ranking.rank), row.project.title.replace("=", "'=", 1)) for row in whole.rows
    ]
    assert "'=HYPERLINK(1)" in [line[3] for line in lines]  # a formula stays text


async def test_the_csv_is_refused_to_a_judge(
    db: Database, actors: Actors, ranked: BenchData
) -> None:
    async with db.read() as session:
        judge = await session.get(User, ranked.judge_ids[0])
    assert judge is not None

    async with await actors.client(judge) as http:
        answer = await http.get(f"/challenges/{ranked.challenge_ids[0]}/ranking.csv")

    assert answer.status_code == 403
