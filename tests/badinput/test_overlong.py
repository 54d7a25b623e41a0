"""Overlong text in every page form and JSON API body, field by field.

For each text field with a max_length: one character over is a 422 whose message, next to
the field, says how long it may be (the page keeps what else was typed); a 1 MB value is
refused just as clearly at a bounded cost (by the API as a body over its 1 MB limit, 413);
neither writes anything. At exactly the limit the
value is taken, which also proves the database column holds what the schema lets through.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from httpx import Response
from markupsafe import escape
from pydantic import BaseModel
from starlette.applications import Starlette

from app.api import Operation
from app.challenges.schemas import PhasesForm, RoleGrant
from app.db import Database
from app.i18n import gettext, ngettext, use_locale
from app.judging.schemas import RubricCreate, ScoresIn
from app.main import API_ROUTERS, PAGE_ROUTES
from app.teams.schemas import TeamInput
from app.web import services
from tests.badinput.helpers import MB, metered
from tests.badinput.overlong import (
    API_BODIES,
    FORMS_WITHOUT_TEXT,
    NOT_READ_DIRECTLY,
    PAGE_FORMS,
    Target,
    TextField,
    input_schemas,
    read_by,
    text_fields,
)
from tests.security.conftest import WorldHolder
from tests.security.probe import enumerate_routes
from tests.security.world import World
from tests.snapshots import changed_tables, snapshot

ACCEPTED = {200, 201, 303}
# Fields whose value must name something that exists (an account, a time zone) or match a
# stored secret: at the limit they pass the length check and then fail on that, as they should.
LOOKUPS = {
    ("/login", "email"),
    ("/login", "password"),
    ("/login/code", "code"),
    ("/account/password", "current_password"),
    ("/account/two-factor", "code"),
    ("/account/two-factor/disable", "password"),
    ("/account/two-factor/disable", "code"),
    ("/challenges/{id:int}/people", "email"),
    ("/admin/creators", "email"),
    ("/challenges/{id:int}/judging/judges", "email"),
    ("/challenges/{id:int}/sponsors/representatives", "email"),
    ("add_judge", "email"),
    ("add_representative", "email"),
    ("grant_role", "email"),
    # Each line of the list must be an address: one padded line is a line refused (and
    # reported), not a list taken.
    ("/challenges/{id:int}/invitations", "emails"),
    ("/companies/{id:int}/representatives", "emails"),
    # A link's token: one of the longest length is no token of ours (refused as not valid).
    ("confirm_vote", "token"),
}
TIME_ZONE = ("timezone",)

OPERATIONS: dict[str, Operation] = {
    op.endpoint.__name__: op
    for router in API_ROUTERS
    for op in router.operations
    if op.body is not None
}


# The query strings API operations declare (ApiRouter.route(query=...)).
QUERY_MODELS: set[type[BaseModel]] = {
    op.query for router in API_ROUTERS for op in router.operations if op.query is not None
}


def body_of(op: Operation) -> type[BaseModel]:
    assert op.body is not None
    return op.body


PAGE_CASES = [
    pytest.param(template, field, id=f"{template}:{field.form_name}")
    for template, form in PAGE_FORMS.items()
    for field in text_fields(form.schema)
]
API_CASES = [
    pytest.param(name, field, id=f"{name}:{field.form_name}")
    for name, op in OPERATIONS.items()
    for field in text_fields(body_of(op))
]


def long_email(length: int) -> str:
    """A well-formed address of exactly `length` characters (labels of at most 63)."""
    head, tail = "ada@", ".org"
    labels: list[str] = []
    left = length - len(head) - len(tail)
    while left > 0:
        size = min(63, left)
        if left - size == 1:  # never leave room for an empty label
            size -= 1
        labels.append("d" * size)
        left -= size + 1
    value = head + ".".join(labels) + tail
    assert len(value) == length
    return value


def typed(base: str, length: int, field: TextField) -> str:
    """The valid value padded to `length`: only its length can be wrong."""
    if field.is_email:
        return long_email(length)
    return base + "x" * (length - len(base))


def length_message(field: TextField, locale: str) -> str:
    with use_locale(locale):
        n = field.max_length
        assert n is not None
        return ngettext(
            "Please enter at most %(n)s character.", "Please enter at most %(n)s characters.", n
        ) % {"n": n}


def messages(field: TextField, locale: str) -> set[str]:
    """What a person may be told. An address past 254 characters is not an address, so
    "not a valid e-mail address" is as true and as clear there."""
    told = {length_message(field, locale)}
    if field.is_email:
        with use_locale(locale):
            told.add(gettext("Please enter a valid e-mail address."))
    return told


def _tag(html: str, action: str, name: str) -> str:
    """The field's tag, in the form that posts to `action` (a page may have several)."""
    forms = [
        body
        for target, body in re.findall(
            r'<form\b[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>', html, re.S
        )
        if target.split("?")[0] == action
    ]
    assert len(forms) == 1, f"the page has {len(forms)} forms posting to {action}"
    found = re.findall(rf'<(?:input|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', forms[0])
    assert len(found) == 1, f"the form shows {len(found)} fields named {name}"
    return str(found[0])


