"""Organisers' judging set-up: rubrics, judges, rounds, assignment, opening and closing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from app.accounts.models import RoleKind
from app.db import Database
from app.errors import Forbidden, NotFound, ValidationFailed
from app.forms import validate
from app.judging import service
from app.judging.models import Assignment, Criterion, RoundStatus
from app.judging.schemas import RoundCreate, RubricCreate, rubric_from_form
from app.sponsors.models import Adoption, AdoptionStatus
from app.teams.models import Team
from tests.factories import Actors, make_challenge, make_sponsor, unpublish
from tests.judging.conftest import Jury, draft_round, events


def test_rubric_weights_must_add_up_to_100() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate(
            RubricCreate,
            {"name": "R", "criteria": [{"name": "A", "weight": 50}, {"name": "B", "weight": 40}]},
        )

    assert list(caught.value.errors) == ["criteria"]
    assert "90" in caught.value.errors["criteria"]


@pytest.mark.parametrize(
    ("scale", "field"), [((5, 5), "scale_max"), ((1, 20), "scale_max"), ((-1, 5), "scale_min")]
)
def test_rubric_scale_must_be_a_short_rising_range(scale: tuple[int, int], field: str) -> None:
    data = {"name": "R", "scale_min": scale[0], "scale_max": scale[1]}

    with pytest.raises(ValidationFailed) as caught:
        validate(RubricCreate, {**data, "criteria": [{"name": "A", "weight": 100}]})

    assert set(caught.value.errors) == {field}


def test_rubric_form_names_the_row_with_the_error_and_skips_blank_rows() -> None:
    values = {
        "name": "R",
        "criteria-0-name": "Innovation",
        "criteria-0-weight": "60",
        "criteria-2-name": "Impact",
        "criteria-2-weight": "lots",
    }

    with pytest.raises(ValidationFailed) as caught:
        rubric_from_form(values)
    rubric = rubric_from_form({**values, "criteria-2-weight": "40"})

    assert set(caught.value.errors) == {"criteria-2-weight"}
    assert [(c.name, c.weight) for c in rubric.criteria] == [("Innovation", 60), ("Impact", 40)]


async def test_create_rubric_stores_criteria_in_order(db: Database, jury: Jury) -> None:
    rubric, _round = await draft_round(db, jury)

    async with db.read() as session:
        result = await session.execute(
            select(Criterion.name, Criterion.weight, Criterion.position).where(
                Criterion.rubric_id == rubric.id
            )
        )
        rows = sorted(result.all(), key=lambda row: row[2])
    assert [tuple(row) for row in rows] == [
        ("Innovation", 30, 0),
        ("Feasibility", 30, 1),
        ("Impact", 40, 2),
    ]


async def test_create_round_with_rubric_of_another_challenge_is_404(
    db: Database, actors: Actors, jury: Jury
) -> None:
    rubric, _round = await draft_round(db, jury)
    elsewhere = await make_challenge(db, organiser=jury.organiser)
    assert rubric.id is not None and elsewhere.id is not None

    with pytest.raises(NotFound):
        async with db.transaction() as session:
            await service.create_round(
                session,
                user=jury.organiser,
                challenge_id=elsewhere.id,
                data=RoundCreate(name="X", rubric_id=rubric.id),
            )


async def test_create_rubric_by_judge_is_403(db: Database, jury: Jury) -> None:
    with pytest.raises(Forbidden):
        async with db.transaction() as session:
            await service.create_rubric(
                session,
                user=jury.judges[0],
                challenge_id=jury.cid,
                data=RubricCreate(name="R", criteria=[{"name": "A", "weight": 100}]),  # type: ignore[list-item]
            )


async def test_add_judge_without_account_is_422(db: Database, jury: Jury) -> None:
    with pytest.raises(ValidationFailed) as caught:
        async with db.transaction() as session:
            await service.add_judge(
                session, user=jury.organiser, challenge_id=jury.cid, email="nobody@example.org"
            )

    assert set(caught.value.errors) == {"email"}


async def test_assign_judges_balances_loads_and_excludes_conflicts(
    db: Database, actors: Actors, jury: Jury
) -> None:
    # Conflicts: judge 0 coaches project 0's team, judge 1 represents project 1's adopter.
    coach_judge = jury.judges[0]
    async with db.transaction() as session:
        team = await session.get(Team, jury.projects[0].team_id)
        assert team is not None and coach_judge.id is not None
        team.coach_id = coach_judge.id
    sponsor = await make_sponsor(db, jury.challenge, representative=jury.judges[1])
    async with db.transaction() as session:
        assert sponsor.id is not None and jury.judges[1].id is not None
        session.add(
            Adoption(
                challenge_id=jury.cid,
                sponsor_id=sponsor.id,
                project_id=jury.projects[1].id or 0,
                status=AdoptionStatus.ACCEPTED,
                internships=1,
                proposed_by=jury.judges[1].id,
            )
        )
    extra = await actors.user("Judge 3")
    await actors.grant(extra, jury.cid, RoleKind.JUDGE)
    _rubric, judging_round = await draft_round(db, jury, k=2)
    assert judging_round.id is not None

    async with db.transaction() as session:
        allocated = await service.assign_judges(
            session, user=jury.organiser, round_id=judging_round.id
        )

    async with db.read() as session:
        rows = (await session.execute(select(Assignment))).scalars().all()
    panels: dict[int, set[int]] = {}
    for row in rows:
        panels.setdefault(row.project_id, set()).add(row.judge_id)
    assert all(len(panel) == 2 for panel in panels.values()) and len(panels) == 3
    assert coach_judge.id not in panels[jury.projects[0].id or 0]
    assert jury.judges[1].id not in panels[jury.projects[1].id or 0]
    loads = Counter(row.judge_id for row in rows)
    assert allocated.loads == {j: loads.get(j, 0) for j in allocated.loads}
    assert max(allocated.loads.values()) - min(allocated.loads.values()) <= 1


async def test_assign_judges_again_replaces_the_panels(db: Database, jury: Jury) -> None:
    _rubric, judging_round = await draft_round(db, jury, k=1)
    assert judging_round.id is not None

    for _ in range(2):
        async with db.transaction() as session:
            await service.assign_judges(session, user=jury.organiser, round_id=judging_round.id)

    async with db.read() as session:
        assert len((await session.execute(select(Assignment))).scalars().all()) == 3


async def test_assign_with_too_few_judges_is_409_naming_the_project(
    db: Database, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury, k=4)
    assert judging_round.id is not None

    with pytest.raises(service.TooFewJudges) as caught:
        async with db.transaction() as session:
            await service.assign_judges(session, user=jury.organiser, round_id=judging_round.id)

    assert caught.value.message == (
        "Il progetto «Project 0» ha solo 3 giurati senza conflitto di interessi e ne richiede 4: "
        "aggiungi giurati o chiedi meno giurati per progetto."
    )
    async with db.read() as session:
        assert (await session.execute(select(Assignment))).first() is None


async def test_round_opens_after_assignment_and_closes_once(db: Database, jury: Jury) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    assert judging_round.id is not None
    rid = judging_round.id

    with pytest.raises(service.RoundNotOpenable):
        async with db.transaction() as session:
            await service.open_round(session, user=jury.organiser, round_id=rid)
    async with db.transaction() as session:
        await service.assign_judges(session, user=jury.organiser, round_id=rid)
        opened = await service.open_round(session, user=jury.organiser, round_id=rid)
    with pytest.raises(service.RoundNotDraft):
        async with db.transaction() as session:
            await service.assign_judges(session, user=jury.organiser, round_id=rid)
    async with db.transaction() as session:
        closed = await service.close_round(session, user=jury.organiser, round_id=rid)
    async with db.transaction() as session:  # closing again (a double click) changes nothing
        again = await service.close_round(session, user=jury.organiser, round_id=rid)
    with pytest.raises(service.RoundNotOpenable):  # a closed round does not open again
        async with db.transaction() as session:
            await service.open_round(session, user=jury.organiser, round_id=rid)

    assert opened.status == RoundStatus.OPEN and opened.opened_at is not None
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    assert again.closed_at == closed.closed_at
    assert await events(db, "RoundClosed") == [{"round_id": rid}]


async def test_round_actions_by_non_organisers_are_403_and_in_a_draft_404(
    db: Database, actors: Actors, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    assert judging_round.id is not None
    outsider = await actors.user()

    for who in (outsider, jury.judges[0]):
        with pytest.raises(Forbidden):
            async with db.transaction() as session:
                await service.assign_judges(session, user=who, round_id=judging_round.id)
    await unpublish(db, jury.challenge)
    with pytest.raises(NotFound):
        async with db.transaction() as session:
            await service.assign_judges(session, user=outsider, round_id=judging_round.id)
