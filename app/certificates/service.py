"""Certificates: issuing them when results are published, revoking and re-issuing them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app import jobs
from app.accounts.models import User
from app.certificates import events
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.certificates.queries import (
    CODE_ALPHABET,
    CODE_LENGTH,
    get_certificate,
    versions_of,
)
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenges_queries
from app.db import utcnow
from app.errors import Conflict
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import queries as judging_queries
from app.sponsors import queries as sponsors_queries
from app.sponsors.models import ADOPTED_STATUSES, Adoption, AdoptionStatus, Sponsor
from app.storage import StoredFile
from app.teams import queries as teams_queries
from app.teams.models import Project, TeamMember

RENDER_JOB = "certificates.render"


class NotLatestVersion(Conflict):
    message = lazy("A newer version of this certificate exists; re-issue that one instead.")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def kind_label(kind: str) -> str:
    labels = {
        CertificateKind.PARTICIPATION: _("Participation"),
        CertificateKind.AWARD: _("Award"),
        CertificateKind.ADOPTION: _("Adoption"),
        CertificateKind.ADOPTION_COMPLETED: _("Adoption completed"),
        CertificateKind.JUDGE: _("Judge thanks"),
    }
    return labels.get(CertificateKind(kind), kind)


def status_label(status: str) -> str:
    labels = {
        CertificateStatus.PENDING: _("Being prepared"),
        CertificateStatus.ISSUED: _("Valid"),
        CertificateStatus.REVOKED: _("Revoked"),
    }
    return labels.get(CertificateStatus(status), status)


# --- Issuing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A certificate the challenge's results call for, before it is recorded."""

    kind: CertificateKind
    recipient_key: str
    recipient_name: str
    subject: str
    project_id: int | None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _member_name(member: TeamMember) -> str:
    return _clip(f"{member.first_name} {member.last_name}".strip(), 200)


async def planned_certificates(session: AsyncSession, *, challenge_id: int) -> list[Planned]:
    """Every certificate the results call for (in a few queries, whatever the size)."""
    submitted = await teams_queries.submitted_projects_in(session, challenge_id)
    awards = await judging_queries.awards(session, challenge_id)
    adoptions = await sponsors_queries.accepted_adoptions(session, challenge_id)
    projects: dict[int, Project] = {p.id: p for p in submitted if p.id is not None}
    others = {a.project_id for a in awards} | {a.project_id for a in adoptions}
    projects.update(await teams_queries.projects_by_ids(session, sorted(others - projects.keys())))
    members = await teams_queries.members_by_team(
        session, sorted({p.team_id for p in projects.values()})
    )
    sponsors = {s.id: s for s in await sponsors_queries.sponsors(session, challenge_id)}
    plan: list[Planned] = []

    def for_members(project: Project, kind: CertificateKind, suffix: str, subject: str) -> None:
        for member in members.get(project.team_id, []):
            plan.append(
                Planned(
                    kind,
                    f"member:{member.id}{suffix}",
                    _member_name(member),
                    _clip(subject, 300),
                    project.id,
                )
            )

    for project in submitted:
        for_members(project, CertificateKind.PARTICIPATION, "", project.title)
    # A project may win several awards and be adopted by several sponsors: the award or
    # adoption id in the key gives each its own certificate.
    for award in awards:
        awarded = projects.get(award.project_id)
        if awarded is not None:
            subject = f"{award.name} \u2014 {awarded.title}"
            for_members(awarded, CertificateKind.AWARD, f":award:{award.id}", subject)
    for adoption in adoptions:
        adopted = projects.get(adoption.project_id)
        sponsor = sponsors.get(adoption.sponsor_id)
        if adopted is not None and sponsor is not None:
            plan += _adoption_plan(adoption, adopted, sponsor, members.get(adopted.team_id, []))
    for judge in await judging_queries.judges_who_scored(session, challenge_id):
        plan.append(
            Planned(CertificateKind.JUDGE, f"user:{judge.id}", _clip(judge.name, 200), "", None)
        )
    return plan


