"""Ids in URLs: which text names a row, and which names nothing (404, never a server error)."""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor

from app.db import MAX_ID


def parse_id(text: str | None) -> int | None:
    """The id a path or query parameter names, or None when it cannot name a row.

    str.isdigit() alone also takes "²" or "٣", which int() refuses or reads as a digit; and a
    number past MAX_ID would make PostgreSQL refuse the query instead of finding nothing.
    """
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConvertor(IntegerConvertor):
    """Starlette's `int` path convertor, bounded to ids: a number past the id range becomes 0,
    which names no row (ids start at 1), so the page answers 404."""

    regex = "[0-9]{1,18}"  # longer numbers match no route: 404 as well

    def convert(self, value: str) -> int:
        return parse_id(value) or 0


# Every `{name:int}` in our routes is an id; routes compile their paths when created, so this
# runs on importing the `app` package, before any route module.
register_url_convertor("int", IdConvertor())
