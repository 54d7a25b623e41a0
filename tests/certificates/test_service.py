"""Verification codes, revoking, re-issuing and who sees which certificate."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette

from app.certificates import queries, service
from app.certificates.models import CertificateKind, CertificateStatus
from app.db import Database
from app.events.models import AuditEntry, OutboxEvent
from app.events.tasks import dispatch
from app.teams.models import TeamMember
from tests.certificates.conftest import (
    certificates,
    issue_participation,
    make_results,
    publish_results,
    work,
)
from tests.factories import Actors


def test_new_codes_are_12_unambiguous_characters() -> None:
    codes = {service.new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(code) == 12 and queries.is_well_formed(code) for code in codes)
    assert not set("".join(codes)) & set("0O1I")


@pytest.mark.parametrize(
    "typed", ["abcd-efgh-2345", " ABCD EFGH 2345 ", "abcd\u2013efgh\u20132345", "ABCDEFGH2345"]
)
def test_normalise_code_tolerates_case_spaces_and_dashes(typed: str) -> None:
    assert queries.normalise_code(typed) == "ABCDEFGH2345"


def test_display_code_groups_by_four() -> None:
    assert queries.display_code("ABCDEFGH2345") == "ABCD-EFGH-2345"


def test_code_with_ambiguous_characters_is_not_well_formed() -> None:
    assert not queries.is_well_formed("ABCDEFGH0O1I")
    assert not queries.is_well_formed("ABCDEFGH234")


async def test_revoke_twice_keeps_the_first_revocation(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    assert issued.certificate.id is not None and issued.challenge.id is not None
    async with db.transaction() as session:
        await service.revoke(
            session,
            certificate_id=issued.certificate.id,
            challenge_id=issued.challenge.id,
            user=issued.organiser,
            reason="Nome sbagliato",
        )

    async with db.transaction() as session:
        again = await service.revoke(
            session,
            certificate_id=issued.certificate.id,
            challenge_id=issued.challenge.id,
            user=issued.organiser,
            reason="Ancora",
        )

    assert again.revoke_reason == "Nome sbagliato"
    async with db.read() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert actions.count("certificate.revoked") == 1


async def test_revoked_pending_certificate_is_never_rendered(
    app: Starlette, actors: Actors, db: Database
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    # Record the certificates but revoke one before the worker renders it.
    async with db.read() as session:
        event_id = (await session.execute(select(OutboxEvent.id))).scalar_one()
    await dispatch({"db": db}, event_id)
    judge = next(c for c in await certificates(db) if c.kind == CertificateKind.JUDGE)
    assert judge.id is not None and results.challenge.id is not None
    async with db.transaction() as session:
        await service.revoke(
            session,
            certificate_id=judge.id,
            challenge_id=results.challenge.id,
            user=results.organiser,
            reason="Giudice ritirato",
        )

    await work(app)

    after = next(c for c in await certificates(db) if c.id == judge.id)
    assert after.status == CertificateStatus.REVOKED
    assert after.storage_key is None and after.sha256 is None


async def test_reissue_takes_the_corrected_name_and_revokes_the_old_version(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db, members=(("Giula", "Bianchi"),))
    async with db.transaction() as session:
        await session.execute(update(TeamMember).values(first_name="Giulia"))
    assert issued.certificate.id is not None and issued.challenge.id is not None

    async with db.transaction() as session:
        replacement = await service.reissue(
            session,
            certificate_id=issued.certificate.id,
            challenge_id=issued.challenge.id,
            user=issued.organiser,
        )
    await work(app)

    old, new = await certificates(db)
    assert (old.version, old.status, old.recipient_name) == (
        1,
        CertificateStatus.REVOKED,
        "Giula Bianchi",
    )
    assert old.revoke_reason == "Sostituito dalla versione 2."
    assert new.id == replacement.id
    assert (new.version, new.status, new.recipient_name) == (
        2,
        CertificateStatus.ISSUED,
        "Giulia Bianchi",
    )
    assert new.code != old.code and new.recipient_key == old.recipient_key


async def test_reissue_of_an_older_version_is_a_conflict(
    app: Starlette, actors: Actors, db: Database
) -> None:
    issued = await issue_participation(app, actors, db)
    assert issued.certificate.id is not None and issued.challenge.id is not None
    async with db.transaction() as session:
        await service.reissue(
            session,
            certificate_id=issued.certificate.id,
            challenge_id=issued.challenge.id,
            user=issued.organiser,
        )

    with pytest.raises(service.NotLatestVersion):
        async with db.transaction() as session:
            await service.reissue(
                session,
                certificate_id=issued.certificate.id,
                challenge_id=issued.challenge.id,
                user=issued.organiser,
            )


async def test_each_person_sees_their_own_certificates(
    app: Starlette, actors: Actors, db: Database
) -> None:
    results = await make_results(actors, db)
    await publish_results(db, results.challenge)
    await work(app)
    challenge_id = results.challenge.id
    assert challenge_id is not None

    async def seen_by(user_id: int | None) -> set[str]:
        assert user_id is not None
        async with db.read() as session:
            found = await queries.visible_to(session, user_id=user_id, challenge_id=challenge_id)
        return {f"{c.kind}:{c.recipient_name}" for c in found}

    assert await seen_by(results.coach.id) == {
        "participation:Giulia Bianchi",
        "award:Giulia Bianchi",
        "adoption:Giulia Bianchi",
    }
    assert await seen_by(results.judge.id) == {"judge:Andrea Lodi"}
    assert await seen_by(results.representative.id) == {"adoption:Acque del Mincio S.p.A."}
    assert await seen_by(results.organiser.id) == set()
