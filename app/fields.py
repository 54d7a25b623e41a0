"""Field types every domain's input schemas share, so forms and JSON read the same way.

Bounds given with `Field(...)` apply to the value after these clean-ups: a name of spaces
only is empty, so `min_length=1` says "This field is required".
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

import idna
from confusable_homoglyphs import categories, confusables
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, EmailStr

from app.db import Id
from app.i18n import gettext as _


def _one_line(value: Any) -> Any:
    """Names and titles: runs of spaces, tabs and line breaks become one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    """Forms send "" for an untouched optional field."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _blank_to_zero(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return 0
    return value


def _checkbox(value: Any) -> Any:
    """A form checkbox is "on" when ticked and absent otherwise; JSON sends a boolean."""
    if isinstance(value, str):
        return value.strip().lower() in {"on", "1", "true", "yes"}
    return value


Stripped = BeforeValidator(_stripped)
OneLine = Annotated[str, BeforeValidator(_one_line)]
Text = Annotated[str, Stripped]
OptionalId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
OptionalDatetime = Annotated[datetime | None, BeforeValidator(_blank_to_none)]
# What <input type="datetime-local"> sends and shows (a time in the challenge's zone).
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
Checkbox = Annotated[bool, BeforeValidator(_checkbox)]
# A number field left empty is 0 (commitments a sponsor does not offer).
BlankIsZero = BeforeValidator(_blank_to_zero)


def BlankIsDefault(default: int) -> BeforeValidator:
    """A number field left empty takes `default`."""
    return BeforeValidator(lambda v: default if isinstance(v, str) and not v.strip() else v)


# --- E-mail addresses ---
#
# An address is an identity here (roles are granted to it), so two spellings that look the
# same must be one account, and an address made to look like another one is refused:
# NFKC folds full-width and other compatibility forms, case-folding the case; what is still
# not ASCII in the part before the @ is refused (look-alikes such as a dotless i or a
# Cyrillic a hide there, and hardly any mail server delivers such addresses); a domain
# may be internationalised (caffè.it) if each label keeps to one script and has no
# letter Unicode lists as a look-alike of an ASCII one. Domains are kept in their ASCII
# (IDNA) form, so what is stored and compared is always plain ASCII.


def _folded(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _ascii_domain(domain: str) -> str:
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError and the codec's own
        return domain


def normalise_email(value: str) -> str:
    """The form an address is stored and looked up in (never raises: a lookup of something
    that is no address simply finds nobody)."""
    local, at, domain = _folded(value).rpartition("@")
    if not at:
        return _folded(value)
    return f"{local}@{_ascii_domain(domain)}"


def _unicode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return idna.decode(label)
    except UnicodeError:
        return label


def _deceptive(label: str) -> bool:
    """A label mixing scripts, or with a non-ASCII letter that looks like an ASCII one."""
    scripts = {categories.alias(ch) for ch in label} - {"COMMON", "INHERITED"}
    if len(scripts) > 1:
        return True
    for ch in label:
        if ch.isascii():
            continue
        lookalikes = confusables.confusables_data.get(ch) or []
        if any(item["c"].isascii() for item in lookalikes):
            return True
    return False


def _safe_email(value: str) -> str:
    address = normalise_email(value)
    local, _at, domain = address.rpartition("@")
    if not local.isascii():
        raise ValueError(
            _(
                "Please write the part before the @ with plain letters (a-z), digits and "
                "the signs . _ - +: letters of other alphabets that look like them are not "
                "accepted."
            )
        )
    labels = [_unicode_label(label) for label in domain.split(".")]
    if any(_deceptive(label) for label in labels):
        raise ValueError(
            _(
                "This address mixes alphabets or uses letters that imitate others, so it "
                "could pass for someone else's. Please check it."
            )
        )
    try:  # folding can make an address of what was none (a small-form @ becomes a real one)
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValueError(_("Please enter a valid e-mail address.")) from None
    return address


# An address as a person types it: checked (email-validator), folded and refused when it
# could pass for another (see above). The schema still says format "email".
Email = Annotated[EmailStr, AfterValidator(_safe_email)]
