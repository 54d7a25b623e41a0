"""Exports: every kind as CSV (Excel reads the accents) and XLSX, streamed, for organisers;
and the public calendar of a challenge's phases."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import Database
from app.reports.exports import EXPORTS
from tests.factories import Actors, make_challenge, make_project, make_team, unpublish


@dataclass
class Organised:
    organiser: User
    challenge: Challenge

    @property
    def exports(self) -> str:
        return f"/challenges/{self.challenge.id}/exports"


@pytest.fixture
async def organised(db: Database, actors: Actors) -> Organised:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, title="Città più verde")
    team = await make_team(
        db,
        challenge,
        coach=await actors.user("Maria Insegnante"),
        name="4B Acquà",
        members=(("Niccolò", "Bianchi"), ("=HYPERLINK", "Attacco")),
    )
    await make_project(db, team, title="Sensori nell'orto")
    return Organised(organiser, challenge)


def _csv(body: bytes, separator: str = ",") -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=separator))


@pytest.mark.parametrize("kind", sorted(EXPORTS))
async def test_every_export_downloads_as_csv_and_xlsx(
    actors: Actors, organised: Organised, kind: str
) -> None:
    async with await actors.client(organised.organiser) as browser:
        as_csv = await browser.get(f"{organised.exports}/{kind}.csv")
        as_xlsx = await browser.get(f"{organised.exports}/{kind}.xlsx")

    assert as_csv.status_code == as_xlsx.status_code == 200
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="{organised.challenge.slug}-{kind}.csv"'
    )
    rows = _csv(as_csv.content)
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    assert sheet is not None
    in_xlsx = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert (in_xlsx[0], len(in_xlsx)) == (rows[0], len(rows))
    assert len(rows) > 1 or kind in {"scores", "adoptions", "certificates", "files"}


async def test_members_keep_accents_and_never_run_as_formulas(
    actors: Actors, organised: Organised
) -> None:
    async with await actors.client(organised.organiser) as browser:
        semicolons = await browser.get(f"{organised.exports}/members.csv?sep=%3B")

    rows = _csv(semicolons.content, ";")
    assert rows[0] == [
        "Squadra",
        "Cognome",
        "Nome",
        "Minorenne",
        "Consenso del genitore o tutore",
        "Ha un account",
    ]
    names = {(row[1], row[2]) for row in rows[1:]}
    assert names == {("Bianchi", "Niccolò"), ("Attacco", "'=HYPERLINK")}
    assert {row[0] for row in rows[1:]} == {"4B Acquà"}


@pytest.mark.parametrize("path", ["members.csv", "teams.xlsx", "teams.pdf", "nothing.csv"])
async def test_exports_are_for_organisers_and_name_only_what_exists(
    actors: Actors, organised: Organised, path: str
) -> None:
    async with await actors.client(await actors.user()) as browser:
        refused = await browser.get(f"{organised.exports}/{path}")

    known = path.split(".")[0] in EXPORTS and path.endswith((".csv", ".xlsx"))
    assert refused.status_code == (403 if known else 404)


async def test_the_calendar_has_each_phase_and_its_deadline(
    db: Database, actors: Actors, organised: Organised
) -> None:
    path = f"/challenges/{organised.challenge.id}/calendar.ics"
    async with actors.anonymous() as anyone:
        feed = await anyone.get(path)
        await unpublish(db, organised.challenge)
        draft = await anyone.get(path)

    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == 8  # four phase windows and four deadlines
    assert {str(e["summary"]) for e in events} >= {
        "Città più verde: Iscrizioni",
        "Città più verde, scadenza: Iscrizioni",
    }
    assert draft.status_code == 404
