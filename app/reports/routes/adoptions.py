"""Pages: every adoption of a programme with its progress, as a table, a chart and files."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.errors import NotFound
from app.reports import adoptions, exports
from app.reports.routes.exports import XLSX
from app.templating import render
from app.web import page_number, path_id, path_text, services


async def programme_adoptions(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        report = await adoptions.programme_adoptions(
            session, user=user, programme_id=path_id(request), page=page_number(request)
        )
    return render(request, "reports/programme_adoptions.html", {"report": report})


async def programme_adoptions_file(request: Request) -> Response:
    user = require_user(request)
    fmt = path_text(request, "format")
    separator = request.query_params.get("sep", ",")
    if fmt not in exports.FORMATS or separator not in exports.SEPARATORS:
        raise NotFound()
    async with services(request).db.read() as session:
        report = await adoptions.programme_adoptions(
            session, user=user, programme_id=path_id(request), page=None
        )
    headers = {
        "content-disposition": f'attachment; filename="{report.programme.slug}-adoptions.{fmt}"',
        "cache-control": "private, no-store",
    }
    if fmt == "csv":
        chunks = adoptions.csv_chunks(report, separator=separator)
        return StreamingResponse(chunks, media_type="text/csv", headers=headers)
    body = await asyncio.to_thread(adoptions.as_xlsx, report)
    return Response(body, media_type=XLSX, headers=headers)


routes: list[BaseRoute] = [
    Route("/programmes/{id:int}/adoptions", programme_adoptions, name="programme_adoptions"),
    Route(
        "/programmes/{id:int}/adoptions.{format}",
        programme_adoptions_file,
        name="programme_adoptions_file",
    ),
]
