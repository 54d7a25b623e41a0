"""Pages anyone may open: verify a certificate by its code, and download its PDF."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.certificates import queries, service
from app.certificates.models import CertificateStatus
from app.forms import Filled
from app.i18n import gettext as _
from app.templating import render
from app.web import path_for, path_text, services

MAX_CODE_INPUT = 64
# What the certificate templates use to name kinds and states.
LABELS: dict[str, Any] = {
    "kind_label": service.kind_label,
    "status_label": service.status_label,
    "display_code": queries.display_code,
    "Status": CertificateStatus,
}


async def verify_form(request: Request) -> Response:
    raw = request.query_params.get("code")
    if raw is None:
        return render(request, "certificates/verify_form.html")
    code = queries.normalise_code(raw)[:MAX_CODE_INPUT]
    if not code:
        errors = {"code": _("Please type the code printed on the certificate.")}
        filled = Filled({"code": raw}, errors, 422)
        return render(request, "certificates/verify_form.html", filled=filled)
    return RedirectResponse(path_for(request, "verify", code=quote(code, safe="")), 303)


async def verify(request: Request) -> Response:
    typed = path_text(request, "code")
    async with services(request).db.read() as session:
        found = await queries.verification(session, code=typed)
    if found is None:
        context: dict[str, Any] = {"typed": typed[:MAX_CODE_INPUT]}
        return render(request, "certificates/verify_missing.html", context, status_code=404)
    context = {"certificate": found[0], "challenge": found[1], **LABELS}
    return render(request, "certificates/verify.html", context)


async def download(request: Request) -> Response:
    found = services(request)
    async with found.db.read() as session:
        certificate = await queries.downloadable(session, code=path_text(request, "code"))
    assert certificate.storage_key is not None
    try:
        data = await run_in_threadpool(found.storage.read, certificate.storage_key)
    except FileNotFoundError:
        raise queries.NotDownloadable(_(queries.NotDownloadable.message)) from None
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="certificate-{certificate.code}.pdf"',
            "cache-control": "private, no-cache",
        },
    )


routes: list[BaseRoute] = [
    Route("/verify", verify_form, name="verify_form"),
    Route("/verify/{code}", verify, name="verify"),
    Route("/certificates/{code}.pdf", download, name="certificate_pdf"),
]
