"""A company's public page, its API and its logo follow the challenges' rule: while none of
the challenges it takes part in is published, it is "not found" to everyone but its
representatives, the organisers of those challenges and admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from app.accounts.models import RoleKind
from app.db import Database
from app.sponsors.models import Company
from tests.factories import Actors, make_challenge, make_sponsor, post_form, publish
from tests.sponsors.test_companies import png


async def test_a_company_only_in_draft_challenges_is_seen_by_its_people_alone(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user("Olga Organiser")
    draft = await make_challenge(db, organiser=organiser, published=False)
    rep = await actors.user("Riccardo Rep")
    sponsor = await make_sponsor(db, draft, representative=rep, name="Nascosta S.r.l.")
    company_id = sponsor.company_id
    async with await actors.api(rep) as api:
        put = await api.put(
            f"/api/v1/companies/{company_id}/logo",
            files={"file": ("logo.png", png(), "image/png")},
        )
    assert put.status_code == 200, put.text
    judge = await actors.user("Gianni Judge")
    assert draft.id is not None
    await actors.grant(judge, draft.id, RoleKind.JUDGE)
    other_organiser = await actors.user("Otto Other")
    await make_challenge(db, organiser=other_organiser)
    member = await actors.user("Mario Member")
    admin = await actors.user("Ada Admin", is_admin=True)
    paths = (
        f"/companies/{company_id}",
        f"/api/v1/companies/{company_id}",
        f"/companies/{company_id}/logo",
    )

    async with actors.anonymous() as http:
        anonymous = [(await http.get(path)).status_code for path in paths]
    outsiders = {}
    for person in (member, judge, other_organiser):
        async with await actors.client(person) as http, await actors.api(person) as api:
            seen = [
                (await (api if "/api/" in path else http).get(path)).status_code for path in paths
            ]
            edit = (await http.get(f"/companies/{company_id}/edit")).status_code
            changed = await post_form(
                http, f"/companies/{company_id}/edit", {"name": "Presa"}, form_page="/login"
            )
        outsiders[person.name] = (seen, edit, changed.status_code)
    insiders = {}
    for person in (rep, organiser, admin):
        async with await actors.client(person) as http, await actors.api(person) as api:
            responses = [await (api if "/api/" in path else http).get(path) for path in paths]
        insiders[person.name] = [r.status_code for r in responses]
        assert responses[2].headers["cache-control"].startswith("private")
        assert "Nascosta S.r.l." in responses[0].text

    assert anonymous == [404, 404, 404]
    for name, (seen, edit, changed_status) in outsiders.items():
        assert (seen, edit, changed_status) == ([404, 404, 404], 404, 404), name
    assert insiders == {name: [200, 200, 200] for name in insiders}
    async with db.read() as session:
        names = (await session.execute(select(col(Company.name)))).scalars().all()
    assert "Presa" not in names

    await publish(db, draft)
    async with actors.anonymous() as http:
        shown = [await http.get(path) for path in paths]
    async with await actors.client(member) as http:
        edit = await http.get(f"/companies/{company_id}/edit")
    assert [r.status_code for r in shown] == [200, 200, 200]
    assert shown[2].headers["cache-control"].startswith("public")
    assert edit.status_code == 403  # seen now, but not theirs to change


async def test_one_published_challenge_makes_the_company_public(
    db: Database, actors: Actors
) -> None:
    rep = await actors.user()
    draft = await make_challenge(db, organiser=await actors.user(), published=False)
    live = await make_challenge(db, organiser=await actors.user())
    await make_sponsor(db, draft, representative=rep, name="Mista S.p.A.")
    sponsor = await make_sponsor(db, live, representative=rep, name="Mista S.p.A.")
    async with actors.anonymous() as http:
        page = await http.get(f"/companies/{sponsor.company_id}")
        api = await http.get(f"/api/v1/companies/{sponsor.company_id}")
    assert page.status_code == 200
    assert api.status_code == 200
    assert api.json()["company"]["name"] == "Mista S.p.A."
