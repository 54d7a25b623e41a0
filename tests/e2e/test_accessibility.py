"""axe-core on every public page, in Italian and in English; the language switch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    OpenPage,
    assert_accessible,
    field,
    register,
    shot,
    submit,
    t,
    unique_email,
)

pytestmark = pytest.mark.e2e

LOCALES = ["it", "en"]
# Pages anybody can open. A page another helper has not built yet is skipped, by name.
PUBLIC_PAGES = ["/", "/login", "/register", "/verify", "/challenges"]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible(open_page: OpenPage, path: str, locale: str) -> None:
    page = open_page(locale=locale)

    response = page.goto(path)

    assert response is not None
    if response.status == 404:
        pytest.skip(f"{path} does not exist yet")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", locale)
    shot(page, f"{path.strip('/') or 'home'} {locale}")
    assert_accessible(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_account_page_is_accessible(open_page: OpenPage, locale: str) -> None:
    page = open_page(locale=locale)
    register(page, name="Elena Conti", email=unique_email("elena"))
    field(page, "Token name", locale).fill("Accessibile")
    submit(page, t("Create token", locale))

    expect(page.get_by_role("status")).to_be_visible()
    shot(page, f"account {locale}")
    assert_accessible(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_forms_with_errors_are_accessible_on_a_phone(open_page: OpenPage, locale: str) -> None:
    page = open_page(phone=True, locale=locale)
    page.goto("/register")
    field(page, "E-mail", locale).fill("nope")

    assert submit(page, t("Create account", locale)) == 422
    shot(page, f"register errors {locale}")
    assert_accessible(page)

    page.goto("/login")
    assert submit(page, t("Log in", locale)) == 422
    shot(page, f"login errors {locale}")
    assert_accessible(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_not_found_page_is_accessible(open_page: OpenPage, locale: str) -> None:
    page = open_page(locale=locale)

    response = page.goto("/no-such-page")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Not found", locale))
    shot(page, f"not found {locale}")
    assert_accessible(page)


def test_language_switch_between_italian_and_english_is_remembered(phone: Page) -> None:
    phone.goto("/login")
    expect(phone.locator("html")).to_have_attribute("lang", "it")
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Log in", "it"))
    shot(phone, "italian by default")

    phone.get_by_role("link", name="EN", exact=True).click()

    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(phone.get_by_text("EN", exact=True)).to_have_attribute("aria-current", "true")
    shot(phone, "english")
    phone.get_by_role("link", name=t("Sign up", "en"), exact=True).first.click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign up")
    shot(phone, "english remembered")

    phone.get_by_role("link", name="IT", exact=True).click()

    expect(phone.locator("html")).to_have_attribute("lang", "it")
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Sign up", "it"))
    shot(phone, "back to italian")


def test_italian_pages_are_translated(open_page: OpenPage) -> None:
    """Italian is the default: the core pages must not fall back to English text."""
    for path, heading in (("/login", "Log in"), ("/register", "Sign up")):
        page = open_page(locale="it")
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).not_to_have_text(heading)
