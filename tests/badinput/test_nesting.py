"""Nested input is bounded before it is parsed: a JSON body nested deeper than MAX_JSON_DEPTH
is a 422 saying so, at a bounded cost, with nothing stored (1,000 levels used to be a
RecursionError, a 500); brackets inside strings do not count.

Forms and multipart bodies are flat (Starlette never makes structures of field names); the
one name we read a number from, a member row's, is bounded too.
"""

from __future__ import annotations

import json
import time

import pytest
from httpx import AsyncClient

from app.accounts.models import User
from app.api import MAX_JSON_DEPTH, nested_deeper_than
from app.challenges.models import PhaseKind
from app.db import Database
from app.teams.models import Project, Team
from tests.badinput.helpers import MB, coach_with_draft, metered
from tests.factories import Actors, make_challenge, post_form
from tests.snapshots import changed_tables, snapshot

JSON = {"content-type": "application/json"}
TOO_DEEP_IT = (
    f"Il corpo annida array e oggetti troppo in profondità (al massimo {MAX_JSON_DEPTH} livelli)."
)


def arrays(levels: int) -> bytes:
    """{"title": [[...]]}: `levels` levels in all, the outer object included."""
    inner = levels - 1
    return b'{"title": ' + b"[" * inner + b"]" * inner + b"}"


def objects(levels: int) -> bytes:
    return b'{"a": ' * levels + b"1" + b"}" * levels


async def _paths(db: Database, actors: Actors) -> tuple[AsyncClient, list[tuple[str, str]]]:
    """A coach's API client, and two operations with a body they may call."""
    coach, project = await coach_with_draft(db, actors)
    async with db.transaction() as session:
        stored = await session.get(User, coach.id)
        assert stored is not None
        stored.may_create_challenges = True  # so creating a challenge is theirs to try
    operations = [
        ("POST", "/api/v1/challenges"),
        ("PUT", f"/api/v1/teams/{project.team_id}/project"),
    ]
    return await actors.api(coach), operations


@pytest.mark.parametrize("levels", [1_000, 100_000])
@pytest.mark.parametrize("shape", [arrays, objects], ids=["arrays", "objects"])
async def test_json_nested_too_deeply_is_a_422_at_a_bounded_cost_and_stores_nothing(
    db: Database, actors: Actors, levels: int, shape: object
) -> None:
    api, operations = await _paths(db, actors)
    body = shape(levels)  # type: ignore[operator]
    before = await snapshot(db)
    responses = []
    with metered() as cost:
        for method, path in operations:
            responses.append(await api.request(method, path, content=body, headers=JSON))
    await api.aclose()

    assert [r.status_code for r in responses] == [422, 422]
    assert [r.json()["error"]["fields"]["__all__"] for r in responses] == [TOO_DEEP_IT] * 2
    assert cost.cpu_seconds < 1 and cost.peak_bytes < 8 * MB
    assert changed_tables(before, await snapshot(db)) == []


async def test_json_at_the_depth_bound_is_parsed_one_level_more_is_not(
    db: Database, actors: Actors
) -> None:
    api, operations = await _paths(db, actors)
    method, path = operations[0]

    at_bound = await api.request(method, path, content=arrays(MAX_JSON_DEPTH), headers=JSON)
    over = await api.request(method, path, content=arrays(MAX_JSON_DEPTH + 1), headers=JSON)
    await api.aclose()

    assert at_bound.status_code == 422
    assert "__all__" not in at_bound.json()["error"]["fields"]  # refused for the title alone
    assert over.json()["error"]["fields"] == {"__all__": TOO_DEEP_IT}


async def test_brackets_and_escaped_quotes_inside_strings_do_not_count(
    db: Database, actors: Actors
) -> None:
    api, operations = await _paths(db, actors)
    description = '[{"\\' * 2000 + "]}" * 1000
    body = {"title": 'Sensori "[[[[" nel Mincio', "description": description}

    response = await api.request(*operations[1], content=json.dumps(body), headers=JSON)
    await api.aclose()

    assert response.status_code == 200
    async with db.read() as session:
        project = (await session.execute(Project.__table__.select())).one()
    assert project.description == description


@pytest.mark.parametrize(
    "raw",
    [
        b'"' + b'\\"' * (MB // 2),  # quotes, all escaped, never closed
        b'"a' * (MB // 2),  # quotes opening strings that close on the next one
        b"[" * MB,  # unbalanced
        b'"' + b"[" * MB,  # never closed, brackets inside
    ],
    ids=["escaped quotes", "many strings", "brackets", "open string"],
)
def test_the_depth_scan_is_linear_on_hostile_text(raw: bytes) -> None:
    started = time.process_time()
    nested_deeper_than(raw, MAX_JSON_DEPTH)

    assert time.process_time() - started < 0.5


def test_the_depth_scan_counts_only_brackets_outside_strings() -> None:
    assert not nested_deeper_than(b'{"a": "[[[[", "b": "\\"[[[["}', 1)
    assert nested_deeper_than(b'{"a": "\\\\", "b": [[1]]}', 2)  # "\\" ends its string
    assert not nested_deeper_than(b'{"a": "\\\\", "b": [[1]]}', 3)


async def test_a_member_row_number_too_long_to_read_is_ignored_not_a_server_error(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    path = f"/challenges/{challenge.id}/teams/new"
    row = "9" * 5000
    form = {"name": "4B Aqua", f"members-{row}-first_name": "Giulia"}
    form[f"members-{row}-last_name"] = "Rossi"
    async with await actors.client(await actors.user()) as http:
        response = await post_form(http, path, form, form_page=path)

    assert response.status_code == 422
    async with db.read() as session:
        assert (await session.execute(Team.__table__.select())).all() == []
