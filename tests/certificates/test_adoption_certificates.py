"""Adoption certificates for the students and the company when the adoption takes effect,
and completion certificates when it is closed as completed: through the real worker, not
waiting for the results, and never issued twice."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from app.certificates import render, service
from app.certificates.models import CertificateKind, CertificateStatus
from app.certificates.render import CertificateDocument
from app.db import Database
from app.i18n import use_locale
from app.sponsors import adoptions, followup
from app.sponsors.schemas import AdoptionClose, AdoptionCreate
from app.storage import LocalStorage
from tests.certificates.conftest import certificates, publish_results, work
from tests.factories import Actors
from tests.sponsors.conftest import Scene, make_scene

OFFER = AdoptionCreate(mentoring_hours=10, internships=1)


@pytest.fixture
async def scene(db: Database, actors: Actors) -> Scene:
    return await make_scene(db, actors)


async def _accepted(db: Database, scene: Scene) -> int:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=OFFER
        )
    assert adoption.id is not None
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id)
    return adoption.id


async def _close(db: Database, scene: Scene, adoption_id: int, outcome: str) -> None:
    data = AdoptionClose.model_validate({"outcome": outcome, "reason": "Fine anticipata"})
    async with db.transaction() as session:
        await followup.close_adoption(session, user=scene.rep, adoption_id=adoption_id, data=data)


def _keys(found: list[object]) -> list[tuple[str, str]]:
    return sorted((str(c.kind), c.recipient_key) for c in found)  # type: ignore[attr-defined]


async def test_acceptance_issues_adoption_certificates_to_students_and_company(
    app: Starlette, db: Database, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _accepted(db, scene)

    await work(app)

    issued = await certificates(db)
    members = sorted(c.recipient_name for c in issued if c.recipient_key.startswith("member:"))
    assert members == ["Giulia Bianchi", "Luca Verdi"]
    company = next(c for c in issued if c.recipient_key.startswith("sponsor:"))
    assert company.recipient_key == f"sponsor:{scene.sponsor.id}:adoption:{adoption_id}"
    assert company.recipient_name == "Acme S.p.A."
    assert {str(c.kind) for c in issued} == {"adoption"}
    assert {c.status for c in issued} == {CertificateStatus.ISSUED}
    text = PdfReader(io.BytesIO(storage.read(company.storage_key or ""))).pages[0].extract_text()
    assert "Attestato di adozione" in text
    assert "Rain sensors" in text


async def test_completion_issues_completion_certificates_and_nothing_twice(
    app: Starlette, db: Database, scene: Scene, storage: LocalStorage
) -> None:
    adoption_id = await _accepted(db, scene)
    await work(app)
    first = _keys(await certificates(db))

    await _close(db, scene, adoption_id, "completed")
    await work(app)
    async with db.transaction() as session:
        again = await service.issue_for_adoption(session, adoption_id=adoption_id)
    await publish_results(db, scene.challenge)
    await work(app)

    issued = await certificates(db)
    completed = [c for c in issued if c.kind == CertificateKind.ADOPTION_COMPLETED]
    assert again == []
    assert len(completed) == 3  # two students and the company
    assert {c.status for c in completed} == {CertificateStatus.ISSUED}
    adoption_keys = [k for k in _keys(issued) if k[0] == "adoption"]
    assert adoption_keys == first  # the results published later added no adoption twice
    company = next(c for c in completed if c.recipient_key.startswith("sponsor:"))
    text = PdfReader(io.BytesIO(storage.read(company.storage_key or ""))).pages[0].extract_text()
    assert "adozione completata" in text.lower()


async def test_an_adoption_ended_early_has_no_completion_certificate(
    app: Starlette, db: Database, scene: Scene
) -> None:
    adoption_id = await _accepted(db, scene)
    await _close(db, scene, adoption_id, "ended")

    await work(app)

    kinds = {str(c.kind) for c in await certificates(db)}
    assert kinds == {"adoption"}


async def test_an_offer_not_accepted_has_no_certificate(
    app: Starlette, db: Database, scene: Scene
) -> None:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=OFFER
        )
    assert adoption.id is not None

    async with db.transaction() as session:
        recorded = await service.issue_for_adoption(session, adoption_id=adoption.id)
    await work(app)

    assert recorded == []
    assert await certificates(db) == []


def _doc(kind: CertificateKind, recipient_type: str) -> CertificateDocument:
    return CertificateDocument(
        code="ABCD2345EFGH",
        kind=kind,
        recipient_type=recipient_type,
        recipient_name="Acme S.p.A.",
        subject="Rain sensors",
        team_name="",
        challenge_title="Climathon Mantova 2026",
        timezone="Europe/Rome",
        version=1,
        issued_at=datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
        verify_url="https://madrina.example/verify/ABCD2345EFGH",
    )


def test_completion_certificates_speak_italian_and_english() -> None:
    company = _doc(CertificateKind.ADOPTION_COMPLETED, "sponsor")
    student = _doc(CertificateKind.ADOPTION_COMPLETED, "member")

    italian = render.certificate_html(company, locale="it")
    english = render.certificate_html(company, locale="en")
    for_student = render.certificate_html(student, locale="en")

    assert "Attestato di adozione completata" in italian
    assert "ha mantenuto i suoi impegni" in italian
    assert "Certificate of a completed adoption" in english
    assert "has kept its commitments" in english
    assert "followed through to completion" in for_student
    with use_locale("en"):
        assert service.kind_label("adoption_completed") == "Adoption completed"
