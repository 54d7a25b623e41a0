"""Translations: English message ids, Italian by default; the locale lives in a ContextVar.

Catalogs are read from the .po files at start-up (app/locale/<lang>/*.po, one file per
domain so they merge cleanly), so there is no compile step and no binary in the repo.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("it", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
_current: ContextVar[str] = ContextVar("locale", default="it")


@cache
def translations(locale: str) -> NullTranslations:
    files = sorted((LOCALE_DIR / locale).glob("*.po"))
    if not files:
        return NullTranslations()
    merged = Catalog(locale=locale)
    for path in files:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        # The files' Plural-Forms, not Babel's rule for the locale: for Italian that has a
        # third form (millions) that no file fills in, so "2 posti" would fall back to English.
        merged.mime_headers = catalog.mime_headers
        for message in catalog:
            if message.id and message.string:
                merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(buffer)


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else LOCALES[0])


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current.set(locale if locale in LOCALES else LOCALES[0])
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(get_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


_ = gettext


def lazy(message: str) -> str:
    """Mark a string for extraction where it is translated later (e.g. error messages)."""
    return message


def pick_locale(*candidates: str | None, default: str) -> str:
    """The first supported locale among the candidates (query, cookie, account), else default."""
    for candidate in candidates:
        if candidate in LOCALES:
            return candidate
    return default