def _adoption_plan(
    adoption: Adoption, project: Project, sponsor: Sponsor, members: list[TeamMember]
) -> list[Planned]:
    """An adoption's certificates, for each student of the team and for the company: of
    adoption once it took effect, and of completion once it was closed as completed. The
    adoption id in the key gives each adoption its own (a project may have several)."""
    kinds = [CertificateKind.ADOPTION]
    if adoption.status == AdoptionStatus.COMPLETED:
        kinds.append(CertificateKind.ADOPTION_COMPLETED)
    plan: list[Planned] = []
    for kind in kinds:
        subject = _clip(f"{sponsor.name} \u2014 {project.title}", 300)
        for member in members:
            key = f"member:{member.id}:adoption:{adoption.id}"
            plan.append(Planned(kind, key, _member_name(member), subject, project.id))
        plan.append(
            Planned(
                kind,
                f"sponsor:{sponsor.id}:adoption:{adoption.id}",
                _clip(sponsor.name, 200),
                _clip(project.title, 300),
                project.id,
            )
        )
    return plan


async def planned_for_adoption(session: AsyncSession, *, adoption_id: int) -> list[Planned]:
    """The certificates one adoption calls for now (none before it takes effect)."""
    adoption = await sponsors_queries.get_adoption(session, adoption_id)
    if adoption.status not in ADOPTED_STATUSES:
        return []
    project = await teams_queries.get_project(session, adoption.project_id)
    sponsor = await sponsors_queries.get_sponsor(
        session, adoption.sponsor_id, challenge_id=adoption.challenge_id
    )
    members = await teams_queries.members_by_team(session, [project.team_id])
    return _adoption_plan(adoption, project, sponsor, members.get(project.team_id, []))


def _enqueue_render(session: AsyncSession, certificate: Certificate) -> None:
    jobs.enqueue_after_commit(
        session,
        RENDER_JOB,
        certificate.id,
        job_id=f"certificate:{certificate.id}:v{certificate.version}",
    )


async def issue_for_results(session: AsyncSession, *, challenge_id: int) -> list[Certificate]:
    """Record the certificates the results call for and not yet recorded; render after commit."""
    await challenges_queries.get_challenge(session, challenge_id)
    plan = await planned_certificates(session, challenge_id=challenge_id)
    return await _record(session, challenge_id=challenge_id, plan=plan)


async def issue_for_adoption(session: AsyncSession, *, adoption_id: int) -> list[Certificate]:
    """Record an adoption's certificates not yet recorded (when it takes effect, and when it
    is closed as completed), whatever the results; render after commit. Running it again,
    or publishing the results later, records nothing twice."""
    plan = await planned_for_adoption(session, adoption_id=adoption_id)
    if not plan:
        return []
    adoption = await sponsors_queries.get_adoption(session, adoption_id)
    return await _record(session, challenge_id=adoption.challenge_id, plan=plan)


async def _record(
    session: AsyncSession, *, challenge_id: int, plan: list[Planned]
) -> list[Certificate]:
    # Serialise the recorders of one challenge (results and adoptions may arrive at once):
    # the second one sees what the first recorded and adds nothing twice.
    await challenges_queries.get_challenge(session, challenge_id, lock=True)
    found = await session.execute(
        select(Certificate.kind, Certificate.recipient_key).where(
            col(Certificate.challenge_id) == challenge_id
        )
    )
    # Any version counts: a re-issued certificate is not issued again as version 1.
    done = {(str(kind), key) for kind, key in found.all()}
    created: list[Certificate] = []
    for item in plan:
        if (str(item.kind), item.recipient_key) in done:
            continue
        done.add((str(item.kind), item.recipient_key))
        certificate = Certificate(
            code=new_code(),
            challenge_id=challenge_id,
            kind=item.kind,
            recipient_key=item.recipient_key,
            recipient_name=item.recipient_name,
            subject=item.subject,
            project_id=item.project_id,
        )
        session.add(certificate)
        created.append(certificate)
    await session.flush()
    for certificate in created:
        _enqueue_render(session, certificate)
    if created:
        log_action(
            session,
            actor_id=None,
            action=events.CERTIFICATES_RECORDED,
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
            data={"count": len(created)},
        )
    return created


