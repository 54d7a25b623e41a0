"""Recognition under concurrency: an adoption's certificates recorded by several handlers at
once (its acceptance, its completion, the results) exist once each; files attached to one
milestone at once replace each other in turn, none lost track of; the company's consent
changed many times at once is changed once.

On PostgreSQL these run truly at once and the challenge's, milestone's and adoption's row
locks decide; SQLite serialises writers, so there they show the sequential behaviour.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from app.certificates import service as certificates_service
from app.certificates.models import Certificate
from app.db import Database
from app.forms import Upload
from app.sponsors import adoptions, followup
from app.sponsors.models import AdoptionMilestone
from app.sponsors.schemas import AdoptionClose, AdoptionCreate, MilestoneCreate
from app.storage import LocalStorage, staged
from tests.concurrency.test_transitions import AT_ONCE, _actions
from tests.factories import Actors
from tests.sponsors.conftest import Scene, make_scene
from tests.sponsors.test_followup import YESTERDAY
from tests.teams.test_uploads import PDF


async def _accepted(db: Database, scene: Scene) -> int:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=AdoptionCreate(mentoring_hours=4)
        )
    assert adoption.id is not None
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id)
    return adoption.id


async def test_certificates_recorded_by_handlers_at_once_exist_once_each(
    db: Database, actors: Actors
) -> None:
    scene = await make_scene(db, actors)
    adoption_id = await _accepted(db, scene)
    closing = AdoptionClose(outcome="completed")
    async with db.transaction() as session:
        await followup.close_adoption(
            session, user=scene.rep, adoption_id=adoption_id, data=closing
        )

    async def record(n: int) -> int:
        async with db.transaction() as session:
            if n % 2:
                found = await certificates_service.issue_for_adoption(
                    session, adoption_id=adoption_id
                )
            else:
                found = await certificates_service.issue_for_results(
                    session, challenge_id=scene.cid
                )
        return len(found)

    recorded = await asyncio.gather(*(record(n) for n in range(AT_ONCE)))

    async with db.read() as session:
        keys = Counter(
            (str(kind), key)
            for kind, key in (
                await session.execute(select(Certificate.kind, Certificate.recipient_key))
            ).all()
        )
    assert set(keys.values()) == {1}
    # two students and the company, adopted and completed; the students' participation
    assert len(keys) == 8
    assert sum(recorded) == 8


async def test_files_attached_to_one_milestone_at_once_replace_each_other_in_turn(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    scene = await make_scene(db, actors)
    adoption_id = await _accepted(db, scene)
    async with db.transaction() as session:
        milestone = await followup.propose_milestone(
            session,
            user=scene.rep,
            adoption_id=adoption_id,
            data=MilestoneCreate(kind="kickoff", happened_on=YESTERDAY),  # type: ignore[arg-type]
        )
    assert milestone.id is not None
    milestone_id = milestone.id

    async def attach(n: int) -> tuple[str, str | None]:
        upload = Upload(filename=f"verbale-{n}.pdf", data=PDF + str(n).encode())
        async with staged(storage) as stage, db.transaction() as session:
            found, replaced = await followup.attach_file(
                session,
                user=scene.rep,
                adoption_id=adoption_id,
                milestone_id=milestone_id,
                upload=upload,
                max_bytes=10_000,
                stage=stage,
            )
            assert found.file_key is not None
            return found.file_key, replaced

    results = await asyncio.gather(*(attach(n) for n in range(AT_ONCE)))

    async with db.read() as session:
        final = await session.get(AdoptionMilestone, milestone_id)
    assert final is not None
    saved = {key for key, _replaced in results}
    replaced = [old for _key, old in results if old is not None]
    # Each file replaced the one before it: all but the last were replaced exactly once.
    assert len(saved) == AT_ONCE
    assert sorted(replaced) == sorted(saved - {final.file_key})
    assert await _actions(db, "adoption.milestone_file_attached") == AT_ONCE


async def test_the_company_consent_changed_many_times_at_once_changes_once(
    db: Database, actors: Actors
) -> None:
    scene = await make_scene(db, actors)
    adoption_id = await _accepted(db, scene)

    async def hide(n: int) -> None:
        async with db.transaction() as session:
            await followup.set_recognition(
                session, user=scene.rep, adoption_id=adoption_id, public=False
            )

    await asyncio.gather(*(hide(n) for n in range(AT_ONCE)))

    assert await _actions(db, "adoption.recognition_changed") == 1
