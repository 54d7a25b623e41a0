"""Invitations made through the real service, their links, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from app.accounts.models import RoleKind, User
from app.challenges.models import Challenge
from app.db import Database
from app.events.models import AuditEntry
from app.invitations import service
from app.invitations.mails import accept_link
from app.invitations.models import Invitation
from tests.certificates.smtp import SmtpSink, smtp_server


@pytest.fixture
def sink(app: Starlette) -> Iterator[SmtpSink]:
    """Mail sent by the worker (run_jobs) arrives here."""
    base = app.state.settings
    with smtp_server() as server:
        app.state.settings = server.settings(base)
        yield server
    app.state.settings = base


async def invite(
    db: Database,
    organiser: User,
    challenge: Challenge,
    *emails: str,
    kind: RoleKind = RoleKind.JUDGE,
    sponsor_id: int | None = None,
) -> list[Invitation]:
    assert challenge.id is not None
    async with db.transaction() as session:
        report = await service.invite(
            session,
            user=organiser,
            challenge_id=challenge.id,
            kind=kind,
            sponsor_id=sponsor_id,
            lines=list(enumerate(emails, start=1)),
        )
    assert report.refused == []
    return report.invited


def path_of(app: Starlette, invitation: Invitation) -> str:
    """The path of the link the invitation's e-mail carries now."""
    link = accept_link(app.state.settings, invitation)
    return link.removeprefix(app.state.settings.base_url)


async def reload(db: Database, invitation: Invitation) -> Invitation:
    async with db.read() as session:
        found = await session.get(Invitation, invitation.id, populate_existing=True)
    assert found is not None
    return found


async def count_actions(db: Database, action: str) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        return (await session.execute(query)).scalar_one()
