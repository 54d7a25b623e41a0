"""JSON API: verify a certificate (public); list and revoke them (organisers)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, extended
from app.certificates import queries, service, views
from app.certificates.models import CertificateStatus
from app.certificates.schemas import CertificateRead, CertificateRevoke, CertificateVerification
from app.challenges import permissions as challenge_permissions
from app.i18n import gettext as _
from app.web import path_id, path_text, services, settings

router = ApiRouter("certificates")


async def organiser_of_path_certificate(request: Request, session: AsyncSession) -> None:
    certificate = await queries.get_certificate(
        session, certificate_id=path_id(request, "certificate_id")
    )
    await challenge_permissions.organised(
        session, user=current_user(request), challenge_id=certificate.challenge_id
    )


@router.route(
    "GET",
    "/verify/{code:str}",
    summary="Check a certificate by its verification code (any case; spaces and dashes allowed)",
    response=CertificateVerification,
    auth=False,
    errors=(404,),
)
async def verify_certificate(request: Request) -> CertificateVerification:
    async with services(request).db.read() as session:
        found = await queries.verification(session, code=path_text(request, "code"))
    if found is None:
        raise queries.CertificateNotFound(_(queries.CertificateNotFound.message))
    certificate, challenge = found
    issued = certificate.status == CertificateStatus.ISSUED
    pdf_url = f"{settings(request).base_url}/certificates/{certificate.code}.pdf"
    return CertificateVerification.model_validate(
        extended(
            certificate,
            valid=issued,
            challenge_title=challenge.title,
            pdf_url=pdf_url if issued else None,
        )
    )


@router.route(
    "GET",
    "/challenges/{challenge_id:int}/certificates",
    summary="Every certificate of a challenge, all versions (organisers)",
    response=CertificateRead,
    many=True,
    errors=(403, 404),
)
async def list_certificates(request: Request) -> list[CertificateRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.challenge_certificates(
            session, user=user, challenge_id=path_id(request, "challenge_id")
        )
    return [CertificateRead.model_validate(c) for c in page.certificates]


@router.route(
    "POST",
    "/certificates/{certificate_id:int}/revoke",
    summary="Revoke a certificate, giving the reason (organisers)",
    body=CertificateRevoke,
    response=CertificateRead,
    errors=(403, 404, 409),
    guard=organiser_of_path_certificate,
)
async def revoke_certificate(request: Request, body: CertificateRevoke) -> CertificateRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        certificate = await service.revoke(
            session,
            user=user,
            certificate_id=path_id(request, "certificate_id"),
            reason=body.reason,
        )
    return CertificateRead.model_validate(certificate)
