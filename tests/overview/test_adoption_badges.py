"""Recognition: the gallery's cards say which companies adopted a project, and whether the
adoption was completed, with no statement per card."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from app.db import Database
from app.sponsors.models import Adoption, AdoptionStatus
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team


async def test_gallery_cards_show_adopting_companies_and_completion(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    coach = await actors.user()
    adopted = await make_project(db, await make_team(db, challenge, coach=coach), title="Acqua")
    offered = await make_project(db, await make_team(db, challenge, coach=coach), title="Bici")
    rep = await actors.user()
    acme = await make_sponsor(db, challenge, representative=rep, name="Acme S.p.A.")
    beta = await make_sponsor(db, challenge, representative=rep, name="Beta S.r.l.")
    async with db.transaction() as session:
        for project, sponsor, status in (
            (adopted, acme, AdoptionStatus.ACCEPTED),
            (offered, beta, AdoptionStatus.PROPOSED),
        ):
            session.add(
                Adoption(
                    challenge_id=challenge.id or 0,
                    sponsor_id=sponsor.id or 0,
                    project_id=project.id or 0,
                    proposed_by=rep.id or 0,
                    status=status,
                )
            )
    async with actors.anonymous() as http:
        accepted = await http.get(f"/challenges/{challenge.id}")
    async with db.transaction() as session:
        await session.execute(
            update(Adoption)
            .where(col(Adoption.project_id) == adopted.id)
            .values(status=AdoptionStatus.COMPLETED)
        )
    async with actors.anonymous() as http:
        completed = await http.get(f"/challenges/{challenge.id}")

    assert accepted.status_code == 200
    assert accepted.text.count("Adottato da") == 1
    assert '<span class="badge">Adottato da Acme S.p.A.</span></p>' in accepted.text
    assert "Beta S.r.l." not in accepted.text  # an offer is no adoption
    assert (
        '<span class="badge">Adottato da Acme S.p.A.</span> '
        '<span class="badge">Adozione completata</span>' in completed.text
    )
