"""The certificate PDF: HTML from a template, then WeasyPrint to PDF/A, fetching nothing.

User text reaches the PDF only through the autoescaped template, and the URL fetcher
refuses everything but `data:` URLs and files under static/: a name like
`<img src="file:///etc/passwd">` prints as text and makes no request.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession
from weasyprint import CSS, HTML
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app import i18n
from app.certificates import queries, service
from app.certificates.models import Certificate, CertificateKind
from app.challenges import queries as challenges_queries
from app.config import ROOT
from app.i18n import gettext as _
from app.teams import queries as teams_queries
from app.templating import render_string

log = logging.getLogger(__name__)

STATIC_DIR = ROOT / "static"
TEMPLATE = "certificates/certificate.html"
STYLESHEET = ROOT / "templates" / "certificates" / "certificate.css"
PDF_VARIANT = "pdf/a-3b"
OUTPUT_INTENT = "madrina-srgb"
# Pango and fontconfig are not safe to drive from several threads at once.
_RENDER_LOCK = threading.Lock()


class RefusedURL(ValueError):
    """The certificate tried to load something other than data: or our static files."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Deny by default: `data:` URLs and files under static/ only; never the network."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("data", "file"), allow_redirects=False)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            self.fetched.append("data:")
            return super().fetch(url, headers)
        path = static_file(url) if scheme == "file" else None
        if path is None:
            self.refused.append(url)
            log.warning("certificate rendering refused to fetch %.200s", url)
            raise RefusedURL(f"not an allowed URL: {url[:200]}")
        self.fetched.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_file(url: str) -> Path | None:
    """The file a file: URL names, if it is inside static/ (after resolving links and ..)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    root = STATIC_DIR.resolve()
    if path.is_relative_to(root) and path.is_file():
        return path
    return None


def base_url() -> str:
    return STATIC_DIR.resolve().as_uri() + "/"


@cache
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def _srgb_profile() -> ColorProfile:
    # The PDF/A output intent. Given explicitly because WeasyPrint's own "srgb" default
    # leaves the ICC file open (a ResourceWarning on every PDF).
    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def html_to_pdf(html: str, *, fetcher: AssetFetcher | None = None) -> bytes:
    """Blocking: run it in a thread. PDF/A-3b, so the file is fit for long-term keeping."""
    fetcher = fetcher or AssetFetcher()
    with _RENDER_LOCK:
        document = HTML(string=html, base_url=base_url(), url_fetcher=fetcher)
        stylesheet = CSS(string=_stylesheet(), base_url=base_url(), url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(
            stylesheets=[stylesheet],
            pdf_variant=PDF_VARIANT,
            output_intent=OUTPUT_INTENT,
            color_profiles={OUTPUT_INTENT: _srgb_profile()},
        )
    return pdf


def qr_data_uri(url: str) -> str:
    qr = segno.make(url, error="m", micro=False)
    uri: str = qr.svg_data_uri(scale=4, border=0, dark="#1b2a2f")
    return uri


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate."""

    code: str
    kind: CertificateKind
    recipient_type: str
    recipient_name: str
    subject: str
    team_name: str
    challenge_title: str
    timezone: str
    version: int
    issued_at: datetime
    verify_url: str


async def document_for(
    session: AsyncSession, *, certificate: Certificate, site_url: str, issued_at: datetime
) -> CertificateDocument:
    challenge = await challenges_queries.get_challenge(session, certificate.challenge_id)
    team_name = ""
    if queries.recipient_type(certificate) == "member" and certificate.project_id is not None:
        project = await teams_queries.get_project(session, certificate.project_id)
        team_name = (await teams_queries.get_team(session, project.team_id)).name
    return CertificateDocument(
        code=certificate.code,
        kind=CertificateKind(certificate.kind),
        recipient_type=queries.recipient_type(certificate),
        recipient_name=certificate.recipient_name,
        subject=certificate.subject,
        team_name=team_name,
        challenge_title=challenge.title,
        timezone=challenge.timezone,
        version=certificate.version,
        issued_at=issued_at,
        verify_url=f"{site_url}/verify/{certificate.code}",
    )


def _title(doc: CertificateDocument) -> str:
    titles = {
        CertificateKind.PARTICIPATION: _("Certificate of participation"),
        CertificateKind.AWARD: _("Certificate of award"),
        CertificateKind.ADOPTION: _("Certificate of adoption"),
        CertificateKind.ADOPTION_COMPLETED: _("Certificate of a completed adoption"),
        CertificateKind.JUDGE: _("Certificate of thanks"),
    }
    return titles[doc.kind]


def _wording(doc: CertificateDocument) -> str:
    if doc.kind == CertificateKind.PARTICIPATION:
        return _("has taken part in %(challenge)s with the project") % {
            "challenge": doc.challenge_title
        }
    if doc.kind == CertificateKind.AWARD:
        return _("has received, in %(challenge)s, the award") % {"challenge": doc.challenge_title}
    if doc.kind == CertificateKind.ADOPTION and doc.recipient_type == "sponsor":
        return _("as a godmother company in %(challenge)s, has adopted the project") % {
            "challenge": doc.challenge_title
        }
    if doc.kind == CertificateKind.ADOPTION_COMPLETED and doc.recipient_type == "sponsor":
        return _(
            "as a godmother company in %(challenge)s, has kept its commitments "
            "to the students of the project"
        ) % {"challenge": doc.challenge_title}
    if doc.kind == CertificateKind.ADOPTION_COMPLETED:
        return _(
            "is a member of the team whose project, in %(challenge)s, was adopted "
            "by a godmother company and followed through to completion"
        ) % {"challenge": doc.challenge_title}
    if doc.kind == CertificateKind.ADOPTION:
        return _(
            "is a member of the team whose project, in %(challenge)s, "
            "was adopted by a godmother company"
        ) % {"challenge": doc.challenge_title}
    return _("for giving time and care as a judge of %(challenge)s") % {
        "challenge": doc.challenge_title
    }


def certificate_html(doc: CertificateDocument, *, locale: str) -> str:
    """The certificate as HTML, in the given language (autoescaped: user text stays text)."""
    with i18n.use_locale(locale):
        day = doc.issued_at.astimezone(ZoneInfo(doc.timezone)).date()
        context: dict[str, Any] = {
            "doc": doc,
            "locale": i18n.get_locale(),
            "title": _title(doc),
            "wording": _wording(doc),
            "issued_on": format_date(day, "long", locale=i18n.get_locale()),
            "issued_iso": doc.issued_at.isoformat(timespec="seconds"),
            "code_display": queries.display_code(doc.code),
            "qr": qr_data_uri(doc.verify_url),
            "is_thanks": doc.kind == CertificateKind.JUDGE,
        }
        return render_string(TEMPLATE, context)


def certificate_email(
    certificate: Certificate, *, challenge_title: str, recipient: str, site_url: str, locale: str
) -> tuple[str, str]:
    """Subject and plain-text body telling someone a certificate is ready."""
    with i18n.use_locale(locale):
        context: dict[str, Any] = {
            "recipient": recipient,
            "certificate": certificate,
            "for_member": queries.recipient_type(certificate) == "member",
            "challenge_title": challenge_title,
            "kind": service.kind_label(certificate.kind),
            "code": queries.display_code(certificate.code),
            "verify_url": f"{site_url}/verify/{certificate.code}",
            "pdf_url": f"{site_url}/certificates/{certificate.code}.pdf",
        }
        subject = _("Certificate for %(name)s \u2013 %(challenge)s") % {
            "name": certificate.recipient_name,
            "challenge": challenge_title,
        }
        return subject, render_string("emails/certificate_issued.txt", context)
