"""Posted forms and uploads: CSRF, size limits, validation into a schema with human messages,
and `submit`, the one way a page handles a form (validate -> transaction -> service;
on a refusal the form again with the person's data and the messages beside the fields)."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, get_args

from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.errors import (
    FIXABLE_ON_A_FORM,
    Forbidden,
    UnsupportedMediaType,
    ValidationFailed,
    form_errors,
)
from app.i18n import gettext as _
from app.i18n import ngettext
from app.web import services, settings

Schema = TypeVar("Schema", bound=BaseModel)
Data = TypeVar("Data")
Result = TypeVar("Result")

MAX_FIELDS = 200


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    message = "Your form expired or came from another site. Please reload the page and try again."


def csrf_token(request: Request) -> str:
    """The token forms carry: bound to this browser's CSRF cookie by our secret."""
    return _token_for(settings(request).secret_key, request.state.csrf_cookie)


@functools.lru_cache(maxsize=4096)  # every request makes one: the browsers seen lately
def _token_for(secret: str, cookie: str) -> str:
    return hmac.new(secret.encode(), cookie.encode(), hashlib.sha256).hexdigest()


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """Parse a posted form and check its CSRF token; raise before anything is written."""
    form = await request.form(
        max_files=max_files,
        max_fields=MAX_FIELDS,
        max_part_size=settings(request).max_upload_bytes,
    )
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
        await form.close()
        # What the person typed goes back to them (app.main shows it again to re-send).
        raise CsrfFailed(_(CsrfFailed.message), typed=form_values(form))
    return form


def form_values(form: FormData) -> dict[str, str]:
    """The text fields, to re-show the form as the person filled it in."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def validate(schema: type[Schema], data: Mapping[str, Any]) -> Schema:
    """Build the schema or raise ValidationFailed with one readable message per field."""
    refused = raw_errors(schema, data)
    if refused:
        raise ValidationFailed(refused)
    try:
        return schema.model_validate(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def raw_errors(
    schema: type[BaseModel], data: Mapping[str, Any], prefix: str = ""
) -> dict[str, str]:
    """What is wrong with input *as sent*, before any work: text longer than its field's
    bound (the bounds apply again after clean-ups, where a value of trailing spaces may
    shrink under its bound, but the document promises the bound on what is sent), text
    holding a null character, which no text needs and PostgreSQL cannot store, or JSON's
    true/false where a number is expected (pydantic would read true as 1)."""
    errors: dict[str, str] = {}
    for name, info in schema.model_fields.items():
        value = data.get(name)
        limit = next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)
        if isinstance(value, bool) and _takes_int_not_bool(info.annotation):
            errors[prefix + name] = _("Please enter a whole number.")
        elif isinstance(value, str) and "\x00" in value:
            errors[prefix + name] = _("Please remove the invisible null character from this text.")
        elif isinstance(value, str) and limit is not None and len(value) > limit:
            errors[prefix + name] = ngettext(
                "Please enter at most %(n)s character.",
                "Please enter at most %(n)s characters.",
                limit,
            ) % {"n": limit}
        rows = get_args(info.annotation)
        row_schema = rows[0] if rows else None
        if not (isinstance(value, list) and isinstance(row_schema, type)):
            continue
        if issubclass(row_schema, BaseModel):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    errors |= raw_errors(row_schema, row, f"{prefix}{name}-{index}-")
    return errors


def _takes_int_not_bool(annotation: Any) -> bool:
    kinds = {annotation, *get_args(annotation)}
    return int in kinds and bool not in kinds


@dataclass(frozen=True)
class Filled:
    """A form as the person filled it in, with what is wrong with it: what a page needs to
    show the form again. The empty one is a fresh form."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status_code: int = 200


Guard = Callable[[AsyncSession], Awaitable[object]]


