"""A teacher's account, in a real browser: sign up on a phone, log out and in, API tokens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    PASSWORD,
    assert_fits_screen,
    confirm_address,
    field,
    login,
    logout,
    register,
    shot,
    submit,
    t,
    unique_email,
)
from tests.e2e.server import LiveServer

pytestmark = pytest.mark.e2e


def test_teacher_signs_up_on_a_phone_logs_out_and_back_in(phone: Page) -> None:
    email = unique_email("teacher")
    phone.goto("/login?next=/account")
    shot(phone, "login page")

    phone.get_by_role("link", name=t("Sign up"), exact=True).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Sign up"))
    field(phone, "Full name").fill("Maria Bianchi")
    field(phone, "E-mail").fill(email)
    field(phone, "Password").fill(PASSWORD)
    shot(phone, "sign-up form filled")
    submit(phone, t("Create account"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Check your e-mail"))
    shot(phone, "check your e-mail")
    confirm_address(phone, email=email)

    phone.get_by_role("link", name="Maria Bianchi", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Your account"))
    expect(phone.get_by_text(email)).to_be_visible()
    shot(phone, "account page")
    assert_fits_screen(phone)

    logout(phone)
    shot(phone, "logged out")
    phone.goto("/account")
    expect(phone).to_have_url(re.compile(r"/login\?next=/account$"))

    login(phone, email=email)
    expect(phone).to_have_url(re.compile(r"/account$"))
    expect(phone.get_by_text(email)).to_be_visible()
    shot(phone, "logged in again")


def test_api_token_created_on_account_page_works_with_the_api(
    phone: Page, live_server: LiveServer
) -> None:
    email = unique_email("teacher")
    register(phone, name="Luca Verdi", email=email)

    field(phone, "Token name").fill("Registro di classe")
    status = submit(phone, t("Create token"))

    assert status == 201
    notice = phone.get_by_role("status")
    expect(notice).to_contain_text(t("Your new token. Copy it now: it will not be shown again."))
    secret = notice.locator("code").inner_text().strip()
    expect(phone.get_by_text("Registro di classe")).to_be_visible()
    shot(phone, "token created")
    me = phone.request.get(
        f"{live_server.url}/api/v1/me", headers={"authorization": f"Bearer {secret}"}
    )
    assert me.status == 200
    assert me.json()["email"] == email

    phone.reload()  # shown once: a new page does not show the secret again
    expect(phone.get_by_text(secret)).to_have_count(0)


def test_sign_up_with_bad_input_shows_errors_next_to_fields_and_keeps_the_name(
    phone: Page,
) -> None:
    phone.goto("/register?next=/account")
    field(phone, "Full name").fill("Giulia <b>Neri</b>")
    field(phone, "E-mail").fill("not-an-email")
    field(phone, "Password").fill("short")

    status = submit(phone, t("Create account"))

    assert status == 422
    expect(phone.get_by_role("alert")).to_contain_text(t("Please correct the highlighted fields."))
    name = field(phone, "Full name")
    email = field(phone, "E-mail")
    password = field(phone, "Password")
    expect(name).to_have_value("Giulia <b>Neri</b>")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(password).to_have_value("")
    for wrong, error_id in ((email, "e-email"), (password, "e-password")):
        expect(wrong).to_have_attribute("aria-invalid", "true")
        expect(wrong).to_have_attribute("aria-describedby", _containing(error_id))
        expect(phone.locator(f"#{error_id}")).to_be_visible()
    shot(phone, "errors next to fields")
    assert_fits_screen(phone)

    address = unique_email("giulia")
    email.fill(address)
    password.fill(PASSWORD)
    submit(phone, t("Create account"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Check your e-mail"))
    confirm_address(phone, email=address)
    expect(phone.get_by_text("Giulia <b>Neri</b>")).to_have_count(2)  # nav and page, escaped
    shot(phone, "corrected and signed up")


def test_token_without_a_name_is_refused_next_to_the_field(page: Page) -> None:
    register(page, name="Paolo Gialli", email=unique_email("paolo"))

    status = submit(page, t("Create token"))

    assert status == 422
    expect(field(page, "Token name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-name")).to_be_visible()
    expect(page.get_by_text(t("No API tokens yet."))).to_be_visible()
    shot(page, "token name missing")


def test_login_with_wrong_password_keeps_email_and_says_why(page: Page) -> None:
    email = unique_email("anna")
    register(page, name="Anna Rossi", email=email)
    logout(page)

    page.goto("/login?next=/account")
    field(page, "E-mail").fill(email)
    field(page, "Password").fill("not the password")
    status = submit(page, t("Log in"))

    assert status == 400
    expect(page.get_by_role("alert")).to_have_text(t("The e-mail or password is not right."))
    expect(field(page, "E-mail")).to_have_value(email)
    expect(field(page, "Password")).to_have_value("")
    shot(page, "wrong password")


def _containing(token: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){re.escape(token)}(\s|$)")
