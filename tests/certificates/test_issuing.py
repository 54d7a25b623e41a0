"""ResultsPublished -> certificate rows -> rendered PDF/A files, through the real worker."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select, update
from starlette.applications import Starlette

from app import jobs
from app.certificates import queries, service
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.certificates.tasks import reconcile_pending
from app.db import Database, utcnow
from app.events.models import AuditEntry, OutboxEvent
from app.events.tasks import dispatch
from app.judging.models import Award
from app.storage import LocalStorage
from app.web import services
from tests.certificates.conftest import (
    certificates,
    count,
    make_results,
    publish_results,
    work,
)
from tests.factories import Actors


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_results_published_issues_every_kind_of_certificate(
    app: Starlette, db: Database, actors: Actors, storage: LocalStorage
) -> None:
    results = await make_results(actors, db)

    await publish_results(db, results.challenge)
    await work(app)

    issued = await certificates(db)
    by_key = {(c.kind, c.recipient_key): c for c in issued}
    member = next(k for kind, k in by_key if kind == CertificateKind.PARTICIPATION)
    assert member.startswith("member:")
    assert sorted((str(kind), key) for kind, key in by_key) == sorted(
        [
            ("participation", member),
            ("award", f"{member}:award:{results.award.id}"),
            ("adoption", f"{member}:adoption:{results.adoption.id}"),
            ("adoption", f"sponsor:{results.sponsor.id}:adoption:{results.adoption.id}"),
            ("judge", f"user:{results.judge.id}"),
        ]
    )
    assert {c.status for c in issued} == {CertificateStatus.ISSUED}
    assert by_key[(CertificateKind.PARTICIPATION, member)].recipient_name == "Giulia Bianchi"
    assert by_key[(CertificateKind.PARTICIPATION, member)].subject == (
        "Sensori per l'acqua piovana"
    )
    assert by_key[(CertificateKind.AWARD, f"{member}:award:{results.award.id}")].subject == (
        "Miglior idea \u2014 Sensori per l'acqua piovana"
    )
    sponsor_key = f"sponsor:{results.sponsor.id}:adoption:{results.adoption.id}"
    assert by_key[(CertificateKind.ADOPTION, sponsor_key)].recipient_name == (
        "Acque del Mincio S.p.A."
    )
    assert by_key[(CertificateKind.JUDGE, f"user:{results.judge.id}")].recipient_name == (
        "Andrea Lodi"
    )
    for certificate in issued:
        assert certificate.storage_key is not None and certificate.issued_at is not None
        assert queries.is_well_formed(certificate.code)
        data = storage.read(certificate.storage_key)
        assert data.startswith(b"%PDF-")
        assert certificate.sha256 == hashlib.sha256(data).hexdigest()


async def test_certificate_pdf_has_name_code_and_is_pdf_a(
    app: Starlette, db: Database, actors: Actors, storage: LocalStorage
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    await work(app)

    participation = next(
        c for c in await certificates(db) if c.kind == CertificateKind.PARTICIPATION
    )
    assert participation.storage_key is not None
    data = storage.read(participation.storage_key)
    reader = PdfReader(io.BytesIO(data))
    text = _pdf_text(data)

    assert "Giulia Bianchi" in text
    assert queries.display_code(participation.code) in text
    assert f"http://testserver/verify/{participation.code}" in text
    assert "Attestato di partecipazione" in text  # Italian by default
    assert "Climathon Mantova 2026" in text
    assert "Sensori per l'acqua piovana" in text
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part(=\"|>)3", xmp)
    assert re.search(rb"pdfaid:conformance(=\"|>)B", xmp)


async def test_results_published_twice_creates_no_duplicates(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    await work(app)
    first = {(c.id, c.code, c.sha256) for c in await certificates(db)}

    await publish_results(db, results.challenge)  # results published again
    await work(app)
    async with db.transaction() as session:  # and the first event re-dispatched by hand
        await service.issue_for_results(session, challenge_id=results.challenge.id or 0)
    await work(app)

    assert {(c.id, c.code, c.sha256) for c in await certificates(db)} == first
    async with db.read() as session:
        types = sorted((await session.execute(select(OutboxEvent.type))).scalars())
    # The phase clock's cron may also run when a worker's burst crosses a minute: not ours.
    ours = [t for t in types if t != "PhaseStarted"]
    assert ours == ["CertificateIssued"] * len(first) + ["ResultsPublished"] * 2


async def test_draft_project_gets_no_certificate(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)

    await publish_results(db, results.challenge)
    await work(app)

    names = {c.recipient_name for c in await certificates(db)}
    assert "Marco Rossi" not in names


async def test_new_award_after_publication_adds_only_its_certificates(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    await work(app)
    before = len(await certificates(db))
    assert results.challenge.id is not None and results.project.id is not None
    async with db.transaction() as session:
        session.add(
            Award(challenge_id=results.challenge.id, project_id=results.project.id, name="Acqua")
        )

    await publish_results(db, results.challenge)
    await work(app)

    after = await certificates(db)
    assert len(after) == before + 1
    assert after[-1].subject == "Acqua \u2014 Sensori per l'acqua piovana"
    assert after[-1].status == CertificateStatus.ISSUED


async def test_render_job_run_again_does_nothing(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    await work(app)
    judge = next(c for c in await certificates(db) if c.kind == CertificateKind.JUDGE)
    audit_before = await count(db, AuditEntry)

    await services(app).redis.enqueue_job(service.RENDER_JOB, judge.id, _job_id="again")
    await work(app)

    again = next(c for c in await certificates(db) if c.id == judge.id)
    assert (again.storage_key, again.sha256, again.issued_at) == (
        judge.storage_key,
        judge.sha256,
        judge.issued_at,
    )
    assert await count(db, AuditEntry) == audit_before


async def test_pending_certificate_whose_job_was_lost_is_rendered_by_the_reconciler(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    pool = jobs.get_pool()
    jobs.set_pool(None)  # Redis unreachable when the handler commits its render jobs
    try:
        async with db.read() as session:
            event_id = (await session.execute(select(OutboxEvent.id))).scalar_one()
        await dispatch({"db": db}, event_id)
    finally:
        jobs.set_pool(pool)
    assert {c.status for c in await certificates(db)} == {CertificateStatus.PENDING}
    async with db.transaction() as session:
        await session.execute(
            update(Certificate).values(created_at=utcnow() - timedelta(minutes=10))
        )

    sent = await reconcile_pending({"db": db, "redis": pool})
    await work(app)

    assert sent == 5
    assert {c.status for c in await certificates(db)} == {CertificateStatus.ISSUED}
