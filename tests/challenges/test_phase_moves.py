"""Moving the dates of a public challenge: people planned around them, so a move needs a
reason (audited and announced), and no window is closed or opened behind their backs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.challenges import events, phases
from app.challenges.models import PhaseKind
from app.challenges.schemas import PhaseInput
from app.db import Database, utcnow
from app.errors import ValidationFailed
from app.events.models import AuditEntry, OutboxEvent
from tests.factories import Actors, make_challenge, post_form


async def _windows(db: Database, challenge_id: int) -> list[PhaseInput]:
    async with db.read() as session:
        rows = await phases.queries.phases(session, challenge_id)
    return [PhaseInput(kind=p.kind, starts_at=p.starts_at, ends_at=p.ends_at) for p in rows]


def _moved(windows: list[PhaseInput], kind: PhaseKind, **change: object) -> list[PhaseInput]:
    return [w.model_copy(update=change) if w.kind == kind else w for w in windows]


async def _set(
    db: Database, user: object, challenge_id: int, windows: list[PhaseInput], reason: str = ""
) -> None:
    async with db.transaction() as session:
        await phases.set_phases(
            session,
            user=user,
            challenge_id=challenge_id,
            windows=windows,
            reason=reason,  # type: ignore[arg-type]
        )


async def test_a_public_challenge_moves_its_dates_only_with_a_reason(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None
    windows = await _windows(db, challenge.id)
    registration = next(w for w in windows if w.kind == PhaseKind.REGISTRATION)
    later = _moved(
        windows, PhaseKind.REGISTRATION, ends_at=registration.ends_at + timedelta(days=3)
    )

    with pytest.raises(ValidationFailed) as refused:
        await _set(db, organiser, challenge.id, later)
    assert set(refused.value.errors) == {"reason"}

    await _set(db, organiser, challenge.id, later, reason="Sciopero dei trasporti")

    async with db.read() as session:
        entry = (
            await session.execute(
                select(AuditEntry).where(AuditEntry.action == events.PHASES_MOVED)
            )
        ).scalar_one()
        moved = (
            (
                await session.execute(
                    select(OutboxEvent).where(OutboxEvent.type == events.PhasesMoved.__name__)
                )
            )
            .scalars()
            .all()
        )
    assert entry.data["reason"] == "Sciopero dei trasporti"
    assert entry.data["before"]["registration"][1] == registration.ends_at.isoformat()
    assert len(moved) == 1


async def test_sending_the_same_dates_back_needs_no_reason_and_records_nothing(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None

    await _set(db, organiser, challenge.id, await _windows(db, challenge.id))

    async with db.read() as session:
        entries = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert events.PHASES_MOVED not in entries


async def test_an_open_window_is_not_closed_in_the_past_nor_a_future_one_opened_there(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None
    windows = await _windows(db, challenge.id)
    yesterday = utcnow() - timedelta(days=1)

    closed_behind = _moved(windows, PhaseKind.SUBMISSION, ends_at=yesterday)
    with pytest.raises(ValidationFailed) as refused:
        await _set(db, organiser, challenge.id, closed_behind, reason="Chiusa prima")
    assert set(refused.value.errors) == {"submission_ends_at"}

    # Ending it now is how a window closes early.
    now = _moved(windows, PhaseKind.SUBMISSION, ends_at=utcnow() - timedelta(minutes=1))
    await _set(db, organiser, challenge.id, now, reason="Consegne chiuse in anticipo")

    # A window still to come may not start in the past.
    future = utcnow() + timedelta(days=10)
    to_come = _moved(
        await _windows(db, challenge.id),
        PhaseKind.ADOPTION,
        starts_at=future,
        ends_at=future + timedelta(days=5),
    )
    await _set(db, organiser, challenge.id, to_come, reason="Adozioni dopo la premiazione")
    back = _moved(await _windows(db, challenge.id), PhaseKind.ADOPTION, starts_at=yesterday)
    with pytest.raises(ValidationFailed) as refused:
        await _set(db, organiser, challenge.id, back, reason="Prima")
    assert set(refused.value.errors) == {"adoption_starts_at"}


async def test_submission_may_not_end_after_judging_ends(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None
    windows = await _windows(db, challenge.id)
    judging = next(w for w in windows if w.kind == PhaseKind.JUDGING)
    late = _moved(windows, PhaseKind.SUBMISSION, ends_at=judging.ends_at + timedelta(days=1))

    with pytest.raises(ValidationFailed) as refused:
        await _set(db, organiser, challenge.id, late, reason="Più tempo")

    assert set(refused.value.errors) == {"judging_ends_at"}


async def test_the_phases_form_asks_for_a_reason_and_keeps_what_was_typed(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    page = f"/challenges/{challenge.id}/phases"
    later = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    async with await actors.client(organiser) as http:
        shown = await http.get(page)
        form = {
            "submission_starts_at": (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "submission_ends_at": later,
        }
        refused = await post_form(http, page, form, form_page=page)

    assert 'name="reason"' in shown.text
    assert refused.status_code == 422
    assert f'value="{later}"' in refused.text
    assert "Spiega perché cambiano le date" in refused.text
