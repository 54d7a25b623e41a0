"""Next year's edition: one form makes a draft with last year's texts, tracks, rubrics,
organisers and sponsors, its dates a year later, and none of last year's teams or scores."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind
from app.challenges import events
from app.challenges.models import Challenge, Phase, Track
from app.db import Database
from app.events.models import AuditEntry
from app.judging.models import Criterion, Rubric
from app.sponsors.models import Sponsor, SponsorRepresentative
from app.teams.models import Team
from tests.factories import (
    Actors,
    make_challenge,
    make_project,
    make_round,
    make_sponsor,
    make_team,
    post_form,
)


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return (await session.execute(query)).scalar_one()


async def test_next_years_edition_copies_what_carries_over_and_nothing_else(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user(creator=True)
    co_organiser = await actors.user()
    unconfirmed = await actors.user(verified=False)
    representative, coach, judge = await actors.user(), await actors.user(), await actors.user()
    last = await make_challenge(db, organiser=organiser, title="Climathon Mantova 2026")
    assert last.id is not None
    await actors.grant(co_organiser, last.id, RoleKind.ORGANISER)
    async with db.transaction() as session:  # from before addresses were confirmed
        session.add(Role(user_id=unconfirmed.id, challenge_id=last.id, kind=RoleKind.ORGANISER))
    await make_sponsor(db, last, representative=representative, name="Tea S.p.A.")
    project = await make_project(db, await make_team(db, last, coach=coach))
    await make_round(db, last, judges=[judge], projects=[project])

    async with await actors.client(organiser) as http:
        page = f"/challenges/{last.id}/next-edition"
        form = await http.get(page)
        made = await post_form(http, page, {"title": "Climathon Mantova 2027"}, form_page=page)

    assert 'value="Climathon Mantova 2027"' in form.text  # the year moves on by itself
    assert made.status_code == 303
    async with db.read() as session:
        new = (
            await session.execute(select(Challenge).where(Challenge.previous_edition_id == last.id))
        ).scalar_one()
        old_phases = {
            p.kind: p
            for p in (
                await session.execute(select(Phase).where(Phase.challenge_id == last.id))
            ).scalars()
        }
        new_phases = {
            p.kind: p
            for p in (
                await session.execute(select(Phase).where(Phase.challenge_id == new.id))
            ).scalars()
        }
        tracks = (
            (
                await session.execute(
                    select(Track.name).where(Track.challenge_id == new.id).order_by(Track.position)
                )
            )
            .scalars()
            .all()
        )
        organisers = set(
            (
                await session.execute(
                    select(Role.user_id).where(
                        Role.challenge_id == new.id, Role.kind == RoleKind.ORGANISER
                    )
                )
            ).scalars()
        )
        sponsor = (
            await session.execute(select(Sponsor).where(Sponsor.challenge_id == new.id))
        ).scalar_one()
        reps = (
            (
                await session.execute(
                    select(SponsorRepresentative.user_id).where(
                        SponsorRepresentative.sponsor_id == sponsor.id
                    )
                )
            )
            .scalars()
            .all()
        )
        rubric = (
            await session.execute(select(Rubric).where(Rubric.challenge_id == new.id))
        ).scalar_one()
    assert made.headers["location"] == f"/challenges/{new.id}"
    assert (new.title, new.is_published) == ("Climathon Mantova 2027", False)
    assert tracks == ["Acqua", "Spreco alimentare", "Mobilità"]
    assert set(new_phases) == set(old_phases)
    for kind, phase in new_phases.items():
        assert phase.starts_at.year == old_phases[kind].starts_at.year + 1
        assert (
            phase.starts_at.replace(year=old_phases[kind].starts_at.year)
            == old_phases[kind].starts_at
        )
    assert organisers == {organiser.id, co_organiser.id}  # a role needs a confirmed address
    assert sponsor.name == "Tea S.p.A." and reps == [representative.id]
    assert await _count(db, Role, Role.challenge_id == new.id, Role.kind == RoleKind.SPONSOR) == 1
    assert await _count(db, Criterion, Criterion.rubric_id == rubric.id) == 3
    assert await _count(db, Team, Team.challenge_id == new.id) == 0
    assert await _count(db, AuditEntry, AuditEntry.action == events.EDITION_CLONED) == 1


async def test_only_an_organiser_allowed_to_create_makes_the_next_edition(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()  # organises, but may not create challenges
    last = await make_challenge(db, organiser=organiser)
    before = await _count(db, Challenge)

    async with await actors.api(organiser) as http:
        refused = await http.post(
            f"/api/v1/challenges/{last.id}/next-edition", json={"title": "2027"}
        )
    async with await actors.api(await actors.user(creator=True)) as http:
        stranger = await http.post(
            f"/api/v1/challenges/{last.id}/next-edition", json={"title": "2027"}
        )

    assert refused.status_code == 403
    assert stranger.status_code == 403  # a public challenge: seen, not managed
    assert await _count(db, Challenge) == before


async def test_the_api_makes_the_next_edition_as_a_draft(db: Database, actors: Actors) -> None:
    organiser = await actors.user(creator=True)
    last = await make_challenge(db, organiser=organiser, title="Climathon 2026")

    async with await actors.api(organiser) as http:
        made = await http.post(
            f"/api/v1/challenges/{last.id}/next-edition", json={"title": "Climathon 2027"}
        )
        read = await http.get(f"/api/v1/challenges/{made.json()['id']}")

    assert made.status_code == 201
    assert read.json()["previous_edition_id"] == last.id
    assert read.json()["title"] == "Climathon 2027"
    async with actors.anonymous() as http:
        assert (await http.get(f"/api/v1/challenges/{made.json()['id']}")).status_code == 404
