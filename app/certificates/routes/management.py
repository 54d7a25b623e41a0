"""Pages for organisers: a challenge's certificates, one certificate, revoke and re-issue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.certificates import service, views
from app.certificates.routes.verification import LABELS
from app.certificates.schemas import CertificateRevoke
from app.forms import Filled, no_fields, schema, submit
from app.templating import render
from app.web import path_for, path_id, services


async def challenge_certificates(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.challenge_certificates(
            session, user=user, challenge_id=path_id(request, "challenge_id")
        )
    context = {
        "challenge": page.challenge,
        "certificates": page.certificates,
        "counts": page.counts,
        **LABELS,
    }
    return render(request, "certificates/list.html", context)


async def _detail_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.certificate_detail(
            session,
            user=user,
            challenge_id=path_id(request, "challenge_id"),
            certificate_id=path_id(request, "certificate_id"),
        )
    context = {
        "challenge": page.challenge,
        "certificate": page.certificate,
        "versions": page.versions,
        "is_latest": page.is_latest,
        **LABELS,
    }
    return render(request, "certificates/detail.html", context, filled=filled)


async def certificate_detail(request: Request) -> Response:
    return await _detail_page(request, Filled())


async def revoke(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request, "challenge_id")
    certificate_id = path_id(request, "certificate_id")
    return await submit(
        request,
        guard=lambda session: views.certificate_detail(
            session, user=user, challenge_id=challenge_id, certificate_id=certificate_id
        ),
        parse=schema(CertificateRevoke),
        act=lambda session, data: service.revoke(
            session,
            user=user,
            certificate_id=certificate_id,
            challenge_id=challenge_id,
            reason=data.reason,
        ),
        done=lambda _revoked: path_for(
            request, "certificate_detail", challenge_id=challenge_id, certificate_id=certificate_id
        ),
        again=lambda filled: _detail_page(request, filled),
    )


async def reissue(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request, "challenge_id")
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: service.reissue(
            session,
            user=user,
            certificate_id=path_id(request, "certificate_id"),
            challenge_id=challenge_id,
        ),
        done=lambda replacement: path_for(
            request,
            "certificate_detail",
            challenge_id=challenge_id,
            certificate_id=replacement.id,
        ),
        again=lambda filled: _detail_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route(
        "/challenges/{challenge_id:int}/certificates",
        challenge_certificates,
        name="challenge_certificates",
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
