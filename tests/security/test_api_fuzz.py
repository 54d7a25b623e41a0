"""Schemathesis over the JSON API: no server error, and every answer as the OpenAPI document says.

The document is the one the app serves. Hypothesis makes the cases with a fixed budget and
seed, so every run sends the same requests; each goes through httpx to the real app (the
lifespan of tests/security/conftest.py) as an anonymous caller and with the API token of the
organiser of the world's challenge (and of the coach, sponsor or judge for their operations).
Besides random ids, most cases use the world's real ids, so that requests also reach real
objects, get past "not found" and write.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import suppress
from datetime import timedelta
from typing import Any

import schemathesis
from httpx import ASGITransport, AsyncClient, Response
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from app.teams.models import Project
from app.web import services
from tests.factories import make_project, make_team
from tests.security.conftest import WorldHolder
from tests.security.world import CERTIFICATE_CODE, World

BASE_URL = "http://testserver"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Hypothesis examples per operation for valid and for invalid data; where the path has ids,
# most of them use the world's ids and the rest random ones.
BUDGET = {GenerationMode.POSITIVE: 16, GenerationMode.NEGATIVE: 12}
WORLD_SHARE = 0.6
MIN_REQUESTS = 10  # per operation and caller, for operations with parameters or a body
IDENTITIES = ("anonymous", "organiser")
# Operations that are someone else's to do are also tried as that someone, to get past 403.
ALSO_AS = {
    "PUT /api/v1/teams/{id}/project": "coach",
    "POST /api/v1/projects/{id}/files": "coach",
    "POST /api/v1/projects/{id}/submit": "coach",
    "POST /api/v1/projects/{id}/withdraw": "coach",
    "POST /api/v1/adoptions/{id}/accept": "coach",
    "POST /api/v1/adoptions/{id}/decline": "coach",
    "POST /api/v1/projects/{id}/adoptions": "sponsor",
    "POST /api/v1/adoptions/{id}/withdraw": "sponsor",
    "POST /api/v1/adoptions/{id}/amend": "sponsor",
    "POST /api/v1/adoptions/{id}/reply": "coach",
    "POST /api/v1/adoptions/{id}/milestones": "coach",
    "POST /api/v1/adoptions/{id}/milestones/{milestone_id}/confirm": "coach",
    "POST /api/v1/adoptions/{id}/close": "coach",
    "PUT /api/v1/adoptions/{id}/recognition": "sponsor",
    "PUT /api/v1/adoptions/{id}/milestones/{milestone_id}/file": "coach",
    "GET /api/v1/teams/{id}/member-names": "coach",
    "PUT /api/v1/teams/{id}/member-names": "coach",
    "PUT /api/v1/companies/{id}": "sponsor",
    "PUT /api/v1/companies/{id}/logo": "sponsor",
    "DELETE /api/v1/companies/{id}/logo": "sponsor",
    "GET /api/v1/companies/{id}/representatives": "sponsor",
    "GET /api/v1/companies/{id}/ideas": "sponsor",
    "POST /api/v1/companies/{id}/representatives/invitations": "sponsor",
    "POST /api/v1/companies/{id}/representatives/invitations/{invitation_id}/resend": "sponsor",
    "POST /api/v1/companies/{id}/representatives/invitations/{invitation_id}/revoke": "sponsor",
    "PUT /api/v1/challenges/{id}/sponsors/{sponsor_id}/track": "sponsor",
    "PUT /api/v1/assignments/{id}/scores": "judge",
    "GET /api/v1/judging/assignments": "judge",
    "POST /api/v1/challenges/{id}/conflicts": "judge",
    "POST /api/v1/challenges/{id}/conflicts/withdraw": "judge",
    "POST /api/v1/assignments/{id}/recuse": "judge",
    "GET /api/v1/pairwise/{id}": "judge",
    "POST /api/v1/pairwise/{id}/start": "judge",
    "POST /api/v1/pairwise/{id}/seen": "judge",
    "POST /api/v1/pairwise/{id}/votes": "judge",
    "POST /api/v1/pairwise/{id}/skip": "judge",
    "POST /api/v1/pairwise/{id}/undo": "judge",
    "GET /api/v1/sponsors/{id}/projects": "sponsor",
    "GET /api/v1/sponsors/{id}/shortlist": "sponsor",
    "PUT /api/v1/sponsors/{id}/shortlist/{project_id}": "sponsor",
    "DELETE /api/v1/sponsors/{id}/shortlist/{project_id}": "sponsor",
    "GET /api/v1/sponsors/{id}/projects/{project_id}/notes": "sponsor",
    "POST /api/v1/sponsors/{id}/projects/{project_id}/notes": "sponsor",
    "DELETE /api/v1/sponsors/{id}/notes/{note_id}": "sponsor",
    "GET /api/v1/adoptions/{id}/team": "sponsor",
    "GET /api/v1/assignments/{id}/others": "judge",
    "GET /api/v1/projects/{id}/feedback": "coach",
}
# Writes that the cases must bring off at least once, and as whom (the other writes mostly
# need data random generation does not guess, such as the e-mail of an existing account).
WRITES_THAT_SUCCEED = {
    ("POST /api/v1/challenges", "organiser"),
    ("POST /api/v1/challenges/{id}/tracks", "organiser"),
    ("PUT /api/v1/challenges/{id}/phases", "organiser"),
    ("POST /api/v1/challenges/{id}/sponsors", "organiser"),
    ("POST /api/v1/certificates/{certificate_id}/revoke", "organiser"),
    ("POST /api/v1/rounds/{id}/close", "organiser"),
    ("PUT /api/v1/assignments/{id}/scores", "judge"),
    ("POST /api/v1/projects/{id}/withdraw", "coach"),
    ("POST /api/v1/adoptions/{id}/accept", "coach"),
    ("PUT /api/v1/teams/{id}/project", "coach"),
    ("POST /api/v1/projects/{id}/files", "coach"),
    ("POST /api/v1/challenges/{id}/invitations/{invitation_id}/resend", "organiser"),
    ("PUT /api/v1/sponsors/{id}/shortlist/{project_id}", "sponsor"),
    ("POST /api/v1/companies/{id}/representatives/invitations", "sponsor"),
    ("POST /api/v1/companies/{id}/representatives/invitations/{invitation_id}/resend", "sponsor"),
}
# Operations on a draft project of the coach's (a second team) rather than the world's one.
DRAFT_OPERATIONS = {"/api/v1/teams/{id}/project", "/api/v1/projects/{id}/files"}
# The last part of the path of an operation that changes the state others depend on.
STATE_CHANGES = {
    "phases",
    "submit",
    "accept",
    "decline",
    "assign",
    "open",
    "close",
    "publish",
    "undo",
    "settings",  # a round's projects changed in preparation drop its assignments
}
# ... and those that take something away, last of all (an offer accepted before its project
# or the offer itself is withdrawn; a sheet scored before its assignment or judge goes).
# A revoked invitation cannot be sent again, so it is revoked after the resend.
# Voided votes of the people's choice never count again, so they are voided after the votes.
REMOVALS = {"withdraw", "remove", "judge", "revoke", "void"}
# ... and what hides the world's challenge from everyone but its organisers, after all else.
HIDING = {"unpublish"}


def in_order(operations: list[Any]) -> list[Any]:
    """Reads first, while the world is as built; then writes; state changes (new phase windows,
    a closed round, a withdrawn project ...) last, so the writes before them find things open."""

    def rank(operation: Any) -> int:
        last = operation.path.rsplit("/", 1)[-1]
        if operation.method.upper() == "GET":
            return 0
        if last in HIDING:
            return 4
        if operation.method.upper() == "DELETE" or last in REMOVALS:
            return 3
        return 2 if last in STATE_CHANGES else 1

    return sorted(operations, key=rank)


def world_ids(world: World, path: str, draft: Project) -> dict[str, Any]:
    """The world's object for every path parameter of the operation."""
    if path in DRAFT_OPERATIONS:  # the world's project is submitted, so locked
        return {"id": draft.id if "/projects/" in path else draft.team_id}
    if path.startswith("/api/v1/rounds/{id}/votes"):  # the people's choice: an open public vote
        return {"id": world.vote_round.id}
    by_collection = {
        "challenges": world.challenge.id,
        "teams": world.team.id,
        "projects": world.project.id,
        "adoptions": world.adoption.id,
        "rounds": world.round.id,
        "rubrics": world.round.rubric_id,
        "assignments": world.assignment.id,
        "programmes": world.programme.id,
        "pairwise": world.pairwise_round.id,
        "sponsors": world.sponsor.id,
        "companies": world.sponsor.company_id,
    }
    values: dict[str, Any] = {
        "id": by_collection.get(path.removeprefix("/api/v1/").split("/")[0]),
        "challenge_id": world.challenge.id,
        "sponsor_id": world.sponsor.id,
        "milestone_id": world.milestone.id,
        "project_id": world.project.id,
        "note_id": world.note.id,
        "certificate_id": world.certificate.id,
        "judge_id": world.judge_id,
        "track_id": world.track.id,
        "role_id": world.spare_role.id,
        "invitation_id": world.invitation.id,
        "code": CERTIFICATE_CODE,
        "name": "members.csv",
    }
    if "/representatives/invitations/" in path:  # a representative's, to the company
        values["invitation_id"] = world.colleague_invitation.id
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return {name: values[name] for name in names}


