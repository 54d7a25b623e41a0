"""Accepting an invitation: by making an account, or as the account of the address; and
every link that cannot be used refused with a clear page, nothing written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts.models import Role, RoleKind, User
from app.db import Database, utcnow
from app.invitations import links
from app.invitations.models import Invitation, InvitationStatus
from app.sponsors.models import SponsorRepresentative
from tests.accounts.conftest import links as links_in
from tests.accounts.conftest import text_of
from tests.certificates.smtp import SmtpSink
from tests.factories import PASSWORD, Actors, make_challenge, make_sponsor, post_form, run_jobs
from tests.invitations.conftest import count_actions, invite, path_of, reload
from tests.snapshots import changed_tables, snapshot


async def _roles(db: Database, email: str, challenge_id: int | None) -> set[RoleKind]:
    async with db.read() as session:
        found = await session.execute(
            select(Role.kind)
            .join(User, col(User.id) == col(Role.user_id))
            .where(col(User.email) == email, col(Role.challenge_id) == challenge_id)
        )
        return set(found.scalars())


async def test_a_new_address_gets_the_mail_makes_an_account_and_is_judge(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    organiser = await actors.user(name="Giulia Organizzatrice")
    challenge = await make_challenge(db, organiser=organiser, title="Climathon Mantova")
    async with await actors.client(organiser) as http:
        sent = await post_form(
            http,
            f"/challenges/{challenge.id}/invitations",
            {"kind": "judge", "emails": "Nuova.Giudice@Example.org\n", "days": "7"},
            form_page=f"/challenges/{challenge.id}/invitations",
        )
    await run_jobs(app)
    (mail,) = sink.to("nuova.giudice@example.org")
    (link,) = links_in(mail)
    path = link.removeprefix("http://testserver")

    async with actors.anonymous() as http:
        page = await http.get(path)
        made = await post_form(http, path, {"name": "Nuova Giudice", "password": "a long password"})
        logged_in = await http.get("/account")
        again = await post_form(http, path)

    assert sent.status_code == 303
    assert mail["Subject"] == "Invito a Climathon Mantova su Madrina"
    assert "Giulia Organizzatrice" in text_of(mail)
    assert page.status_code == 200
    assert 'value="nuova.giudice@example.org"' in page.text
    assert made.status_code == 303
    assert made.headers["location"] == f"/challenges/{challenge.id}"
    assert logged_in.status_code == 200
    assert again.status_code == 409
    assert "accepted already" in again.text or "accettato" in again.text
    assert await _roles(db, "nuova.giudice@example.org", challenge.id) == {RoleKind.JUDGE}
    async with db.read() as session:
        person = (
            await session.execute(
                select(User).where(col(User.email) == "nuova.giudice@example.org")
            )
        ).scalar_one()
        (invitation,) = (await session.execute(select(Invitation))).scalars()
    assert person.email_verified_at is not None
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == person.id
    assert invitation.open_key is None


async def test_an_account_logged_in_accepts_and_represents_the_sponsor(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser, other_rep = await actors.user(), await actors.user()
    person = await actors.user(email="marco@acme.example", verified=False)
    challenge = await make_challenge(db, organiser=organiser)
    sponsor = await make_sponsor(db, challenge, representative=other_rep)
    (invitation,) = await invite(
        db, organiser, challenge, "marco@acme.example", kind=RoleKind.SPONSOR, sponsor_id=sponsor.id
    )
    path = path_of(app, invitation)

    async with await actors.client(person) as http:
        page = await http.get(path)
        accepted = await post_form(http, path, form_page=path)

    assert page.status_code == 200
    assert accepted.status_code == 303
    assert await _roles(db, "marco@acme.example", challenge.id) == {RoleKind.SPONSOR}
    async with db.read() as session:
        reps = await session.execute(
            select(SponsorRepresentative.user_id).where(
                col(SponsorRepresentative.sponsor_id) == sponsor.id
            )
        )
        confirmed = await session.get(User, person.id, populate_existing=True)
    assert set(reps.scalars()) == {other_rep.id, person.id}
    assert confirmed is not None and confirmed.email_verified_at is not None  # the link proved it
    assert await count_actions(db, "invitation.accepted") == 1


async def test_an_account_not_logged_in_is_asked_to_log_in(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    await actors.user(email="coach@scuola.example")
    challenge = await make_challenge(db, organiser=organiser)
    (invitation,) = await invite(
        db, organiser, challenge, "coach@scuola.example", kind=RoleKind.COACH
    )
    path = path_of(app, invitation)

    async with actors.anonymous() as http:
        page = await http.get(path)
        signup = await post_form(http, path, {"name": "Intruso", "password": "a long password"})
        logged_in = await post_form(
            http, f"/login?next={path}", {"email": "coach@scuola.example", "password": PASSWORD}
        )
        accepted = await post_form(http, path, form_page=path)

    assert page.status_code == 200
    assert f'href="/login?next={path}"' in page.text
    assert signup.status_code == 409  # an account has the address: no second one
    assert logged_in.status_code == 303
    assert logged_in.headers["location"] == path
    assert accepted.status_code == 303
    assert await _roles(db, "coach@scuola.example", challenge.id) == {RoleKind.COACH}


async def test_someone_else_logged_in_is_told_and_nothing_changes(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser, stranger = await actors.user(), await actors.user(email="altro@example.org")
    challenge = await make_challenge(db, organiser=organiser)
    (invitation,) = await invite(db, organiser, challenge, "giudice@example.org")
    path = path_of(app, invitation)
    http = await actors.client(stranger)
    before = await snapshot(db)

    async with http:
        page = await http.get(path)
        refused = await post_form(http, path, form_page="/account")

    assert page.status_code == 403
    assert refused.status_code == 403
    assert "giudice@example.org" in refused.text and "altro@example.org" in refused.text
    assert changed_tables(before, await snapshot(db)) == []


async def _refused_everywhere(app: Starlette, db: Database, actors: Actors, path: str) -> list[int]:
    """The link tried anonymously (page and sign-up) and as the invited account."""
    before = await snapshot(db)
    async with actors.anonymous() as http:
        page = await http.get(path)
        signup = await post_form(http, path, {"name": "Tizio", "password": "a long password"})
    assert changed_tables(before, await snapshot(db)) == []
    return [page.status_code, signup.status_code]


async def test_used_expired_revoked_replaced_tampered_and_foreign_links_are_refused(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    await actors.user(email="used@example.org")
    challenge = await make_challenge(db, organiser=organiser)
    other = await make_challenge(db, organiser=organiser)
    used, expired, revoked, replaced, fine = await invite(
        db,
        organiser,
        challenge,
        "used@example.org",
        "expired@example.org",
        "revoked@example.org",
        "replaced@example.org",
        "fine@example.org",
    )
    used_path, replaced_path = path_of(app, used), path_of(app, replaced)
    async with await actors.client(await _user(db, "used@example.org")) as http:
        assert (await post_form(http, used_path, form_page=used_path)).status_code == 303
    async with db.transaction() as session:
        await session.execute(
            update(Invitation)
            .where(col(Invitation.id) == expired.id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    async with await actors.client(organiser) as http:
        for action, target in (("revoke", revoked), ("resend", replaced)):
            done = await post_form(
                http,
                f"/challenges/{challenge.id}/invitations/{target.id}/{action}",
                form_page=f"/challenges/{challenge.id}/invitations",
            )
            assert done.status_code == 303
    fine_path = path_of(app, fine)
    tampered = fine_path[:-3] + ("aaa" if not fine_path.endswith("aaa") else "bbb")
    # A link signed by us, but naming another challenge than the invitation's.
    assert fine.id is not None and other.id is not None
    foreign = "/invitations/" + links.make(
        app.state.settings.secret_key,
        links.InvitationClaim(fine.id, other.id, "judge", (await reload(db, fine)).nonce),
    )
    other_role = "/invitations/" + links.make(
        app.state.settings.secret_key,
        links.InvitationClaim(fine.id, challenge.id or 0, "organiser", fine.nonce),
    )

    assert await _refused_everywhere(app, db, actors, used_path) == [409, 409]
    assert await _refused_everywhere(app, db, actors, path_of(app, expired)) == [409, 409]
    assert await _refused_everywhere(app, db, actors, path_of(app, revoked)) == [409, 409]
    assert await _refused_everywhere(app, db, actors, replaced_path) == [409, 409]
    assert await _refused_everywhere(app, db, actors, tampered) == [400, 400]
    assert await _refused_everywhere(app, db, actors, foreign) == [400, 400]
    assert await _refused_everywhere(app, db, actors, other_role) == [400, 400]
    async with actors.anonymous() as http:
        texts = [(await http.get(p)).text for p in (used_path, path_of(app, expired))]
    assert "accettato" in texts[0] or "accepted already" in texts[0]
    assert "scadut" in texts[1] or "expired" in texts[1]
    assert (await reload(db, fine)).status == InvitationStatus.PENDING


async def test_an_inviter_who_is_no_longer_organiser_invites_nobody(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser, other_organiser = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    await actors.grant(other_organiser, challenge.id or 0, RoleKind.ORGANISER)
    (invitation,) = await invite(db, organiser, challenge, "giudice@example.org")
    async with db.transaction() as session:
        role = (
            await session.execute(
                select(Role).where(
                    col(Role.user_id) == organiser.id, col(Role.challenge_id) == challenge.id
                )
            )
        ).scalar_one()
        await session.delete(role)
    before = await snapshot(db)

    async with actors.anonymous() as http:
        refused = await post_form(
            http, path_of(app, invitation), {"name": "Giudice", "password": "a long password"}
        )

    assert refused.status_code == 409
    assert changed_tables(before, await snapshot(db)) == []
    assert (await reload(db, invitation)).status == InvitationStatus.PENDING


async def _user(db: Database, email: str) -> User:
    async with db.read() as session:
        return (await session.execute(select(User).where(col(User.email) == email))).scalar_one()


async def test_a_judge_invited_to_a_draft_accepts_and_lands_home(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    judge = await actors.user(email="giudice.bozza@example.org")
    challenge = await make_challenge(db, organiser=organiser, published=False)
    (invitation,) = await invite(db, organiser, challenge, "giudice.bozza@example.org")
    path = path_of(app, invitation)

    async with await actors.client(judge) as http:
        page = await http.get(path)
        accepted = await post_form(http, path, form_page=path)

    assert page.status_code == 200  # the link works before the challenge is published
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/"
    assert await _roles(db, "giudice.bozza@example.org", challenge.id) == {RoleKind.JUDGE}
