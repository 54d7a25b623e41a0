"""Every message Madrina shows has an Italian text, and the language switch works."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from httpx import AsyncClient

import app
from app.config import ROOT
from app.errors import AppError
from app.i18n import LOCALE_DIR, ngettext, use_locale
from app.middleware import LOCALE_COOKIE

SOURCE_DIRS = ("app", "templates")


def _extracted() -> dict[str, list[str]]:
    """msgid -> where it is used, extracted as `pybabel extract -F babel.cfg` does."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")

    def in_sources(path: str) -> bool:
        relative = Path(path).relative_to(ROOT)
        hidden = relative.name.startswith((".", "_"))
        return not hidden and (relative == Path(".") or relative.parts[0] in SOURCE_DIRS)

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        directory_filter=in_sources,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _error_messages() -> dict[str, list[str]]:
    """Class-level messages of every AppError: the error page translates them when shown."""
    for module in pkgutil.walk_packages(app.__path__, "app."):
        if module.name != "app.asgi":  # that one builds an app from the environment
            importlib.import_module(module.name)

    def subclasses(cls: type[AppError]) -> Iterator[type[AppError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from subclasses(sub)

    found: dict[str, list[str]] = {}
    for cls in subclasses(AppError):
        if cls.__module__.startswith("app."):
            found.setdefault(cls.message, []).append(f"{cls.__module__}.{cls.__qualname__}")
    return found


def _italian() -> tuple[Catalog, list[str]]:
    """All app/locale/it/*.po merged (as app.i18n does), plus any format errors."""
    merged = Catalog(locale="it")
    problems: list[str] = []
    for path in sorted((LOCALE_DIR / "it").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="it", abort_invalid=True)
        for message, errors in catalog.check():
            problems.extend(f"{path.name}: {message.id!r}: {error}" for error in errors)
        for message in catalog:
            # Fuzzy entries are not used at run time (app.i18n skips them), so they count
            # as missing.
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    return merged, problems


def _translated(catalog: Catalog, msgid: str) -> bool:
    message = catalog.get(msgid)
    if message is None:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def test_italian_catalog_covers_every_message() -> None:
    wanted = _extracted()
    for msgid, where in _error_messages().items():
        wanted.setdefault(msgid, []).extend(where)
    catalog, _problems = _italian()

    missing = sorted(
        f"{msgid!r}  ({', '.join(where[:3])})"
        for msgid, where in wanted.items()
        if not _translated(catalog, msgid)
    )

    assert len(wanted) > 40, "extraction found almost nothing; is babel.cfg right?"
    assert missing == [], (
        f"{len(missing)} message(s) have no Italian translation in app/locale/it/*.po:\n"
        + "\n".join(missing)
    )


def test_italian_catalog_has_no_unused_messages() -> None:
    wanted = set(_extracted()) | set(_error_messages())
    catalog, _problems = _italian()

    ids = (message.id[0] if isinstance(message.id, tuple) else message.id for message in catalog)
    unused = sorted(msgid for msgid in ids if msgid and msgid not in wanted)

    assert unused == [], "remove these from app/locale/it/*.po:\n" + "\n".join(unused)


def test_italian_catalogs_have_matching_placeholders() -> None:
    _catalog, problems = _italian()

    assert problems == [], "\n".join(problems)


def test_italian_plurals_follow_the_catalogs_plural_forms() -> None:
    message = ("Please add at least %(n)s entry.", "Please add at least %(n)s entries.")

    with use_locale("it"):
        forms = [ngettext(*message, n) for n in (0, 1, 2, 1_000_000)]

    assert forms == [
        "Aggiungi almeno %(n)s voci.",
        "Aggiungi almeno %(n)s voce.",
        "Aggiungi almeno %(n)s voci.",
        "Aggiungi almeno %(n)s voci.",
    ]


def test_core_catalog_covers_core_files() -> None:
    core = {
        msgid
        for msgid, where in _extracted().items()
        if any(
            place.startswith(("templates/base.html", "templates/_forms.html"))
            or place.startswith(("templates/error.html", "templates/accounts/"))
            or place.startswith(("app/forms.py", "app/main.py", "app/accounts/"))
            for place in where
        )
    }
    with (LOCALE_DIR / "it" / "core.po").open("rb") as handle:
        catalog = read_po(handle, locale="it")

    assert sorted(msgid for msgid in core if not _translated(catalog, msgid)) == []


async def test_lang_query_switches_language_and_is_remembered(client: AsyncClient) -> None:
    english = await client.get("/?lang=en")
    remembered = await client.get("/")

    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert ">Challenges</a>" in english.text and ">Log in</a>" in english.text
    assert english.cookies.get(LOCALE_COOKIE) == "en"
    assert '<html lang="en">' in remembered.text
    assert ">Challenges</a>" in remembered.text

    italian = await client.get("/?lang=it")
    again = await client.get("/")

    assert '<html lang="it">' in italian.text
    assert ">Sfide</a>" in italian.text and ">Accedi</a>" in italian.text
    assert italian.cookies.get(LOCALE_COOKIE) == "it"
    assert '<html lang="it">' in again.text


async def test_default_language_is_italian_and_unknown_lang_is_ignored(
    client: AsyncClient,
) -> None:
    response = await client.get("/?lang=xx")

    assert '<html lang="it">' in response.text
    assert ">Sfide</a>" in response.text
    assert LOCALE_COOKIE not in response.cookies
