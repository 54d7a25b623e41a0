"""The templates' number filter writes what Babel's format_decimal writes, only faster."""

from __future__ import annotations

import random

import pytest
from babel.numbers import format_decimal

from app import i18n
from app.templating import _number

RNG = random.Random(2026)
VALUES = [0, 1, -1, 4.25, 4.0, 1234.5, 12000, 0.005, 0.015, 2.675, 99.995, -1234567.891]
VALUES += [RNG.uniform(-5000, 5000) for _ in range(3000)]
VALUES += [RNG.randint(-(10**7), 10**7) for _ in range(300)]
VALUES += [round(RNG.uniform(0, 5), 3) for _ in range(1000)]


@pytest.mark.parametrize("locale", ["it", "en"])
def test_numbers_read_as_babel_writes_them(locale: str) -> None:
    with i18n.use_locale(locale):
        for value in [*VALUES, float("nan"), float("inf")]:
            for digits in (0, 1, 2, 3, 4):
                assert _number(value, digits) == format_decimal(
                    round(value, digits), locale=locale
                ), (value, digits)


def test_a_negative_number_rounded_to_nothing_is_zero_not_minus_zero() -> None:
    with i18n.use_locale("it"):
        assert (_number(-0.004), _number(-0.0, 0), _number(None)) == ("0", "0", "\u2013")
        assert (_number(1234.567), _number(1234.5, 0)) == ("1.234,57", "1.234")
    with i18n.use_locale("en"):
        assert _number(1234.567) == "1,234.57"
