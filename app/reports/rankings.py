"""The organisers' ranking of every round as a CSV file: every row, where the page shows a
hundred at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from app.i18n import gettext as _
from app.judging import results
from app.judging.models import RoundKind
from app.reports.exports import BOM, _cell

CSV_CHUNK = 500  # rows written out at a time
DIGITS = 4  # as an award stores its score


def headers() -> list[str]:
    return [
        _("Round"),
        _("Rank"),
        _("Statistically tied with the project above"),
        _("Project"),
        _("Team"),
        _("Score"),
        _("Interval from"),
        _("Interval to"),
        _("Judges"),
        _("Raw mean"),
        _("Z-score"),
        _("Judge effect"),
    ]


def values(result: results.RoundResult, row: results.RankedProject) -> list[Any]:
    r = row.ranking
    # A pairwise round has one view, its strength (the score); its "judges" are comparisons.
    views = (
        (None, None, None)
        if result.round.kind == RoundKind.PAIRWISE
        else (round(r.raw_mean, DIGITS), round(r.z_mean, DIGITS), round(r.adjusted, DIGITS))
    )
    return [
        _cell(value)
        for value in (
            result.round.name,
            r.rank,
            r.tied_with_better,
            row.project.title,
            row.team.name,
            round(r.score, DIGITS),
            round(r.interval_low, DIGITS),
            round(r.interval_high, DIGITS),
            r.judges,
            *views,
        )
    ]


def csv_chunks(page: results.RankingPage, *, separator: str = ",") -> Iterator[bytes]:
    """Every round's rows, newest round first, best first: UTF-8 with a BOM (Excel reads the
    accents right), in pieces to stream."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers())
    for result in page.rounds:
        for start in range(0, len(result.rows), CSV_CHUNK):
            writer.writerows(values(result, row) for row in result.rows[start : start + CSV_CHUNK])
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