def page_errors(html: str) -> dict[str, str]:
    """The messages shown next to fields, by the name of the field (whose id may carry a
    prefix: two forms of one page with a field of the same name)."""
    found = re.findall(r'<p class="error-text" id="e-([^"]+)">(.*?)</p>', html, re.S)
    return {_field_name(html, key): message for key, message in found}


def _field_name(html: str, key: str) -> str:
    tag = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="f-{re.escape(key)}"[^>]*>', html)
    named = re.search(r'\bname="([^"]+)"', tag.group(0)) if tag else None
    return named.group(1) if named else key


def _escaped(told: set[str]) -> set[str]:
    return {str(escape(message)) for message in told}


async def _post_page(world: World, target: Target, data: dict[str, str]) -> Response:
    http = world.pages[target.role]
    return await http.post(target.path, data={**data, "csrf_token": world.tokens[target.role]})


async def _fresh_world(holder: WorldHolder) -> tuple[Starlette, Database, World]:
    """The security suite's world, as freshly built, in the module's one app: built once,
    then put back after each case (tests/security/saved.py), since every case writes."""
    world = await holder.get()
    return holder.app, services(holder.app).db, world


def _locale(app: Starlette) -> str:
    return str(app.state.settings.default_locale)


@pytest.mark.parametrize(("template", "field"), PAGE_CASES)
async def test_overlong_text_in_a_page_form_is_refused_and_the_form_kept(
    world_holder: WorldHolder, template: str, field: TextField
) -> None:
    form = PAGE_FORMS[template]
    assert field.max_length is not None, f"{form.schema.__name__}: {field.path} has no max_length"
    limit, name = field.max_length, field.form_name
    app, db, world = await _fresh_world(world_holder)
    try:
        target = await form.setup(world, db)
        base = target.data[name]
        others = {
            other.form_name: target.data[other.form_name]
            for other in text_fields(form.schema)
            if other != field and "password" not in other.form_name
        }
        told = _escaped(messages(field, _locale(app)))
        shown = await world.pages[target.role].get(target.page)
        assert shown.status_code == 200
        field_tag = _tag(shown.text, target.path, name)
        assert f'maxlength="{limit}"' in field_tag, "the browser is not told the limit"
        before = await snapshot(db)

        over = await _post_page(world, target, {**target.data, name: typed(base, limit + 1, field)})
        assert over.status_code == 422, over.text[:500]
        assert over.headers["content-type"].startswith("text/html")
        errors = page_errors(over.text)
        assert list(errors) == [name] and errors[name] in told, errors
        assert 'aria-invalid="true"' in _tag(over.text, target.path, name)
        kept = [other for other, value in others.items() if str(escape(value)) not in over.text]
        assert kept == [], f"the re-shown form lost what was typed in {kept}"

        with metered() as cost:
            huge = await _post_page(world, target, {**target.data, name: typed(base, MB, field)})
        assert huge.status_code == 422, huge.text[:500]
        errors = page_errors(huge.text)
        assert list(errors) == [name] and errors[name] in told, errors
        assert cost.cpu_seconds < 3 and cost.peak_bytes < 32 * MB, cost

        assert changed_tables(before, await snapshot(db)) == []

        at_limit = await _post_page(world, target, {**target.data, name: typed(base, limit, field)})
        assert at_limit.status_code < 500
        assert page_errors(at_limit.text).get(name) not in told
        if (template, name) not in LOOKUPS and field.path != TIME_ZONE:
            assert at_limit.status_code in ACCEPTED, (at_limit.status_code, at_limit.text[:500])
    finally:
        world_holder.dirty = True  # the setup and the value at the limit wrote