async def mark_issued(
    session: AsyncSession,
    *,
    certificate_id: int,
    stored: StoredFile,
    issued_at: datetime,
    previous_key: str | None,
) -> bool:
    """Attach a rendered PDF; False if another run got there first or it was revoked."""
    certificate = await session.get(Certificate, certificate_id, with_for_update=True)
    if (
        certificate is None
        or certificate.status == CertificateStatus.REVOKED
        or certificate.storage_key != previous_key
    ):
        return False
    first_time = certificate.status == CertificateStatus.PENDING
    certificate.storage_key = stored.key
    certificate.sha256 = stored.sha256
    certificate.status = CertificateStatus.ISSUED
    certificate.issued_at = certificate.issued_at or issued_at
    log_action(
        session,
        actor_id=None,
        action=events.CERTIFICATE_ISSUED if first_time else events.CERTIFICATE_RERENDERED,
        subject_type="certificate",
        subject_id=certificate_id,
        challenge_id=certificate.challenge_id,
        data={"sha256": stored.sha256, "version": certificate.version},
    )
    if first_time:
        emit(
            session,
            events.CertificateIssued(
                challenge_id=certificate.challenge_id, certificate_id=certificate_id
            ),
        )
    return True


# --- Revoking and re-issuing ------------------------------------------------------------


def _revoke(session: AsyncSession, certificate: Certificate, reason: str) -> None:
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = _clip(reason, 300)
    assert certificate.id is not None
    emit(
        session,
        events.CertificateRevoked(
            challenge_id=certificate.challenge_id, certificate_id=certificate.id
        ),
    )


async def _managed(
    session: AsyncSession, *, user: User, certificate_id: int, challenge_id: int | None
) -> Certificate:
    """The certificate with its row locked, for the organisers of its challenge (a
    certificate of another challenge than the one named is 'not found')."""
    certificate = await get_certificate(
        session, certificate_id=certificate_id, challenge_id=challenge_id, lock=True
    )
    await challenge_permissions.organised(session, user=user, challenge_id=certificate.challenge_id)
    return certificate


async def revoke(
    session: AsyncSession,
    *,
    user: User,
    certificate_id: int,
    reason: str,
    challenge_id: int | None = None,
) -> Certificate:
    """Revoke a certificate (organisers): its verification page says so from now on."""
    certificate = await _managed(
        session, user=user, certificate_id=certificate_id, challenge_id=challenge_id
    )
    challenge_id = certificate.challenge_id
    if certificate.status == CertificateStatus.REVOKED:
        return certificate  # revoked already (a double click): the first reason stands
    _revoke(session, certificate, reason)
    log_action(
        session,
        actor_id=user.id,
        action=events.CERTIFICATE_REVOKED,
        subject_type="certificate",
        subject_id=certificate_id,
        challenge_id=challenge_id,
        data={"reason": certificate.revoke_reason, "code": certificate.code},
    )
    return certificate


async def reissue(
    session: AsyncSession, *, user: User, certificate_id: int, challenge_id: int | None = None
) -> Certificate:
    """A new version with a new code and today's names; the old one is revoked (organisers)."""
    certificate = await _managed(
        session, user=user, certificate_id=certificate_id, challenge_id=challenge_id
    )
    challenge_id = certificate.challenge_id
    versions = await versions_of(session, certificate=certificate)
    if versions[-1].id != certificate.id:
        raise NotLatestVersion(_(NotLatestVersion.message))
    # Names may have been corrected since: take them from the challenge as it is now.
    plan = await planned_certificates(session, challenge_id=challenge_id)
    current = next(
        (
            p
            for p in plan
            if str(p.kind) == str(certificate.kind) and p.recipient_key == certificate.recipient_key
        ),
        None,
    )
    replacement = Certificate(
        code=new_code(),
        challenge_id=challenge_id,
        kind=certificate.kind,
        recipient_key=certificate.recipient_key,
        recipient_name=current.recipient_name if current else certificate.recipient_name,
        subject=current.subject if current else certificate.subject,
        project_id=certificate.project_id,
        version=certificate.version + 1,
    )
    session.add(replacement)
    if certificate.status != CertificateStatus.REVOKED:
        _revoke(
            session,
            certificate,
            _("Replaced by version %(version)s.") % {"version": replacement.version},
        )
    await session.flush()
    _enqueue_render(session, replacement)
    log_action(
        session,
        actor_id=user.id,
        action=events.CERTIFICATE_REISSUED,
        subject_type="certificate",
        subject_id=certificate_id,
        challenge_id=challenge_id,
        data={"new_id": replacement.id, "version": replacement.version},
    )
    return replacement
