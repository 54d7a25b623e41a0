"""A challenge whose results are ready to publish, and what 'done exactly once' means for it.

Publishing results is the richest chain of background work Madrina has: the request
commits a ResultsPublished event; its handler records one certificate per person; each
certificate's PDF is rendered by its own job; each issued certificate emits a
CertificateIssued event whose handler e-mails it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from httpx import Response
from sqlalchemy import func, select
from sqlmodel import col

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateStatus
from app.certificates.service import planned_certificates
from app.certificates.tasks import issue_certificates
from app.challenges.models import Challenge
from app.db import Database, utcnow
from app.events.models import AuditEntry, HandledEvent, OutboxEvent
from app.judging.models import Assignment, Criterion, RoundStatus, Score
from app.notifications.tasks import tell_certificate_ready, tell_results_published
from tests.factories import Actors, make_challenge, make_project, make_round, make_team
from tests.faults.services import RedisServer, eventually


def handler_name(function: object) -> str:
    return f"{function.__module__}.{function.__qualname__}"  # type: ignore[attr-defined]


ISSUE = handler_name(issue_certificates)
EMAIL = handler_name(tell_certificate_ready)
TELL_RESULTS = handler_name(tell_results_published)
MEMBER = (("Giulia", "Bianchi"),)


@dataclass
class Ready:
    challenge: Challenge
    organiser: User

    @property
    def id(self) -> int:
        assert self.challenge.id is not None
        return self.challenge.id


async def results_ready(db: Database, actors: Actors, *, teams: int = 1) -> Ready:
    """Teams of one with submitted projects, a closed round a judge has scored: publishable.

    Small on purpose: each certificate is a PDF that takes a good fraction of a second.
    """
    organiser = await actors.user("Olga Organizzatrice")
    judge = await actors.user("Andrea Lodi")
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    projects = []
    for n in range(teams):
        coach = await actors.user()
        team = await make_team(db, challenge, coach=coach, name=f"Squadra {n}", members=MEMBER)
        projects.append(await make_project(db, team, title=f"Progetto {n}"))
    judging_round = await make_round(
        db, challenge, judges=[judge], projects=projects, status=RoundStatus.CLOSED
    )
    value = {project.id: 5 - n % 5 for n, project in enumerate(projects)}
    async with db.transaction() as session:
        criteria = (
            await session.execute(
                select(Criterion.id).where(col(Criterion.rubric_id) == judging_round.rubric_id)
            )
        ).scalars()
        assignments = (
            await session.execute(
                select(Assignment).where(col(Assignment.round_id) == judging_round.id)
            )
        ).scalars()
        criterion_ids = list(criteria)
        for assignment in assignments:
            assert assignment.id is not None
            assignment.submitted_at = utcnow()
            for criterion_id in criterion_ids:
                assert criterion_id is not None
                session.add(
                    Score(
                        assignment_id=assignment.id,
                        criterion_id=criterion_id,
                        value=value[assignment.project_id],
                    )
                )
    return Ready(challenge, organiser)


async def publish(actors: Actors, ready: Ready) -> Response:
    """The organiser publishes the results through the JSON API, as a client would."""
    async with await actors.api(ready.organiser) as http:
        return await http.post(f"/api/v1/challenges/{ready.id}/results/publish")


async def results_event(db: Database) -> OutboxEvent:
    async with db.read() as session:
        result = await session.execute(
            select(OutboxEvent).where(col(OutboxEvent.type) == "ResultsPublished")
        )
        return result.scalar_one()


async def certificates(db: Database) -> list[Certificate]:
    async with db.read() as session:
        result = await session.execute(select(Certificate).order_by(col(Certificate.id)))
        return list(result.scalars())


async def count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def all_done(db: Database) -> bool:
    """Every certificate rendered and every event dispatched (the chain has finished)."""
    pending = await count(db, Certificate, col(Certificate.status) != CertificateStatus.ISSUED)
    undispatched = await count(db, OutboxEvent, col(OutboxEvent.dispatched_at).is_(None))
    return await count(db, Certificate) > 0 and pending == 0 and undispatched == 0


async def wait_until_done(
    db: Database, queue: RedisServer, *, stuck: frozenset[str] = frozenset()
) -> float:
    """Seconds until the whole chain has finished, then wait for the worker to be idle: a
    job sent twice may still be finding out that its work was already done."""
    took = await eventually("every certificate and event to be done", lambda: all_done(db))

    async def idle() -> bool:
        return queue.idle(stuck=stuck)

    await eventually("the worker to be idle", idle, limit=30)
    return took


def stored_files(storage_dir: Path) -> dict[str, Path]:
    """Every file in the storage (temporary ones included), by name."""
    if not storage_dir.is_dir():
        return {}
    return {p.name: p for p in storage_dir.rglob("*") if p.is_file()}


async def assert_done_exactly_once(
    db: Database, ready: Ready, storage_dir: Path, *, crashed_at: float | None = None
) -> None:
    """One certificate per person, each with one PDF and one audit entry; each handler ran
    once per event; no file but theirs in the storage (a worker killed at `crashed_at` may
    have left the PDF it was writing: the recovery itself must leave none)."""
    async with db.read() as session:
        planned = await planned_certificates(session, challenge_id=ready.id)
    issued = await certificates(db)
    assert len(planned) >= 3  # not vacuous: participation, award and judge at least
    assert sorted((str(c.kind), c.recipient_key) for c in issued) == sorted(
        (str(p.kind), p.recipient_key) for p in planned
    )
    assert {c.status for c in issued} == {CertificateStatus.ISSUED}
    assert {c.version for c in issued} == {1}

    keys = [c.storage_key for c in issued]
    assert None not in keys and len(set(keys)) == len(issued)
    files = stored_files(storage_dir)
    assert set(keys) <= set(files)
    leftovers = [
        name
        for name, path in files.items()
        if name not in keys and (crashed_at is None or path.stat().st_mtime > crashed_at)
    ]
    assert leftovers == []

    event = await results_event(db)
    assert await count(db, HandledEvent, col(HandledEvent.event_id) == event.id) == 2
    assert await count(db, HandledEvent, col(HandledEvent.handler) == ISSUE) == 1
    assert await count(db, HandledEvent, col(HandledEvent.handler) == TELL_RESULTS) == 1
    assert await count(db, HandledEvent, col(HandledEvent.handler) == EMAIL) == len(issued)
    assert await count(db, OutboxEvent, col(OutboxEvent.type) == "CertificateIssued") == len(issued)
    issued_entries = await count(db, AuditEntry, col(AuditEntry.action) == "certificate.issued")
    assert issued_entries == len(issued)
    assert await count(db, AuditEntry, col(AuditEntry.action) == "certificate.rerendered") == 0
