"""The request's cookies are read the way browsers send them, by the quick split for plain
values and by the standard library for quoted ones; a malformed header is no cookie."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from app.middleware import cookie_value

PLAIN = [
    "madrina_session=abc123; madrina_csrf=" + "b" * 43,
    "madrina_csrf=x-y_z;madrina_lang=en",
    "a=1; a=2",  # the last one wins, as with SimpleCookie
    "  madrina_lang = it ;  other=v=w",  # spaces and '=' inside a value
]


def _read(header: str, name: str) -> str | None:
    return cookie_value({"headers": [(b"cookie", header.encode("latin-1"))]}, name)


@pytest.mark.parametrize("header", PLAIN)
def test_plain_cookies_read_as_the_standard_library_reads_them(header: str) -> None:
    jar: SimpleCookie = SimpleCookie()
    jar.load(header)

    for name, morsel in jar.items():
        assert _read(header, name) == morsel.value


def test_quoted_values_are_unquoted_and_a_malformed_header_is_no_cookie() -> None:
    assert _read('madrina_lang="en"; x=1', "madrina_lang") == "en"
    assert _read('madrina_lang="en', "madrina_lang") is None
    assert _read("madrina_csrf", "madrina_csrf") is None