def generate(strategy: Any, budget: int) -> list[Case]:
    """Up to `budget` cases from the strategy, the same ones on every run."""
    cases: list[Case] = []

    @settings(
        max_examples=budget,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Case) -> None:
        cases.append(case)

    # Unsatisfiable: nothing can be made invalid (say, no parameters and no body)
    with suppress(Unsatisfiable):
        collect()
    return cases


def cases_for(operation: Any, world: World, draft: Project) -> list[Case]:
    cases: list[Case] = []
    for mode, budget in BUDGET.items():
        if operation.path_parameters:
            ids = world_ids(world, operation.path, draft)
            strategy = operation.as_strategy(mode, path_parameters=ids)
            on_world = generate(strategy, round(budget * WORLD_SHARE))
            cases += on_world
            budget -= len(on_world)  # a GET on a fixed path is one case: the rest go random
        cases += generate(operation.as_strategy(mode), budget)
    return cases


def request_args(case: Case, token: str | None) -> dict[str, Any]:
    """httpx's arguments for the case (schemathesis serialises it for requests)."""
    sent = case.as_transport_kwargs(base_url=BASE_URL)
    unknown = set(sent) - {"method", "url", "headers", "params", "cookies", "json", "files", "data"}
    assert not unknown, f"unexpected transport arguments {unknown}"
    assert not sent["cookies"], "the API reads no cookies"
    headers = dict(sent["headers"])
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    args: dict[str, Any] = {
        "method": sent["method"],
        "url": sent["url"],
        "headers": headers,
        "params": sent["params"],
    }
    if "json" in sent:
        args["content"] = json.dumps(sent["json"]).encode()
    elif sent.get("files") is not None:
        # requests takes form fields as (name, (None, value)) among the files; httpx as `data`
        files, fields = [], {}
        for name, value in sent["files"]:
            if isinstance(value, tuple) and value[0] is None:
                fields.setdefault(name, []).append(str(value[1]))
            else:
                files.append((name, value))
        args["files"] = files
        args["data"] = fields
    elif sent.get("data") is not None:
        data = sent["data"]
        args["content"] = data if isinstance(data, bytes) else str(data).encode()
    return args


