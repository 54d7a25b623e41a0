"""The public certificate check, as someone holding a printed certificate uses it on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    OpenPage,
    assert_accessible,
    assert_fits_screen,
    field,
    shot,
    submit,
    t,
    visit,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("locale", ["it", "en"])
def test_unknown_code_says_so_and_offers_to_try_again(open_page: OpenPage, locale: str) -> None:
    phone = open_page(phone=True, locale=locale)
    visit(phone, "/")
    phone.get_by_role("link", name=t("Verify a certificate", locale), exact=True).first.click()
    field(phone, "Verification code", locale).fill("abcd efgh-jkmn")

    assert submit(phone, t("Verify", locale)) == 404

    expect(phone).to_have_url(re.compile(r"/verify/ABCDEFGHJKMN$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        t("No certificate with this code", locale)
    )
    expect(field(phone, "Verification code", locale)).to_have_value("ABCDEFGHJKMN")
    shot(phone, f"unknown code {locale}")
    assert_fits_screen(phone)
    assert_accessible(phone)


def test_verify_without_a_code_shows_the_error_next_to_the_field(phone: Page) -> None:
    visit(phone, "/verify")
    field(phone, "Verification code").fill("  - ")

    assert submit(phone, t("Verify")) == 422

    code = field(phone, "Verification code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#e-code")).to_have_text(
        t("Please type the code printed on the certificate.")
    )
    shot(phone, "no code typed")
    assert_accessible(phone)
