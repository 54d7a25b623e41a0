"""The e-mails of accounts: subject, plain text and HTML, in the recipient's language, with
absolute links (BASE_URL). The links' paths are named here once; the routes use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from app import i18n
from app.accounts import tokens
from app.accounts.models import User
from app.config import Settings
from app.i18n import gettext as _
from app.templating import render_string

VERIFY_PATH = "/account/verify"
RESET_PATH = "/password/reset/"  # followed by the token
FORGOT_PATH = "/password/forgot"


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def _link(settings: Settings, path: str, token: str = "") -> str:
    return f"{settings.base_url}{path}" + (f"?token={quote(token)}" if token else "")


def reset_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url}{RESET_PATH}{quote(token)}"


def _letter(name: str, user: User, subject: str, **context: Any) -> Letter:
    """Render templates/emails/accounts/<name>.txt and .html in the person's language."""
    with i18n.use_locale(user.locale):
        context = {"name": user.name, "email": user.email, **context}
        return Letter(
            subject=_(subject),
            text=render_string(f"emails/accounts/{name}.txt", context),
            html=render_string(f"emails/accounts/{name}.html", context),
        )


def verification(settings: Settings, user: User) -> Letter:
    assert user.id is not None
    token = tokens.make(
        settings.secret_key,
        tokens.VERIFY_EMAIL,
        tokens.Claim(user_id=user.id, nonce=user.link_nonce, email=user.email),
    )
    return _letter(
        "verify",
        user,
        i18n.lazy("Confirm your e-mail address for Madrina"),
        link=_link(settings, VERIFY_PATH, token),
    )


def registration_repeated(settings: Settings, user: User) -> Letter:
    return _letter(
        "registration_repeated",
        user,
        i18n.lazy("Someone tried to sign up to Madrina with your address"),
        login=_link(settings, "/login"),
        forgot=_link(settings, FORGOT_PATH),
    )


def reset(settings: Settings, user: User) -> Letter:
    assert user.id is not None
    token = tokens.make(
        settings.secret_key,
        tokens.RESET_PASSWORD,
        tokens.Claim(user_id=user.id, nonce=user.link_nonce),
    )
    return _letter(
        "reset",
        user,
        i18n.lazy("Reset your Madrina password"),
        link=reset_link(settings, token),
    )


def password_changed(settings: Settings, user: User) -> Letter:
    return _letter(
        "password_changed",
        user,
        i18n.lazy("Your Madrina password was changed"),
        forgot=_link(settings, FORGOT_PATH),
    )
