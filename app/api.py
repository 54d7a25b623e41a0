"""JSON API plumbing: operations that declare their body, permission and answer once, and the
OpenAPI document made from those declarations."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.db import MAX_ID
from app.errors import (
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from app.forms import field_errors, raw_errors
from app.i18n import gettext as _
from app.web import services

Schema = TypeVar("Schema", bound=BaseModel)
Answer = BaseModel | Sequence[BaseModel] | Response | None
# An endpoint takes the request, and the parsed body when its operation declares one; it
# returns the response model (a list of them when `many`), None for "204 No Content", or a
# Response of its own (a file: an export).
ApiEndpoint = Callable[..., Awaitable[Answer]]
# The permission check that runs before the body is read, in a read-only session.
Guard = Callable[[Request, AsyncSession], Awaitable[object]]
MAX_JSON_BYTES = 1024 * 1024
# Our bodies nest 3 levels; json.loads and validation recurse once per level (a body of
# 1,000 levels was a RecursionError, a 500), so the depth is bounded before parsing.
MAX_JSON_DEPTH = 32
_CONVERTOR = re.compile(r"\{(\w+):\w+\}")
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))
_OPENING = frozenset(b"[{")
_QUOTE = ord('"')


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorResponse(BaseModel):
    error: ErrorBody


@dataclass
class Operation:
    path: str
    method: str
    endpoint: ApiEndpoint
    summary: str
    tag: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    many: bool
    status: int
    auth: bool
    errors: tuple[int, ...]
    files: tuple[str, ...]
    guard: Guard | None
    produces: tuple[str, ...]
    query: type[BaseModel] | None


class ApiRouter:
    """A domain's API routes, each declaring once what it takes, who may call it and what
    it returns: the router checks the login and the guard, parses the body into the declared
    schema, hands it to the endpoint and serialises the answer; the OpenAPI document is
    made from the same declarations."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.operations: list[Operation] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        body: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        many: bool = False,
        status: int = 200,
        auth: bool = True,
        errors: tuple[int, ...] = (),
        files: tuple[str, ...] = (),
        guard: Guard | None = None,
        produces: tuple[str, ...] = (),
        query: type[BaseModel] | None = None,
    ) -> Callable[[ApiEndpoint], ApiEndpoint]:
        """`auth`: a bearer token is required (401 without). `guard`: the permission, checked
        before the body is read, so someone who may not act learns nothing from what they
        sent; the service checks it again in its transaction. `files` names the file fields
        of a multipart/form-data body (instead of `body`); `produces` the media types of an
        answer that is a file rather than JSON; `query` the model of the query string,
        given to the endpoint as `query=`."""

        def register(endpoint: ApiEndpoint) -> ApiEndpoint:
            self.operations.append(
                Operation(
                    path,
                    method,
                    endpoint,
                    summary,
                    self.tag,
                    body,
                    response,
                    many,
                    status,
                    auth,
                    errors,
                    files,
                    guard,
                    produces,
                    query,
                )
            )
            return endpoint

        return register

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1" + op.path, _starlette_endpoint(op), methods=[op.method])
            for op in self.operations
        ]


def _starlette_endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    id_names = [name for name, kind in _path_params(op.path) if kind == "integer"]

    @wraps(op.endpoint)
    async def endpoint(request: Request) -> Response:
        # app.ids turns a number past the id range into 0, which names no row.
        if any(request.path_params[name] == 0 for name in id_names):
            raise NotFound()
        if op.auth and getattr(request.state, "user", None) is None:
            raise Unauthorized(_("Please log in."))
        if op.guard is not None:
            async with services(request).db.read() as session:
                await op.guard(request, session)
        args = [await read_json(request, op.body)] if op.body is not None else []
        kwargs = {"query": read_query(request, op.query)} if op.query is not None else {}
        return respond(await op.endpoint(request, *args, **kwargs), op.status)

    return endpoint


