"""Pages: a challenge's exports (CSV that Excel opens right, and XLSX), for its organisers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.errors import NotFound
from app.judging import results
from app.reports import exports, rankings
from app.templating import render
from app.web import path_id, path_text, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def exports_page(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await challenge_permissions.organised(
            session, user=user, challenge_id=path_id(request)
        )
    context = {"challenge": access.challenge, "exports": list(exports.EXPORTS.values())}
    return render(request, "reports/exports.html", context)


async def download(request: Request) -> Response:
    return await export_response(request, require_user(request))


async def export_response(request: Request, user: User) -> Response:
    """One export as a download, streamed (pages and the API answer alike)."""
    export, fmt = exports.parse_name(path_text(request, "name"))
    found = services(request)
    challenge_id = path_id(request)
    async with found.db.read() as session:
        access = await challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        )
    filename = f"{access.challenge.slug}-{export.name}.{fmt}"
    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "private, no-store",
    }
    site = found.settings.base_url
    if fmt == "csv":
        separator = request.query_params.get("sep", ",")
        if separator not in exports.SEPARATORS:
            raise NotFound()
        chunks = exports.csv_chunks(found.db, export, challenge_id, site, separator=separator)
        return StreamingResponse(chunks, media_type="text/csv", headers=headers)
    path = await exports.xlsx_file(found.db, export, challenge_id, site)
    return StreamingResponse(_file_then_gone(path), media_type=XLSX, headers=headers)


async def ranking_file(request: Request) -> Response:
    """The organisers' ranking of every round, every row (the page shows 100 at a time)."""
    user = require_user(request)
    separator = request.query_params.get("sep", ",")
    if separator not in exports.SEPARATORS:
        raise NotFound()
    async with services(request).db.read() as session:
        page = await results.ranking_page(session, user=user, challenge_id=path_id(request))
    headers = {
        "content-disposition": f'attachment; filename="{page.challenge.slug}-ranking.csv"',
        "cache-control": "private, no-store",
    }
    chunks = rankings.csv_chunks(page, separator=separator)
    return StreamingResponse(chunks, media_type="text/csv", headers=headers)


async def _file_then_gone(path: str) -> AsyncIterator[bytes]:
    try:
        with open(path, "rb") as handle:  # noqa: ASYNC230 - small chunks of a local file
            while chunk := handle.read(64 * 1024):
                yield chunk
    finally:
        os.unlink(path)


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/exports", exports_page, name="challenge_exports"),
    Route("/challenges/{id:int}/exports/{name}", download, name="export"),
    Route("/challenges/{id:int}/ranking.csv", ranking_file, name="ranking_file"),
]
