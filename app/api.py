"""JSON API plumbing: routes that declare their schemas, and the OpenAPI document from them."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.db import MAX_ID
from app.errors import NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from app.forms import field_errors
from app.ids import parse_id

Schema = TypeVar("Schema", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]
MAX_JSON_BYTES = 1024 * 1024
_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


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
    endpoint: Endpoint
    summary: str
    tag: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    many: bool
    status: int
    auth: bool
    errors: tuple[int, ...]
    files: tuple[str, ...]


class ApiRouter:
    """Collects a domain's API routes with what they take and return."""

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
    ) -> Callable[[Endpoint], Endpoint]:
        """`files` names the file fields of a multipart/form-data body (instead of `body`)."""

        def register(endpoint: Endpoint) -> Endpoint:
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
                )
            )
            return endpoint

        return register

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1" + op.path, _ids_in_range(op), methods=[op.method])
            for op in self.operations
        ]


def _ids_in_range(op: Operation) -> Endpoint:
    """The endpoint, answering 404 at once for an integer path parameter out of the id range
    (which would otherwise reach a query and fail there)."""
    names = [name for name, kind in _path_params(op.path) if kind == "integer"]
    if not names:
        return op.endpoint

    @wraps(op.endpoint)
    async def endpoint(request: Request) -> Response:
        for name in names:
            if parse_id(str(request.path_params[name])) is None:
                raise NotFound()
        return await op.endpoint(request)

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
    try:
        data = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed({"__all__": "The body is not valid JSON."}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({"__all__": "The body must be a JSON object."})
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def respond(data: BaseModel | list[BaseModel], status: int = 200) -> JSONResponse:
    if isinstance(data, list):
        content: Any = [item.model_dump(mode="json") for item in data]
    else:
        content = data.model_dump(mode="json")
    return JSONResponse(content, status_code=status)


def openapi_document(routers: list[ApiRouter], *, version: str) -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorResponse}
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
    if op.response is not None:
        schema = refs[op.response]
        if op.many:
            schema = {"type": "array", "items": schema}
        ok["content"] = {"application/json": {"schema": schema}}
    responses: dict[str, Any] = {str(op.status): ok}
    codes = set(op.errors) | {503}  # any operation, while the database cannot be reached
    if op.body is not None:
        codes |= {413, 415, 422}
    if op.files:  # 400: a multipart body Starlette cannot parse (or with too many fields)
        codes |= {400, 415, 422}
    if op.auth:
        codes |= {401}
    for code in sorted(codes):
        responses[str(code)] = {"description": "Error", **error_ref}
    params = [
        {"name": name, "in": "path", "required": True, "schema": _param_schema(kind)}
        for name, kind in _path_params(op.path)
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
