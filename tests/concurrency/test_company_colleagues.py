"""A company's representatives inviting the same colleague at once make one invitation
(the company's row is held while the open ones are counted); a revocation and an
acceptance of one invitation at once, or a re-send and an acceptance: exactly one wins.
On PostgreSQL the requests run truly at once; SQLite serialises them."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select
from sqlmodel import col
from starlette.applications import Starlette

from app.db import Database
from app.invitations.models import Invitation, InvitationStatus
from app.sponsors.models import CompanyRepresentative
from tests.concurrency.test_unique_inserts import AT_ONCE
from tests.factories import Actors, csrf, make_challenge, make_sponsor
from tests.invitations.conftest import path_of


async def test_one_colleague_invited_at_once_by_every_representative_is_invited_once(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    reps = [await actors.user(f"Rep {n}") for n in range(AT_ONCE)]
    sponsor = await make_sponsor(db, challenge, representative=reps[0], name="Acme S.p.A.")
    async with db.transaction() as session:
        for rep in reps[1:]:
            assert sponsor.company_id is not None and rep.id is not None
            session.add(CompanyRepresentative(company_id=sponsor.company_id, user_id=rep.id))
    clients = [await actors.api(rep) for rep in reps]
    path = f"/api/v1/companies/{sponsor.company_id}/representatives/invitations"
    responses = await asyncio.gather(
        *(clients[n].post(path, json={"emails": ["nuovo@acme.example"]}) for n in range(AT_ONCE))
    )
    for http in clients:
        await http.aclose()

    statuses = Counter(r.status_code for r in responses)
    invited = [r for r in responses if r.status_code == 201 and r.json()["invited"]]
    assert len(invited) == 1
    # The others: refused because it is open already (or, if the insert met, 409 at once).
    assert statuses[201] + statuses[409] == AT_ONCE
    async with db.read() as session:
        open_ones = (
            await session.execute(
                select(func.count())
                .select_from(Invitation)
                .where(col(Invitation.status) == InvitationStatus.PENDING)
            )
        ).scalar_one()
    assert open_ones == 1


async def test_an_invitation_revoked_and_accepted_at_once_does_one_of_the_two(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    rep = await actors.user()
    sponsor = await make_sponsor(db, challenge, representative=rep, name="Beta S.r.l.")
    invitee = await actors.user(email="collega@beta.example")
    async with await actors.api(rep) as api:
        made = await api.post(
            f"/api/v1/companies/{sponsor.company_id}/representatives/invitations",
            json={"emails": ["collega@beta.example"]},
        )
    assert made.status_code == 201
    invitation_id = made.json()["invited"][0]["id"]
    async with db.read() as session:
        invitation = await session.get(Invitation, invitation_id)
    assert invitation is not None
    link = path_of(app, invitation)
    revoke = (
        f"/api/v1/companies/{sponsor.company_id}/representatives/invitations/{invitation_id}/revoke"
    )
    revokers = [await actors.api(rep) for _ in range(AT_ONCE // 2)]
    accepters = [await actors.client(invitee) for _ in range(AT_ONCE // 2)]
    tokens = [await csrf(http, link) for http in accepters]

    responses = await asyncio.gather(
        *(http.post(revoke) for http in revokers),
        *(http.post(link, data={"csrf_token": tokens[n]}) for n, http in enumerate(accepters)),
    )
    for http in [*revokers, *accepters]:
        await http.aclose()

    wins = [r for r in responses if r.status_code in (200, 303)]
    assert len(wins) == 1
    assert all(r.status_code == 409 for r in responses if r not in wins)
    async with db.read() as session:
        final = await session.get(Invitation, invitation_id, populate_existing=True)
        linked = (
            await session.execute(
                select(func.count())
                .select_from(CompanyRepresentative)
                .where(col(CompanyRepresentative.user_id) == invitee.id)
            )
        ).scalar_one()
    assert final is not None
    if wins[0].status_code == 303:
        assert (final.status, linked) == (InvitationStatus.ACCEPTED, 1)
    else:
        assert (final.status, linked) == (InvitationStatus.REVOKED, 0)


async def test_a_colleagues_invitation_resent_while_accepted_does_one_or_the_other(
    app: Starlette, db: Database, actors: Actors
) -> None:
    """A representative re-sends while the colleague accepts with the link they have: the
    acceptance (old link) and the new link never both take effect."""
    rep = await actors.user("Riccardo Rep")
    challenge = await make_challenge(db, organiser=await actors.user())
    sponsor = await make_sponsor(db, challenge, representative=rep)
    colleague = await actors.user(email="collega@acme.example")
    company = f"/api/v1/companies/{sponsor.company_id}/representatives"
    async with await actors.api(rep) as api:
        made = await api.post(f"{company}/invitations", json={"emails": [colleague.email]})
    invitation_id = made.json()["invited"][0]["id"]
    async with db.read() as session:
        invitation = await session.get(Invitation, invitation_id)
    assert invitation is not None
    path = path_of(app, invitation)
    person = await actors.client(colleague)
    token = await csrf(person, path)
    api = await actors.api(rep)

    accepted, resent = await asyncio.gather(
        person.post(path, data={"csrf_token": token}),
        api.post(f"{company}/invitations/{invitation_id}/resend"),
    )
    await person.aclose()
    await api.aclose()

    outcomes = (accepted.status_code, resent.status_code)
    assert outcomes in {(303, 409), (409, 200)}, outcomes
    async with db.read() as session:
        stored = await session.get(Invitation, invitation_id, populate_existing=True)
        linked = await session.execute(
            select(func.count())
            .select_from(CompanyRepresentative)
            .where(col(CompanyRepresentative.user_id) == colleague.id)
        )
    assert stored is not None
    if outcomes == (303, 409):
        assert (stored.status, stored.sent_count, linked.scalar_one()) == ("accepted", 1, 1)
    else:
        assert (stored.status, stored.sent_count, linked.scalar_one()) == ("pending", 2, 0)