async def submit(
    request: Request,
    *,
    parse: Callable[[dict[str, str]], Data],
    act: Callable[[AsyncSession, Data], Awaitable[Result]],
    done: Callable[[Result], str],
    again: Callable[[Filled], Awaitable[Response]] | None = None,
    guard: Guard | None = None,
) -> Response:
    """Handle a posted form: `guard` (the permission, before the form is read, so someone
    who may not act learns nothing from their input), then `parse` the fields, `act` in one
    transaction, and 303 to `done(result)`. A refusal the person can fix shows the form
    `again` with their input and the messages (without `again`, a form that is only a
    button, it is an error page); nothing was written."""
    if guard is not None:
        async with services(request).db.read() as session:
            await guard(session)
    values = form_values(await read_form(request))
    try:
        data = parse(values)
        async with services(request).db.transaction() as session:
            result = await act(session, data)
    except FIXABLE_ON_A_FORM as exc:
        if again is None:
            raise
        return await again(Filled(values, form_errors(exc), exc.status_code))
    return RedirectResponse(done(result), status_code=303)


def schema(model: type[Schema]) -> Callable[[dict[str, str]], Schema]:
    """`parse` for `submit`: the fields validated into `model`."""
    return lambda values: validate(model, values)


def no_fields(values: dict[str, str]) -> None:
    """`parse` for `submit` of a form that is only a button (publish, submit, withdraw)."""
    return None


@dataclass(frozen=True)
class Upload:
    """One uploaded file, read into memory (it is at most MAX_UPLOAD_BYTES + 1 bytes)."""

    filename: str
    data: bytes


async def read_upload(request: Request, *, name: str = "file", csrf: bool) -> Upload:
    """The one file of a multipart body, for pages (`csrf`) and the API alike: 415 if the
    body is not multipart, 422 without a file; one byte past the limit is kept so the
    domain can tell the person the file is too large."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType(_("Send the file as multipart/form-data."))
    limit = settings(request).max_upload_bytes
    if csrf:
        form = await read_form(request, max_files=1)
    else:
        form = await request.form(max_files=1, max_fields=10, max_part_size=limit)
    try:
        file = form.get(name)
        if not isinstance(file, UploadFile) or not file.filename:
            raise ValidationFailed({name: _("Please choose a file.")})
        return Upload(filename=file.filename, data=await file.read(limit + 1))
    finally:
        await form.close()


def field_errors(exc: ValidationError) -> dict[str, str]:
    """One message per field; a field inside a list is named like a form's row field
    ("members-0-first_name")."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = "-".join(str(part) for part in err["loc"]) if err["loc"] else "__all__"
        errors.setdefault(name, _message(err))
    return errors


def _message(err: Any) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_short":
        n = int(ctx.get("min_length", 1))
        return ngettext(
            "Please enter at least %(n)s character.", "Please enter at least %(n)s characters.", n
        ) % {"n": n}
    if kind == "string_too_long":
        n = int(ctx.get("max_length", 1))
        return ngettext(
            "Please enter at most %(n)s character.", "Please enter at most %(n)s characters.", n
        ) % {"n": n}
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
    if kind == "too_short":
        n = int(ctx.get("min_length", 1))
        return ngettext(
            "Please add at least %(n)s entry.", "Please add at least %(n)s entries.", n
        ) % {"n": n}
    if kind == "too_long":
        n = int(ctx.get("max_length", 1))
        return ngettext(
            "Please give at most %(n)s entry.", "Please give at most %(n)s entries.", n
        ) % {"n": n}
    return _("Please check this value.")


# --- Nothing typed is lost ---------------------------------------------------------------
# A form posted with an expired CSRF cookie, or after the login ended, is not written; the
# answer is a page holding what the person typed, to send again (after logging in). The
# text travels through the person's own page, never stored on the server.
CARRIED = "carried-"  # the login form's fields that hold another form's text


def carried(values: Mapping[str, str]) -> dict[str, str]:
    """Another form's fields carried inside the login form (their prefix taken off)."""
    return {k.removeprefix(CARRIED): v for k, v in values.items() if k.startswith(CARRIED)}


def typed_text(values: Mapping[str, str]) -> dict[str, str]:
    """The fields worth carrying: those with something typed in them."""
    return {k: v for k, v in values.items() if v.strip() and not k.startswith(CARRIED)}