def broken_promises(case: Case, response: Response) -> FailureGroup | None:
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as exc:
        return exc
    return None


async def test_every_json_body_nested_a_thousand_deep_is_refused_as_documented(
    shared_app: Starlette, world_holder: WorldHolder
) -> None:
    """Schemathesis never nests deeply; each operation with a JSON body gets a body that
    does, from the organiser and from whoever else may act on the world's objects."""
    world = await world_holder.get()
    deep = b'{"name": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    answers: dict[tuple[str, str], int] = {}
    transport = ASGITransport(app=shared_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        document = (await http.get("/api/v1/openapi.json")).json()
        for path, methods in document["paths"].items():
            for method, spec in methods.items():
                if "application/json" not in spec.get("requestBody", {}).get("content", {}):
                    continue
                label = f"{method.upper()} {path}"
                url = path.format(**world_ids(world, path, world.project))
                for identity in ("organiser", *([ALSO_AS[label]] if label in ALSO_AS else [])):
                    response = await world.api[identity].request(
                        method, url, content=deep, headers={"content-type": "application/json"}
                    )
                    answers[label, identity] = response.status_code
                    assert str(response.status_code) in spec["responses"], (label, response.text)

    # Someone who may act reached the bound on every operation: the depth got a 422.
    refused = {label for (label, _identity), status in answers.items() if status == 422}
    assert refused == {label for label, _identity in answers}
    assert len(refused) > 10


async def test_the_api_keeps_the_promises_of_its_openapi_document(
    shared_app: Starlette, world_holder: WorldHolder
) -> None:
    world = await world_holder.get()
    world_holder.dirty = True  # the cases write
    coach = world.users["coach"]
    assert coach is not None
    db = services(shared_app).db
    second_team = await make_team(db, world.challenge, coach=coach)
    draft = await make_project(db, second_team, submitted=False)
    tokens: dict[str, str | None] = {
        role: http.headers["authorization"].removeprefix("Bearer ")
        for role, http in world.api.items()
        if role != "anonymous"
    }
    tokens["anonymous"] = None
    sent: Counter[tuple[str, str]] = Counter()
    succeeded: Counter[tuple[str, str]] = Counter()
    failures: dict[tuple[str, str], str] = {}  # (request, broken checks) -> the first report
    # A server error must come back as the 500 a client sees, to be reported with its case.
    transport = ASGITransport(app=shared_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        document = (await http.get("/api/v1/openapi.json")).json()
        schema = schemathesis.openapi.from_dict(document)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in in_order(operations):
            for case in cases_for(operation, world, draft):
                # A case about a missing or malformed token is sent as it is, and once.
                negated = schema.is_security_param_negated(case)
                also = (ALSO_AS[operation.label],) if operation.label in ALSO_AS else ()
                for identity in ("anonymous",) if negated else IDENTITIES + also:
                    request = http.build_request(**request_args(case, tokens[identity]))
                    request.read()  # a multipart body streams, and the checks read it again
                    response = await http.send(request)
                    sent[case.operation.label, identity] += 1
                    succeeded[case.operation.label, identity] += response.is_success
                    broken = broken_promises(case, response)
                    if broken is not None:
                        where = f"{case.operation.label} as {identity} -> {response.status_code}"
                        what = ", ".join(sorted({f.title for f in broken.exceptions}))
                        failures.setdefault((where, what), str(broken))

    report = "\n".join(f"{where}: {what}" for where, what in failures)
    first = "\n\n".join(list(failures.values())[:3])
    assert not failures, f"The API broke its document:\n{report}\n\nFor example:\n\n{first}"

    # Not vacuous: every operation was tried, with variety, and the valid ones got through.
    assert len(operations) == sum(len(methods) for methods in document["paths"].values())
    for operation in operations:
        varies = operation.path_parameters or operation.body  # else only the token varies
        for identity in IDENTITIES:
            assert sent[operation.label, identity] >= (MIN_REQUESTS if varies else 1), (
                operation.label,
                identity,
                dict(sent),
            )
    reads = {(op.label, "organiser") for op in operations if op.method.upper() == "GET"}
    public = {(op.label, "anonymous") for op in operations if "security" not in op.definition.raw}
    public -= {("GET /api/v1/challenges/{id}/results", "anonymous")}  # none published yet
    public -= {("POST /api/v1/votes/confirm", "anonymous")}  # needs an e-mailed link's token
    reads -= {("GET /api/v1/audit", "organiser")}  # the platform's log: administrators only
    reads -= {("GET /api/v1/pairwise/{id}", "organiser")}  # a judge's own walk: judges only
    # A company's search, shortlist and notes are its own: they get through as its
    # representative. The world's offer waits for an answer, so its team is not shown (409).
    company_reads = {
        "GET /api/v1/sponsors/{id}/projects",
        "GET /api/v1/sponsors/{id}/shortlist",
        "GET /api/v1/sponsors/{id}/projects/{project_id}/notes",
        "GET /api/v1/companies/{id}/representatives",
        "GET /api/v1/companies/{id}/ideas",
    }
    reads -= {(label, "organiser") for label in company_reads}
    reads |= {(label, "sponsor") for label in company_reads}
    # What a company may see of the members' names is the coach's to read and record.
    reads -= {("GET /api/v1/teams/{id}/member-names", "organiser")}
    reads |= {("GET /api/v1/teams/{id}/member-names", "coach")}
    reads -= {("GET /api/v1/adoptions/{id}/team", "organiser")}
    # A judge's own sheet, and a team's own comments: never the organisers'.
    reads -= {
        ("GET /api/v1/assignments/{id}/others", "organiser"),
        ("GET /api/v1/projects/{id}/feedback", "organiser"),
    }
    assert reads | public | WRITES_THAT_SUCCEED <= {key for key, n in succeeded.items() if n}

    # The checks do catch a broken promise: a server error on the simplest operation.
    case = schema["/api/v1/challenges"]["GET"].Case()
    request = http.build_request("GET", f"{BASE_URL}/api/v1/challenges")
    server_error = Response(500, json={}, request=request)
    server_error.elapsed = timedelta(0)
    assert broken_promises(case, server_error) is not None
