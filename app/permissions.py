"""The one rule for what someone who may not do something learns, in every domain.

Something they may not see is "not found" (404): we do not reveal that it exists. Something
they may see but not change is "not allowed" (403), with a message saying who may. Each
domain's permissions module decides what a person may see and do; this module decides how
a refusal looks, so pages and the API answer alike everywhere.
"""

from __future__ import annotations

from app.errors import AppError, Forbidden, NotFound
from app.i18n import gettext as _


def refusal(*, visible: bool, message: str | None = None) -> AppError:
    """The error for someone who may not: 404 if they may not see the object, else 403."""
    if not visible:
        return NotFound()
    return Forbidden(message or _("You are not allowed to do this."))


def require(allowed: bool, *, visible: bool, message: str | None = None) -> None:
    """Raise the refusal unless `allowed`; `visible` says whether they may see the object."""
    if not allowed:
        raise refusal(visible=visible, message=message)
