"""JSON API: verify a certificate (public); list and revoke them (organisers)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import require_user
from app.api import ApiRouter, read_json, respond
from app.certificates import permissions, queries, service
from app.certificates.models import Certificate, CertificateStatus
from app.certificates.schemas import CertificateRead, CertificateRevoke, CertificateVerification
from app.challenges.models import Challenge
from app.i18n import gettext as _

router = ApiRouter("certificates")


def _verification(
    certificate: Certificate, challenge: Challenge, site_url: str
) -> CertificateVerification:
    issued = certificate.status == CertificateStatus.ISSUED
    return CertificateVerification(
        code=certificate.code,
        status=certificate.status,
        valid=issued,
        kind=certificate.kind,
        recipient_name=certificate.recipient_name,
        challenge_title=challenge.title,
        subject=certificate.subject,
        version=certificate.version,
        issued_at=certificate.issued_at,
        sha256=certificate.sha256,
        revoked_at=certificate.revoked_at,
        revoke_reason=certificate.revoke_reason,
        pdf_url=f"{site_url}/certificates/{certificate.code}.pdf" if issued else None,
    )


@router.route(
    "GET",
    "/verify/{code:str}",
    summary="Check a certificate by its verification code (any case; spaces and dashes allowed)",
    response=CertificateVerification,
    auth=False,
    errors=(404,),
)
async def verify_certificate(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        found = await queries.verification(session, code=request.path_params["code"])
    if found is None:
        raise queries.CertificateNotFound(_(queries.CertificateNotFound.message))
    certificate, challenge = found
    return respond(_verification(certificate, challenge, request.app.state.settings.base_url))


@router.route(
    "GET",
    "/challenges/{challenge_id:int}/certificates",
    summary="Every certificate of a challenge, all versions (organisers)",
    response=CertificateRead,
    many=True,
    errors=(403, 404),
)
async def list_certificates(request: Request) -> Response:
    user = require_user(request)
    challenge_id: int = request.path_params["challenge_id"]
    async with request.app.state.db.read() as session:
        await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
        certificates = await queries.for_challenge(session, challenge_id=challenge_id)
    return respond([CertificateRead.model_validate(c) for c in certificates])


@router.route(
    "POST",
    "/certificates/{certificate_id:int}/revoke",
    summary="Revoke a certificate, giving the reason (organisers)",
    body=CertificateRevoke,
    response=CertificateRead,
    errors=(403, 404, 409),
)
async def revoke_certificate(request: Request) -> Response:
    user = require_user(request)
    certificate_id: int = request.path_params["certificate_id"]
    # The permission before the body: someone who may not revoke learns nothing from it.
    async with request.app.state.db.read() as session:
        certificate = await queries.get_certificate(session, certificate_id=certificate_id)
        challenge_id = certificate.challenge_id
        await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, CertificateRevoke)
    async with request.app.state.db.transaction() as session:
        await permissions.organiser_of(session, user=user, challenge_id=challenge_id)
        certificate = await service.revoke(
            session,
            certificate_id=certificate_id,
            challenge_id=challenge_id,
            actor_id=user.id,
            reason=data.reason,
        )
    return respond(CertificateRead.model_validate(certificate))