def _put(body: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    """The body with the field at `path` (in the first item of a list) set to value."""
    copy = dict(body)
    head, *rest = path
    if not rest:
        copy[head] = value
        return copy
    items = list(copy[head])
    items[0] = _put(items[0], tuple(rest), value)
    copy[head] = items
    return copy


def _get(body: dict[str, Any], path: tuple[str, ...]) -> str:
    head, *rest = path
    return str(body[head]) if not rest else _get(body[head][0], tuple(rest))


def _field_error(response: Response) -> dict[str, str]:
    fields: dict[str, str] = response.json()["error"]["fields"]
    return fields


@pytest.mark.parametrize(("endpoint", "field"), API_CASES)
async def test_overlong_text_in_an_api_body_is_refused(
    world_holder: WorldHolder, endpoint: str, field: TextField
) -> None:
    op = OPERATIONS[endpoint]
    assert field.max_length is not None, f"{endpoint}: {field.path} has no max_length"
    assert endpoint in API_BODIES, f"tests/badinput/overlong.py has no body for {endpoint}"
    limit = field.max_length
    keys = {field.path[0], field.form_name}  # the body's field, or the row's field (teams)
    app, db, world = await _fresh_world(world_holder)
    told = messages(field, _locale(app))
    try:
        target = await API_BODIES[endpoint](world, db)
        http, url = world.api[target.role], "/api/v1" + target.path
        base = _get(target.data, field.path)
        before = await snapshot(db)

        over = await http.request(
            op.method, url, json=_put(target.data, field.path, typed(base, limit + 1, field))
        )
        assert over.status_code == 422, over.text[:500]
        errors = _field_error(over)
        assert len(errors) == 1 and set(errors) <= keys, errors
        assert set(errors.values()) <= told, errors

        with metered() as cost:
            huge = await http.request(
                op.method, url, json=_put(target.data, field.path, typed(base, MB, field))
            )
        # A 1 MB value makes a body over the API's 1 MB limit: refused before it is parsed.
        assert huge.status_code == 413, huge.text[:500]
        assert huge.json()["error"]["code"] == "payload_too_large"
        assert cost.cpu_seconds < 3 and cost.peak_bytes < 32 * MB, cost

        assert changed_tables(before, await snapshot(db)) == []

        at_limit = await http.request(
            op.method, url, json=_put(target.data, field.path, typed(base, limit, field))
        )
        if (endpoint, field.path[-1]) in LOOKUPS or field.path == TIME_ZONE:
            # The length passes; the value then names no account or zone, and says so.
            assert at_limit.status_code == 422, at_limit.text[:500]
            assert not set(_field_error(at_limit).values()) & told
        else:
            assert at_limit.status_code == op.status, (at_limit.status_code, at_limit.text[:500])
    finally:
        world_holder.dirty = True  # the setup and the value at the limit wrote


def test_every_form_and_body_is_walked() -> None:
    """A new page form, API body or input schema must be listed in tests/badinput/overlong.py."""
    posted = {path for method, path in enumerate_routes(PAGE_ROUTES) if method == "POST"}
    assert posted - set(PAGE_FORMS) - set(FORMS_WITHOUT_TEXT) == set(), "unlisted page form"
    assert set(PAGE_FORMS) & set(FORMS_WITHOUT_TEXT) == set()
    for path, schema in FORMS_WITHOUT_TEXT.items():
        assert schema is None or text_fields(schema) == [], f"{path} takes text"
    with_text = {name for name, op in OPERATIONS.items() if text_fields(body_of(op))}
    assert with_text - set(API_BODIES) == set(), "API body without a setup"
    # A query string's text is bounded by its model, before any work is done.
    for model in QUERY_MODELS:
        unbounded = [field.path for field in text_fields(model) if field.max_length is None]
        assert unbounded == [], f"{model.__name__}: query text without a bound"

    read = read_by(
        {form.schema for form in PAGE_FORMS.values()}
        | {schema for schema in FORMS_WITHOUT_TEXT.values() if schema is not None}
        | {body_of(op) for op in OPERATIONS.values()}
        | QUERY_MODELS
    )
    unread = {
        schema.__name__
        for schema in input_schemas()
        if not any(issubclass(used, schema) for used in read)
    }
    assert unread == set(NOT_READ_DIRECTLY), "an input schema nothing here reads"


def test_the_walk_finds_the_fields_it_should() -> None:
    """The walker itself: nested rows, optional text, e-mails; not choices, dates or numbers."""
    rubric = {f.form_name: f.max_length for f in text_fields(RubricCreate)}
    assert rubric == {"name": 120, "criteria-0-name": 80, "criteria-0-guidance": 500}
    assert [f.form_name for f in text_fields(ScoresIn)] == ["comment"]
    assert text_fields(RoleGrant) == [TextField(("email",), 254, is_email=True)]
    assert [f.form_name for f in text_fields(PhasesForm)] == ["reason"]
    team = {f.form_name for f in text_fields(TeamInput)}
    assert team == {
        "name",
        "institution_name",
        "institution_city",
        "class_name",
        "members-0-first_name",
        "members-0-last_name",
    }
    assert len(PAGE_CASES) > 40 and len(API_CASES) > 25
