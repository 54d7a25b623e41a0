"""The certificate renderer fetches nothing but data: URLs and our static files, and
prints user text as text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from app.certificates import render
from app.certificates.models import CertificateKind
from app.config import ROOT


def _doc(**changes: object) -> render.CertificateDocument:
    values: dict[str, object] = {
        "code": "ABCDEFGH2345",
        "kind": CertificateKind.PARTICIPATION,
        "recipient_type": "member",
        "recipient_name": "Giulia Bianchi",
        "subject": "Sensori per l'acqua piovana",
        "team_name": "4B Aqua",
        "challenge_title": "Climathon Mantova 2026",
        "timezone": "Europe/Rome",
        "version": 1,
        "issued_at": datetime(2026, 3, 14, 23, 30, tzinfo=UTC),
        "verify_url": "http://testserver/verify/ABCDEFGH2345",
    }
    values.update(changes)
    return render.CertificateDocument(**values)  # type: ignore[arg-type]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


CLIMB = "../" * 64  # more levels than any checkout is deep


def test_fetcher_refuses_local_files_and_the_network_when_rendering() -> None:
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="http://example.com/evil.css">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        "</head><body><p>Hello</p>"
        '<img src="file:///etc/passwd">'
        '<img src="http://example.com/pixel.png">'
        '<img src="https://example.com/pixel.png">'
        f'<img src="{CLIMB}etc/hostname">'
        "</body></html>"
    )
    fetcher = render.AssetFetcher()

    pdf = render.html_to_pdf(html, fetcher=fetcher)

    assert pdf.startswith(b"%PDF-")
    assert fetcher.fetched == []
    absolute = {
        "http://example.com/evil.css",
        "file:///etc/passwd",
        "http://example.com/pixel.png",
        "https://example.com/pixel.png",
    }
    # The relative path resolves against static/ and, however deep the checkout, climbs to
    # the root: it is refused as the file it names, as the absolute ones are.
    assert set(fetcher.refused) == absolute | {"file:///etc/hostname"}


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/",
        "https://example.com/x.png",
        "ftp://example.com/x",
        "file://example.com/static/madrina.css",
        (ROOT / "static").as_uri() + "/../pyproject.toml",
        (ROOT / "static").as_uri() + "/%2e%2e/pyproject.toml",
    ],
)
def test_fetcher_raises_for_anything_but_data_and_static(url: str) -> None:
    fetcher = render.AssetFetcher()

    with pytest.raises(render.RefusedURL):
        fetcher.fetch(url)

    assert fetcher.refused == [url]


def test_fetcher_serves_static_files_and_data_urls() -> None:
    fetcher = render.AssetFetcher()

    css = fetcher.fetch((ROOT / "static" / "madrina.css").as_uri())
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")

    assert css.read() == (ROOT / "static" / "madrina.css").read_bytes()
    assert css.content_type == "text/css"
    assert data.read() == b"hello"
    assert fetcher.refused == []


def test_html_in_a_name_is_printed_as_text_and_fetches_nothing() -> None:
    name = '<b>Giulia</b><img src="file:///etc/passwd"><link rel=stylesheet href="http://x.org">'
    fetcher = render.AssetFetcher()

    html = render.certificate_html(_doc(recipient_name=name, subject="<i>Idea</i>"), locale="it")
    pdf = render.html_to_pdf(html, fetcher=fetcher)

    assert "&lt;b&gt;Giulia&lt;/b&gt;&lt;img" in html
    assert "<b>Giulia" not in html
    # The long name wraps, anywhere: compare without white space.
    assert "".join(name.split()) in "".join(_text(pdf).split())
    text = _text(pdf)
    assert "<i>Idea</i>" in text
    assert fetcher.refused == []
    assert fetcher.fetched == ["data:"]  # the QR code, and nothing else


def test_certificate_is_italian_by_default_and_english_on_request() -> None:
    italian = _text(render.html_to_pdf(render.certificate_html(_doc(), locale="it")))
    english = _text(render.html_to_pdf(render.certificate_html(_doc(), locale="en")))

    assert "Attestato di partecipazione" in italian
    assert "ha partecipato a Climathon Mantova 2026 con il progetto" in italian
    assert "15 marzo 2026" in italian  # 23:30 UTC is already the 15th in Rome
    assert "Certificate of participation" in english
    assert "March 15, 2026" in english


@pytest.mark.parametrize(
    ("kind", "recipient_type", "wording"),
    [
        (CertificateKind.AWARD, "member", "ha ricevuto, in Climathon Mantova 2026"),
        (CertificateKind.ADOPTION, "member", "adottato da un'impresa madrina"),
        (CertificateKind.ADOPTION, "sponsor", "in qualità di impresa madrina"),
        (CertificateKind.JUDGE, "user", "membro della giuria di Climathon Mantova 2026"),
    ],
)
def test_wording_follows_the_kind(kind: CertificateKind, recipient_type: str, wording: str) -> None:
    html = render.certificate_html(_doc(kind=kind, recipient_type=recipient_type), locale="it")

    assert wording in html.replace("&#39;", "'")


def test_qr_code_is_an_svg_data_uri_of_the_verification_url() -> None:
    uri = render.qr_data_uri("http://testserver/verify/ABCDEFGH2345")

    assert uri.startswith("data:image/svg+xml")
