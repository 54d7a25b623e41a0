"""Pages: public verification and download by code; organisers' and participants' lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.accounts.auth import require_user
from app.certificates import permissions, queries, service
from app.certificates.models import CertificateStatus
from app.certificates.schemas import CertificateRevoke
from app.errors import ValidationFailed
from app.forms import form_values, read_form, validate
from app.i18n import gettext as _
from app.templating import render

MAX_CODE_INPUT = 64


def _helpers() -> dict[str, Any]:
    return {
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
        return render(
            request,
            "certificates/verify_form.html",
            {
                "form": {"code": raw},
                "errors": {"code": _("Please type the code printed on the certificate.")},
            },
            status_code=422,
        )
    return RedirectResponse(f"/verify/{quote(code, safe='')}", status_code=303)


async def verify(request: Request) -> Response:
    typed: str = request.path_params["code"]
    async with request.app.state.db.read() as session:
        found = await queries.verification(session, code=typed)
    if found is None:
        return render(
            request,
            "certificates/verify_missing.html",
            {"typed": typed[:MAX_CODE_INPUT]},
            status_code=404,
        )
    return render(
        request,
        "certificates/verify.html",
        {"certificate": found[0], "challenge": found[1], **_helpers()},
    )


async def download(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        certificate = await queries.downloadable(session, code=request.path_params["code"])
    assert certificate.storage_key is not None
    try:
        data = await run_in_threadpool(request.app.state.storage.read, certificate.storage_key)
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


async def challenge_certificates(request: Request) -> Response:
    user = require_user(request)
    challenge_id: int = request.path_params["challenge_id"]
    async with request.app.state.db.read() as session:
        challenge = await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
        certificates = await queries.for_challenge(session, challenge_id=challenge_id)
    return render(
        request,
        "certificates/list.html",
        {
            "challenge": challenge,
            "certificates": certificates,
            "counts": queries.counts(certificates),
            **_helpers(),
        },
    )


async def _detail_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = require_user(request)
    challenge_id: int = request.path_params["challenge_id"]
    async with request.app.state.db.read() as session:
        challenge = await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
        certificate = await queries.get_certificate(
            session,
            certificate_id=request.path_params["certificate_id"],
            challenge_id=challenge_id,
        )
        versions = await queries.versions_of(session, certificate=certificate)
    return render(
        request,
        "certificates/detail.html",
        {
            "challenge": challenge,
            "certificate": certificate,
            "versions": versions,
            "is_latest": versions[-1].id == certificate.id,
            "errors": errors or {},
            "form": form or {},
            **_helpers(),
        },
        status_code=status_code,
    )


async def certificate_detail(request: Request) -> Response:
    return await _detail_page(request)


async def revoke(request: Request) -> Response:
    user = require_user(request)
    challenge_id: int = request.path_params["challenge_id"]
    certificate_id: int = request.path_params["certificate_id"]
    values = form_values(await read_form(request))
    try:
        async with request.app.state.db.transaction() as session:
            await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
            data = validate(CertificateRevoke, values)
            await service.revoke(
                session,
                certificate_id=certificate_id,
                challenge_id=challenge_id,
                actor_id=user.id,
                reason=data.reason,
            )
    except ValidationFailed as exc:
        return await _detail_page(request, errors=exc.errors, form=values, status_code=422)
    except service.AlreadyRevoked as exc:
        return await _detail_page(
            request, errors={"__all__": exc.message}, form=values, status_code=exc.status_code
        )
    return RedirectResponse(
        f"/challenges/{challenge_id}/certificates/{certificate_id}", status_code=303
    )


async def reissue(request: Request) -> Response:
    user = require_user(request)
    challenge_id: int = request.path_params["challenge_id"]
    await read_form(request)
    try:
        async with request.app.state.db.transaction() as session:
            await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
            replacement = await service.reissue(
                session,
                certificate_id=request.path_params["certificate_id"],
                challenge_id=challenge_id,
                actor_id=user.id,
            )
    except service.NotLatestVersion as exc:
        return await _detail_page(
            request, errors={"__all__": exc.message}, status_code=exc.status_code
        )
    return RedirectResponse(
        f"/challenges/{challenge_id}/certificates/{replacement.id}", status_code=303
    )


async def my_certificates(request: Request) -> Response:
    user = require_user(request)
    assert user.id is not None
    challenge_id: int = request.path_params["challenge_id"]
    async with request.app.state.db.read() as session:
        challenge = await permissions.taking_part(session, user=user, challenge_id=challenge_id)
        certificates = await queries.visible_to(session, user_id=user.id, challenge_id=challenge_id)
    return render(
        request,
        "certificates/mine.html",
        {"challenge": challenge, "certificates": certificates, **_helpers()},
    )


routes = [
    Route("/verify", verify_form, name="verify_form"),
    Route("/verify/{code}", verify, name="verify"),
    Route("/certificates/{code}.pdf", download, name="certificate_pdf"),
    Route(
        "/challenges/{challenge_id:int}/certificates",
        challenge_certificates,
        name="challenge_certificates",
    ),
    Route(
        "/challenges/{challenge_id:int}/certificates/mine",
        my_certificates,
        name="my_certificates",
    ),
    Route(
        "/challenges/{challenge_id:int}/certificates/{certificate_id:int}",
        certificate_detail,
        name="certificate_detail",
    ),
    Route(
        "/challenges/{challenge_id:int}/certificates/{certificate_id:int}/revoke",
        revoke,
        methods=["POST"],
        name="revoke_certificate",
    ),
    Route(
        "/challenges/{challenge_id:int}/certificates/{certificate_id:int}/reissue",
        reissue,
        methods=["POST"],
        name="reissue_certificate",
    ),
]
