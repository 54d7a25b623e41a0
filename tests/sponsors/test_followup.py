"""The follow-up of an accepted adoption: milestones proposed by one side and confirmed by
the other, progress against what was promised, closing, and the organisers' table."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.db import Database, utcnow
from app.errors import Forbidden, ValidationFailed
from app.forms import validate
from app.sponsors import adoptions, followup
from app.sponsors.models import Adoption, AdoptionMilestone, AdoptionStatus, MilestoneKind
from app.sponsors.schemas import AdoptionClose, AdoptionCreate, MilestoneCreate
from tests.factories import Actors, post_form
from tests.sponsors.conftest import Scene, actions, events

OFFER = AdoptionCreate(mentoring_hours=10, internships=2, funding_eur=1000)
YESTERDAY = utcnow().date() - timedelta(days=1)


async def _adopted(db: Database, scene: Scene) -> int:
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=OFFER
        )
    assert adoption.id is not None
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id)
    return adoption.id


async def _record(db: Database, user: object, adoption_id: int, **data: object) -> int:
    milestone = MilestoneCreate.model_validate({"happened_on": YESTERDAY, **data})
    async with db.transaction() as session:
        found = await followup.propose_milestone(
            session,
            user=user,
            adoption_id=adoption_id,
            data=milestone,  # type: ignore[arg-type]
        )
    assert found.id is not None
    return found.id


async def _confirm(db: Database, user: object, adoption_id: int, milestone_id: int) -> None:
    async with db.transaction() as session:
        await followup.confirm_milestone(
            session,
            user=user,  # type: ignore[arg-type]
            adoption_id=adoption_id,
            milestone_id=milestone_id,
        )


async def _progress(db: Database, adoption_id: int) -> tuple[int, int, int, int, int]:
    async with db.read() as session:
        adoption = await session.get(Adoption, adoption_id)
        found = (
            await session.execute(
                select(AdoptionMilestone).where(AdoptionMilestone.adoption_id == adoption_id)
            )
        ).scalars()
        assert adoption is not None
        p = followup.progress(adoption, list(found))
    return (
        p.mentoring_hours_done,
        p.internships_started,
        p.funding_paid_eur,
        p.milestones_confirmed,
        p.milestones_waiting,
    )


async def test_a_milestone_counts_once_the_other_side_confirms_it(
    db: Database, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    session_id = await _record(db, scene.rep, adoption_id, kind="mentoring", hours=6)
    started = await _record(db, scene.coach, adoption_id, kind="internship_started")

    before = await _progress(db, adoption_id)
    await _confirm(db, scene.coach, adoption_id, session_id)
    await _confirm(db, scene.rep, adoption_id, started)

    assert before == (0, 0, 0, 0, 2)
    assert await _progress(db, adoption_id) == (6, 1, 0, 2, 0)
    assert len(await events(db, "MilestoneProposed")) == 2
    assert len(await events(db, "MilestoneConfirmed")) == 2
    assert (await actions(db)).count("adoption.milestone_confirmed") == 2


async def test_more_hours_than_promised_are_allowed_and_shown(db: Database, scene: Scene) -> None:
    adoption_id = await _adopted(db, scene)
    first = await _record(db, scene.rep, adoption_id, kind="mentoring", hours=8)
    second = await _record(db, scene.rep, adoption_id, kind="mentoring", hours=5)
    for milestone_id in (first, second):
        await _confirm(db, scene.coach, adoption_id, milestone_id)

    assert (await _progress(db, adoption_id))[0] == 13  # of 10 promised


async def test_the_side_that_proposed_a_milestone_cannot_confirm_it(
    db: Database, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")

    with pytest.raises(Forbidden):
        await _confirm(db, scene.rep, adoption_id, milestone_id)

    assert (await _progress(db, adoption_id))[3:] == (0, 1)


async def test_a_milestone_in_the_future_is_refused(db: Database, scene: Scene) -> None:
    adoption_id = await _adopted(db, scene)

    with pytest.raises(ValidationFailed) as caught:
        await _record(
            db, scene.coach, adoption_id, kind="kickoff", happened_on=date.today() + timedelta(3)
        )

    assert set(caught.value.errors) == {"happened_on"}
    assert await events(db, "MilestoneProposed") == []


async def test_a_milestone_on_an_offer_not_accepted_is_409(db: Database, scene: Scene) -> None:
    async with db.transaction() as session:
        offer = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.pid, data=OFFER
        )

    with pytest.raises(followup.AdoptionNotFollowed):
        await _record(db, scene.rep, offer.id or 0, kind="kickoff")


async def test_organisers_and_members_read_but_do_not_record(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)

    with pytest.raises(Forbidden):
        await _record(db, scene.organiser, adoption_id, kind="kickoff")


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "mentoring", "happened_on": "2026-01-10"},  # hours missing
        {"kind": "funding_paid", "happened_on": "2026-01-10"},  # amount missing
        {"kind": "party", "happened_on": "2026-01-10"},
        {"kind": "kickoff", "happened_on": ""},
        {"kind": "mentoring", "happened_on": "2026-01-10", "hours": -3},
        {"kind": "kickoff", "happened_on": "2026-01-10", "note": "n" * 1001},
    ],
)
def test_milestones_refuse_nonsense(data: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        validate(MilestoneCreate, data)


async def test_an_adoption_closed_early_keeps_its_reason_and_takes_no_more_milestones(
    db: Database, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="kickoff")

    async with db.transaction() as session:
        await followup.close_adoption(
            session,
            user=scene.coach,
            adoption_id=adoption_id,
            data=AdoptionClose(outcome="ended", reason="La classe si è diplomata"),
        )
    with pytest.raises(followup.AdoptionNotFollowed):
        await _record(db, scene.rep, adoption_id, kind="kickoff")
    with pytest.raises(followup.AdoptionNotFollowed):
        await _confirm(db, scene.coach, adoption_id, milestone_id)

    async with db.read() as session:
        stored = await session.get(Adoption, adoption_id)
    assert stored is not None
    assert (stored.status, stored.reason) == (AdoptionStatus.ENDED, "La classe si è diplomata")
    assert stored.closed_at is not None
    assert [e["outcome"] for e in await events(db, "AdoptionClosed")] == ["ended"]


def test_ending_early_needs_a_reason() -> None:
    with pytest.raises(ValidationFailed):
        validate(AdoptionClose, {"outcome": "ended", "reason": " "})


async def test_follow_up_pages_from_a_milestone_to_the_organisers_table_and_export(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    page = f"/adoptions/{adoption_id}/follow-up"
    async with await actors.client(scene.rep) as http:
        recorded = await post_form(
            http,
            f"/adoptions/{adoption_id}/milestones",
            {"kind": "mentoring", "happened_on": YESTERDAY.isoformat(), "hours": "6"},
            form_page=page,
        )
        future = await post_form(
            http,
            f"/adoptions/{adoption_id}/milestones",
            {"kind": "kickoff", "happened_on": "2999-01-01", "note": "Presto"},
            form_page=page,
        )
    async with db.read() as session:
        milestone = (await session.execute(select(AdoptionMilestone))).scalar_one()
    async with await actors.client(scene.coach) as http:
        confirmed = await post_form(
            http,
            f"/adoptions/{adoption_id}/milestones/{milestone.id}/confirm",
            form_page=page,
        )
        shown = await http.get(page)
    async with await actors.client(scene.organiser) as http:
        report = await http.get(f"/challenges/{scene.cid}/adoptions")
        export = await http.get(f"/challenges/{scene.cid}/exports/adoptions.csv")

    assert recorded.status_code == 303
    assert future.status_code == 422 and "Presto" in future.text
    assert confirmed.status_code == 303
    assert "6 di 10 ore di mentoring" in shown.text
    assert "1 tappa confermata, 0 in attesa" in shown.text  # one, in the singular
    assert "6 di 10 ore di mentoring" in report.text
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    header = rows[0]
    assert rows[1][header.index("Ore di mentoring svolte")] == "6"
    assert rows[1][header.index("Ultima tappa confermata")] == YESTERDAY.isoformat()
    async with db.read() as session:
        stored = await session.get(AdoptionMilestone, milestone.id)
    assert stored is not None and stored.kind == MilestoneKind.MENTORING
    assert stored.confirmed_by == scene.coach.id


async def test_milestone_and_progress_api(db: Database, actors: Actors, scene: Scene) -> None:
    adoption_id = await _adopted(db, scene)
    async with await actors.api(scene.coach) as http:
        created = await http.post(
            f"/api/v1/adoptions/{adoption_id}/milestones",
            json={"kind": "funding_paid", "happened_on": YESTERDAY.isoformat(), "amount_eur": 400},
        )
        own = await http.post(
            f"/api/v1/adoptions/{adoption_id}/milestones/{created.json()['id']}/confirm"
        )
    async with await actors.api(scene.rep) as http:
        confirmed = await http.post(
            f"/api/v1/adoptions/{adoption_id}/milestones/{created.json()['id']}/confirm"
        )
        progress = await http.get(f"/api/v1/adoptions/{adoption_id}/progress")
        closed = await http.post(
            f"/api/v1/adoptions/{adoption_id}/close", json={"outcome": "completed"}
        )

    assert created.status_code == 201
    assert own.status_code == 403
    assert confirmed.status_code == 200
    assert progress.json()["funding_paid_eur"] == 400
    assert progress.json()["funding_promised_eur"] == 1000
    assert closed.json()["status"] == "completed"


async def test_the_report_api_carries_each_adoption_progress(
    db: Database, actors: Actors, scene: Scene
) -> None:
    adoption_id = await _adopted(db, scene)
    milestone_id = await _record(db, scene.rep, adoption_id, kind="mentoring", hours=4)
    await _confirm(db, scene.coach, adoption_id, milestone_id)

    async with await actors.api(scene.organiser) as http:
        report = await http.get(f"/api/v1/challenges/{scene.cid}/adoptions")

    (row,) = report.json()["progress"]
    assert row["adoption_id"] == adoption_id
    assert (
        row["progress"]["mentoring_hours_done"],
        row["progress"]["mentoring_hours_promised"],
    ) == (
        4,
        10,
    )


async def test_follow_up_leads_both_sides_to_their_certificates_once_adopted(
    db: Database, actors: Actors, scene: Scene
) -> None:
    """The adoption's certificates are issued when it takes effect: the two sides find them
    from the follow-up; the organisers, who receive none, see no such link."""
    adoption_id = await _adopted(db, scene)
    page = f"/adoptions/{adoption_id}/follow-up"
    mine = f'href="/challenges/{scene.cid}/certificates/mine"'
    shown = {}
    for name, person in (("rep", scene.rep), ("coach", scene.coach), ("org", scene.organiser)):
        async with await actors.client(person) as http:
            shown[name] = await http.get(page)

    assert {response.status_code for response in shown.values()} == {200}
    assert mine in shown["rep"].text and mine in shown["coach"].text
    assert mine not in shown["org"].text
