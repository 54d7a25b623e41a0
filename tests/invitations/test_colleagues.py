"""A company's representative invites colleagues: through the same invitations as the
organisers' (mail, link, verified address), the colleague represents the company in every
challenge it joins; the representatives see, re-send (3 times an hour) and revoke the
pending ones, whoever of them invited; nobody else sees any of it (404), and a
representative removed loses it at once."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlmodel import col
from starlette.applications import Starlette

from app.accounts.models import Role, RoleKind, User
from app.db import Database
from app.invitations import links
from app.invitations.models import Invitation, InvitationStatus
from app.sponsors.models import CompanyRepresentative, Sponsor, SponsorRepresentative
from tests.accounts.conftest import links as links_in
from tests.certificates.smtp import SmtpSink
from tests.factories import Actors, make_challenge, make_sponsor, post_form, run_jobs
from tests.invitations.conftest import count_actions, path_of, reload
from tests.snapshots import changed_tables, snapshot


async def _company(
    db: Database, actors: Actors, name: str = "Acme S.p.A."
) -> tuple[User, Sponsor, Sponsor]:
    """A company with one representative, taking part in two challenges."""
    rep = await actors.user("Riccardo Rep")
    first = await make_challenge(db, organiser=await actors.user())
    second = await make_challenge(db, organiser=await actors.user())
    one = await make_sponsor(db, first, representative=rep, name=name)
    two = await make_sponsor(db, second, representative=rep, name=name)
    return rep, one, two


async def _invitations(db: Database) -> list[Invitation]:
    async with db.read() as session:
        return list(
            (await session.execute(select(Invitation).order_by(col(Invitation.id)))).scalars()
        )


async def _represents(db: Database, user_id: int, company_id: int) -> bool:
    async with db.read() as session:
        found = await session.execute(
            select(CompanyRepresentative.id).where(
                col(CompanyRepresentative.user_id) == user_id,
                col(CompanyRepresentative.company_id) == company_id,
            )
        )
        return found.first() is not None


async def test_a_colleague_invited_by_a_representative_represents_the_company_everywhere(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    rep, one, two = await _company(db, actors)
    colleague = await actors.user("Chiara Collega", email="chiara@acme.example", verified=False)
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.client(rep) as http:
        shown = await http.get(page)
        sent = await post_form(
            http, page, {"emails": "Chiara@Acme.example\n", "days": "7"}, form_page=page
        )
        listed = await http.get(page)
    await run_jobs(app)
    (mail,) = sink.to("chiara@acme.example")
    (link,) = links_in(mail)
    path = link.removeprefix("http://testserver")
    async with await actors.client(colleague) as http:
        accepted = await post_form(http, path, form_page=path)
        dashboard = await http.get("/sponsor")

    assert shown.status_code == 200
    assert "Riccardo Rep" in shown.text
    assert sent.status_code == 303
    assert "chiara@acme.example" in listed.text
    (invitation,) = await _invitations(db)
    assert invitation.company_id == one.company_id
    assert invitation.invited_by == rep.id
    assert invitation.kind == RoleKind.SPONSOR
    assert accepted.status_code == 303
    assert (await reload(db, invitation)).status == InvitationStatus.ACCEPTED
    assert colleague.id is not None and one.company_id is not None
    assert await _represents(db, colleague.id, one.company_id)
    async with db.read() as session:
        linked = set(
            (
                await session.execute(
                    select(SponsorRepresentative.sponsor_id).where(
                        col(SponsorRepresentative.user_id) == colleague.id
                    )
                )
            ).scalars()
        )
        roles = set(
            (
                await session.execute(
                    select(Role.challenge_id).where(
                        col(Role.user_id) == colleague.id, col(Role.kind) == RoleKind.SPONSOR
                    )
                )
            ).scalars()
        )
        verified = await session.get(User, colleague.id, populate_existing=True)
    assert linked == {one.id, two.id}
    assert roles == {one.challenge_id, two.challenge_id}  # the link proved the address
    assert verified is not None and verified.email_verified_at is not None
    assert dashboard.status_code == 200
    assert "Acme S.p.A." in dashboard.text


async def test_outsiders_and_another_companys_representatives_find_nothing(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, _two = await _company(db, actors)
    other_rep, _o1, _o2 = await _company(db, actors, name="Beta S.r.l.")
    organiser = await actors.user()
    async with await actors.api(rep) as api:
        made = await api.post(
            f"/api/v1/companies/{one.company_id}/representatives/invitations",
            json={"emails": ["nuovo@acme.example"]},
        )
    assert made.status_code == 201, made.text
    invitation_id = made.json()["invited"][0]["id"]
    page = f"/companies/{one.company_id}/representatives"
    revoke = f"{page}/invitations/{invitation_id}/revoke"
    resend = f"{page}/invitations/{invitation_id}/resend"
    before = await snapshot(db)
    for person in (other_rep, organiser):
        async with await actors.client(person) as http:
            assert (await http.get(page)).status_code == 404
            invited = await post_form(http, page, {"emails": "x@example.org"}, form_page="/login")
            assert invited.status_code == 404
            assert (await post_form(http, revoke, form_page="/login")).status_code == 404
            assert (await post_form(http, resend, form_page="/login")).status_code == 404
        async with await actors.api(person) as api:
            assert (await api.get(f"/api/v1{page}")).status_code == 404
            posted = await api.post(
                f"/api/v1{page}/invitations", json={"emails": ["y@example.org"]}
            )
            assert posted.status_code == 404
            assert (await api.post(f"/api/v1{revoke}")).status_code == 404
            assert (await api.post(f"/api/v1{resend}")).status_code == 404
    async with actors.anonymous() as http:
        assert (await http.get(page)).status_code in (302, 303, 401)
    changed = set(changed_tables(before, await snapshot(db)))
    # Only the logins made here (sessions, tokens and their audit lines).
    assert changed <= {"api_token", "user_session", "audit_entry"}
    assert [(i.status, i.sent_count) for i in await _invitations(db)] == [
        (InvitationStatus.PENDING, 1)
    ]


async def test_a_representative_sees_and_revokes_a_pending_invitation(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, _two = await _company(db, actors)
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.api(rep) as api:
        made = await api.post(
            f"/api/v1{page}/invitations", json={"emails": ["n@acme.example"], "days": 3}
        )
        listed = await api.get(f"/api/v1{page}")
    (invitation,) = await _invitations(db)
    path = path_of(app, invitation)
    async with await actors.client(rep) as http:
        revoked = await post_form(
            http, f"{page}/invitations/{invitation.id}/revoke", form_page=page
        )
        twice = await post_form(http, f"{page}/invitations/{invitation.id}/revoke", form_page=page)
        after = await http.get(page)
    newcomer = await actors.user(email="n@acme.example")
    async with await actors.client(newcomer) as http:
        opened = await http.get(path)

    assert made.status_code == 201
    body = listed.json()
    assert body["company_id"] == one.company_id
    assert [p["name"] for p in body["representatives"]] == ["Riccardo Rep"]
    assert [i["email"] for i in body["invitations"]] == ["n@acme.example"]
    assert revoked.status_code == 303
    assert twice.status_code == 409
    assert "n@acme.example" not in after.text
    assert (await reload(db, invitation)).status == InvitationStatus.REVOKED
    assert opened.status_code == 409  # the link stopped working
    assert newcomer.id is not None and one.company_id is not None
    assert not await _represents(db, newcomer.id, one.company_id)


async def test_a_representative_resends_a_colleagues_invitation_with_a_new_link(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    rep, one, _two = await _company(db, actors)
    other = await actors.user("Olivia Other")
    assert one.company_id is not None and other.id is not None
    async with db.transaction() as session:  # a second representative of the company
        session.add(CompanyRepresentative(company_id=one.company_id, user_id=other.id))
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.api(rep) as api:
        made = await api.post(
            f"/api/v1{page}/invitations", json={"emails": ["a@acme.example", "b@acme.example"]}
        )
    assert made.status_code == 201
    first, second = await _invitations(db)
    old_link = path_of(app, first)
    async with await actors.client(other) as http:  # not the one who invited: a colleague
        shown = await http.get(page)
        resent = await post_form(http, f"{page}/invitations/{first.id}/resend", form_page=page)
        revoked = await post_form(http, f"{page}/invitations/{second.id}/revoke", form_page=page)
        closed = await post_form(http, f"{page}/invitations/{second.id}/resend", form_page=page)
    await run_jobs(app)
    async with actors.anonymous() as http:
        old = await http.get(old_link)
        new = await http.get(path_of(app, await reload(db, first)))

    assert shown.status_code == 200
    assert f"{page}/invitations/{first.id}/resend" in shown.text
    assert (resent.status_code, revoked.status_code, closed.status_code) == (303, 303, 409)
    again = await reload(db, first)
    assert (again.sent_count, again.invited_by) == (2, rep.id)  # still the inviter's
    assert (await reload(db, second)).sent_count == 1
    assert old.status_code == 409  # the first link stopped working
    assert new.status_code == 200
    # The worker ran after the resend: a@ gets only the latest link (the first is dead).
    (mail,) = sink.to("a@acme.example")
    (link,) = links_in(mail)
    claim = links.read(app.state.settings.secret_key, link.rsplit("/", 1)[1])
    assert claim is not None and claim.nonce == again.nonce
    assert sink.to("b@acme.example") == []
    assert await count_actions(db, "invitation.resent") == 1


async def test_a_colleagues_invitation_is_resent_at_most_3_times_an_hour(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, _two = await _company(db, actors)
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.api(rep) as api:
        made = await api.post(f"/api/v1{page}/invitations", json={"emails": ["r@acme.example"]})
        invitation_id = made.json()["invited"][0]["id"]
        resend = f"{page}/invitations/{invitation_id}/resend"
        answers = [await api.post(f"/api/v1{resend}") for _ in range(4)]
    async with await actors.client(rep) as http:
        await http.get(page)
        before = await snapshot(db)
        form = await post_form(http, resend, form_page=page)

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[2].json()["sent_count"] == 4
    assert int(answers[3].headers["retry-after"]) == 3600
    assert form.status_code == 429
    assert "inviato di nuovo più volte" in form.text.replace("&#39;", "'")  # the page, and why
    assert changed_tables(before, await snapshot(db)) == []
    (invitation,) = await _invitations(db)
    assert invitation.sent_count == 4


async def test_bad_addresses_colleagues_already_in_and_open_invitations_are_refused(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, _two = await _company(db, actors)
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.client(rep) as http:
        first = await post_form(http, page, {"emails": "a@acme.example"}, form_page=page)
        before = await snapshot(db)
        refused = await post_form(
            http, page, {"emails": f"not an address\na@acme.example\n{rep.email}"}, form_page=page
        )
        empty = await post_form(http, page, {"emails": "", "days": "7"}, form_page=page)
        too_long = await post_form(
            http, page, {"emails": "b@acme.example", "days": "99"}, form_page=page
        )
    assert first.status_code == 303
    assert refused.status_code == 422
    assert "open invitation" in refused.text or "invito aperto" in refused.text
    assert "rappresenta già" in refused.text or "represents the company already" in refused.text
    assert "not an address" in refused.text  # back in the box, to be corrected
    assert empty.status_code == 422
    assert too_long.status_code == 422
    assert 'value="99"' in too_long.text
    assert changed_tables(before, await snapshot(db)) == []


async def test_a_representative_removed_loses_the_page_and_their_invitations_at_once(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, _two = await _company(db, actors)
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.client(rep) as http:
        assert (
            await post_form(http, page, {"emails": "z@acme.example"}, form_page=page)
        ).status_code == 303
    (invitation,) = await _invitations(db)
    path = path_of(app, invitation)
    async with db.transaction() as session:  # the company parts with them
        await session.execute(
            delete(CompanyRepresentative).where(col(CompanyRepresentative.user_id) == rep.id)
        )
    async with await actors.client(rep) as http:
        gone = await http.get(page)
        resend = await post_form(
            http, f"{page}/invitations/{invitation.id}/resend", form_page="/login"
        )
    invitee = await actors.user(email="z@acme.example")
    async with await actors.client(invitee) as http:
        refused = await post_form(http, path, form_page=path)
    assert (gone.status_code, resend.status_code) == (404, 404)
    assert refused.status_code == 409
    assert "no longer represents" in refused.text or "non rappresenta più" in refused.text
    assert invitee.id is not None and one.company_id is not None
    assert not await _represents(db, invitee.id, one.company_id)
    assert (await reload(db, invitation)).status == InvitationStatus.PENDING


async def test_a_company_in_no_challenge_cannot_invite_yet(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, two = await _company(db, actors)
    async with db.transaction() as session:
        for sponsor in (one, two):
            await session.execute(
                delete(SponsorRepresentative).where(
                    col(SponsorRepresentative.sponsor_id) == sponsor.id
                )
            )
            await session.execute(delete(Sponsor).where(col(Sponsor.id) == sponsor.id))
    async with await actors.api(rep) as api:
        refused = await api.post(
            f"/api/v1/companies/{one.company_id}/representatives/invitations",
            json={"emails": ["q@acme.example"]},
        )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "company_takes_no_part"
    async with db.read() as session:
        assert (
            await session.execute(select(func.count()).select_from(Invitation))
        ).scalar_one() == 0


async def test_a_representative_invites_at_most_1000_a_day_like_an_organiser(
    app: Starlette, db: Database, actors: Actors
) -> None:
    rep, one, _two = await _company(db, actors)
    base = f"/api/v1/companies/{one.company_id}/representatives/invitations"
    page = f"/companies/{one.company_id}/representatives"
    async with await actors.api(rep) as api:
        for batch in range(2):
            emails = [f"c{batch}-{k}@acme.example" for k in range(500)]
            made = await api.post(base, json={"emails": emails})
            assert made.status_code == 201 and len(made.json()["invited"]) == 500
        one_more = await api.post(base, json={"emails": ["x@acme.example"]})
    async with await actors.client(rep) as http:
        await http.get(page)
        before = await snapshot(db)
        form = await post_form(
            http, page, {"emails": "y@acme.example", "days": "7"}, form_page=page
        )

    assert one_more.status_code == 429 and int(one_more.headers["retry-after"]) == 86400
    assert form.status_code == 429
    assert "y@acme.example" in form.text  # the list stays in the box
    assert changed_tables(before, await snapshot(db)) == []
    assert len(await _invitations(db)) == 1000
