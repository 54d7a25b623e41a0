"""Jobs and event handlers: issue certificates on results and on adoptions, and render
their PDFs (the e-mail telling people a certificate is ready is app.notifications'.)"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from arq import cron, func
from sqlalchemy.ext.asyncio import AsyncSession

from app.certificates import queries, render, service
from app.certificates.models import Certificate, CertificateStatus
from app.config import Settings
from app.db import Database, utcnow
from app.events.service import handles
from app.judging.events import ResultsPublished
from app.sponsors.events import AdoptionAccepted, AdoptionClosed
from app.storage import LocalStorage

log = logging.getLogger(__name__)


@handles(ResultsPublished)
async def issue_certificates(session: AsyncSession, event: ResultsPublished) -> None:
    await service.issue_for_results(session, challenge_id=event.challenge_id)


@handles(AdoptionAccepted)
async def issue_adoption_certificates(session: AsyncSession, event: AdoptionAccepted) -> None:
    """The students and the company get their adoption certificates when it takes effect."""
    await service.issue_for_adoption(session, adoption_id=event.adoption_id)


@handles(AdoptionClosed)
async def issue_completion_certificates(session: AsyncSession, event: AdoptionClosed) -> None:
    """... and their completion certificates when it is closed as completed."""
    await service.issue_for_adoption(session, adoption_id=event.adoption_id)


async def render_certificate(ctx: dict[str, Any], certificate_id: int) -> str:
    """Render and store one certificate's PDF; safe to run any number of times."""
    db: Database = ctx["db"]
    storage: LocalStorage = ctx["storage"]
    settings: Settings = ctx["settings"]
    async with db.read() as session:
        certificate = await session.get(Certificate, certificate_id)
        if certificate is None:
            return "missing"
        if certificate.status == CertificateStatus.REVOKED:
            return "revoked"
        previous_key = certificate.storage_key
        if previous_key and storage.exists(previous_key):
            return "already issued"
        # A lost file is rendered again with its first issue date.
        issued_at = certificate.issued_at or utcnow()
        document = await render.document_for(
            session, certificate=certificate, site_url=settings.base_url, issued_at=issued_at
        )
    html = render.certificate_html(document, locale=settings.default_locale)
    pdf = await asyncio.to_thread(render.html_to_pdf, html)
    stored = await asyncio.to_thread(storage.save, pdf)
    async with db.transaction() as session:
        attached = await service.mark_issued(
            session,
            certificate_id=certificate_id,
            stored=stored,
            issued_at=issued_at,
            previous_key=previous_key,
        )
    if not attached:
        storage.delete(stored.key)
        return "superseded"
    if previous_key:
        storage.delete(previous_key)
    return "issued"


async def reconcile_pending(ctx: dict[str, Any]) -> int:
    """Re-send render jobs of certificates still pending (lost enqueue, failed render)."""
    db: Database = ctx["db"]
    age = timedelta(seconds=db.settings.certificate_reconcile_seconds)
    async with db.read() as session:
        pending = await queries.pending_since(session, before=utcnow() - age)
    minute = int(utcnow().timestamp() // 60)
    sent = 0
    for certificate in pending:
        # A fresh job id: arq refuses an id whose earlier (failed) result it still keeps.
        job = await ctx["redis"].enqueue_job(
            service.RENDER_JOB,
            certificate.id,
            _job_id=f"certificate:{certificate.id}:v{certificate.version}:r{minute}",
        )
        sent += job is not None
    if sent:
        log.info("re-sent %d certificate render job(s)", sent)
    return sent


functions: list[Any] = [func(render_certificate, name=service.RENDER_JOB, max_tries=3)]
cron_jobs: list[Any] = [
    cron(
        reconcile_pending,
        name="certificates.reconcile",
        minute=set(range(0, 60, 5)),
        second={30},
        # A worker restarted after a crash picks up the renders the dead one left at once.
        run_at_startup=True,
    )
]
