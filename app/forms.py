"""Reading forms: CSRF check, size limits, and validation into a schema with human messages."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from app.errors import Forbidden, ValidationFailed
from app.i18n import gettext as _

Schema = TypeVar("Schema", bound=BaseModel)

MAX_FIELDS = 200


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    message = "Your form expired or came from another site. Please reload the page and try again."


def csrf_token(request: Request) -> str:
    """The token forms carry: bound to this browser's CSRF cookie by our secret."""
    cookie: str = request.state.csrf_cookie
    secret = request.app.state.settings.secret_key.encode()
    return hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest()


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """Parse a posted form and check its CSRF token; raise before anything is written."""
    settings = request.app.state.settings
    form = await request.form(
        max_files=max_files, max_fields=MAX_FIELDS, max_part_size=settings.max_upload_bytes
    )
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
        await form.close()
        raise CsrfFailed(_(CsrfFailed.message))
    return form


def form_values(form: FormData) -> dict[str, str]:
    """The text fields, to re-show the form as the person filled it in."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


def validate(schema: type[Schema], data: Mapping[str, Any]) -> Schema:
    """Build the schema or raise ValidationFailed with one readable message per field."""
    try:
        return schema.model_validate(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "__all__"
        errors.setdefault(field, _message(err))
    return errors


def _message(err: Any) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Please enter at least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Please enter at most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in {"int_parsing", "int_type", "float_parsing"}:
        return _("Please enter a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Please enter a number of at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Please enter a number of at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind in {"datetime_parsing", "datetime_from_date_parsing", "datetime_type"}:
        return _("Please enter a date and time.")
    if kind == "value_error" and "email" in str(err.get("msg", "")).lower():
        return _("Please enter a valid e-mail address.")
    if kind in {"value_error", "assertion_error"}:
        # Our own validators raise ValueError with a message already translated.
        return str(ctx.get("error", err["msg"]))
    if kind in {"enum", "literal_error"}:
        return _("Please choose one of the options.")
    return _("Please check this value.")