async def read_json(request: Request, schema: type[Schema]) -> Schema:
    """Parse and validate a JSON body; 415 for another type, 413 over 1 MB, 422 for bad content."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    # JSON bodies are small: refuse a large one while it arrives, not once it is in memory.
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise PayloadTooLarge("The body is too large for this request (at most 1 MB).")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if nested_deeper_than(raw, MAX_JSON_DEPTH):
        message = _("The body nests arrays and objects too deeply (at most %(n)s levels).")
        raise ValidationFailed({"__all__": message % {"n": MAX_JSON_DEPTH}})
    try:
        data = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed({"__all__": "The body is not valid JSON."}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({"__all__": "The body must be a JSON object."})
    refused = raw_errors(schema, data)
    if refused:
        raise ValidationFailed(refused)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def read_query(request: Request, schema: type[Schema]) -> Schema:
    """The query string as `schema` (a parameter given twice: the last one); 422 when a
    value is not what the parameter takes. Parameters the schema does not name are ignored,
    as a browser's or a proxy's additions would be."""
    data = {name: request.query_params.getlist(name)[-1] for name in request.query_params}
    known = {name: value for name, value in data.items() if name in schema.model_fields}
    try:
        return schema.model_validate(known)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def nested_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the JSON text `raw` nests arrays and objects more than `limit` deep, found
    without parsing it, in linear time: brackets inside strings do not count."""
    # Escaped backslashes, then escaped quotes: the quotes left open and close strings.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    depth, in_string = 0, False
    for char in unescaped.translate(None, _NOT_STRUCTURE):
        if char == _QUOTE:
            in_string = not in_string
        elif not in_string:
            depth += 1 if char in _OPENING else -1
            if depth > limit:
                return True
    return False


class _Extended:
    """A row or view seen with a few more attributes."""

    def __init__(self, base: object, extra: dict[str, Any]) -> None:
        self._base, self._extra = base, extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return getattr(self._base, name)


def extended(base: object, **extra: Any) -> Any:
    """`base` with `extra` attributes, for a response model validated from attributes:
    `ProjectRead.model_validate(extended(project, team_name=team.name))`."""
    return _Extended(base, extra)


def respond(answer: Answer, status: int = 200) -> Response:
    if isinstance(answer, Response):
        return answer
    if answer is None:
        return Response(status_code=status)
    if isinstance(answer, BaseModel):
        content: Any = answer.model_dump(mode="json")
    else:
        content = [item.model_dump(mode="json") for item in answer]
    return JSONResponse(content, status_code=status)


def openapi_document(routers: list[ApiRouter], *, version: str) -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorResponse}  # query models are inlined as parameters
    for router in routers:
        for op in router.operations:
            models.update(m for m in (op.body, op.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys, defs = models_json_schema(
        [(m, "validation" if _is_input(m, routers) else "serialization") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    refs: dict[Any, Any] = {model: schema for (model, _mode), schema in keys.items()}
    paths: dict[str, dict[str, Any]] = {}
    for router in routers:
        for op in router.operations:
            path = "/api/v1" + _CONVERTOR.sub(r"{\1}", op.path)  # {id:int} -> {id}
            paths.setdefault(path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Madrina API", "version": version},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _is_input(model: type[BaseModel], routers: list[ApiRouter]) -> bool:
    return any(op.body is model for r in routers for op in r.operations)


def _operation(op: Operation, refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    error_ref = {"content": {"application/json": {"schema": refs[ErrorResponse]}}}
    ok: dict[str, Any] = {"description": "OK"}
    if op.produces:
        binary = {"schema": {"type": "string", "format": "binary"}}
        ok["content"] = {media: binary for media in op.produces}
    if op.response is not None:
        schema = refs[op.response]
        if op.many:
            schema = {"type": "array", "items": schema}
        ok["content"] = {"application/json": {"schema": schema}}
    responses: dict[str, Any] = {str(op.status): ok}
    codes = set(op.errors) | {503}  # any operation, while the database cannot be reached
    if op.query is not None:
        codes |= {422}
    if op.body is not None:  # 408: a body that does not arrive in time (app.middleware)
        codes |= {408, 413, 415, 422}
    if op.files:  # 400: a multipart body Starlette cannot parse (or with too many fields)
        codes |= {400, 408, 415, 422}
    if op.auth:
        codes |= {401}
    for code in sorted(codes):
        responses[str(code)] = {"description": "Error", **error_ref}
    params = [
        {"name": name, "in": "path", "required": True, "schema": _param_schema(kind)}
        for name, kind in _path_params(op.path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema()
        required = set(schema.get("required", []))
        params += [
            {"name": name, "in": "query", "required": name in required, "schema": field}
            for name, field in schema["properties"].items()
        ]
    result: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.endpoint.__name__,
        "responses": responses,
    }
    if params:
        result["parameters"] = params
    if op.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[op.body]}},
        }
    elif op.files:
        fields = {name: {"type": "string", "format": "binary"} for name in op.files}
        form = {"type": "object", "properties": fields, "required": list(op.files)}
        result["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}},
        }
    if op.auth:
        result["security"] = [{"bearer": []}]
    return result


def _param_schema(kind: str) -> dict[str, Any]:
    if kind == "integer":
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"type": kind}


def _path_params(path: str) -> list[tuple[str, str]]:
    """(name, JSON type) of each path parameter: integer unless declared {name:str}."""
    params = [part[1:-1].partition(":") for part in path.split("/") if part.startswith("{")]
    return [(name, "string" if convertor == "str" else "integer") for name, _, convertor in params]
