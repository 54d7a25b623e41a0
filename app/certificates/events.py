"""What happens to certificates: recorded, issued (with their PDF), revoked, re-issued."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class CertificateIssued(DomainEvent):
    """A certificate's PDF is ready: its recipients are told."""

    challenge_id: int
    certificate_id: int


class CertificateRevoked(DomainEvent):
    """A certificate no longer holds: its verification page says so."""

    challenge_id: int
    certificate_id: int


CERTIFICATES_RECORDED = action("certificates.recorded")
CERTIFICATE_ISSUED = action("certificate.issued")
CERTIFICATE_RERENDERED = action("certificate.rerendered")
CERTIFICATE_REVOKED = action("certificate.revoked")
CERTIFICATE_REISSUED = action("certificate.reissued")
