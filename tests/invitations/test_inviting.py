"""Organisers invite by pasted list, CSV or API; every bad line is reported, the good ones
invited; they resend and revoke."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts.models import RoleKind, User
from app.db import Database
from app.events.models import OutboxEvent
from app.invitations import links
from app.invitations.models import Invitation, InvitationStatus
from tests.accounts.conftest import links as links_in
from tests.certificates.smtp import SmtpSink
from tests.factories import Actors, make_challenge, make_sponsor, post_form, run_jobs
from tests.invitations.conftest import count_actions, invite, path_of, reload
from tests.snapshots import changed_tables, snapshot


async def _invitations(db: Database) -> list[Invitation]:
    async with db.read() as session:
        found = await session.execute(select(Invitation).order_by(col(Invitation.id)))
        return list(found.scalars())


async def test_a_csv_with_garbage_lines_invites_the_good_ones_and_reports_each_bad_one(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    organiser, judge = await actors.user(), await actors.user(email="gia.giudice@example.org")
    challenge = await make_challenge(db, organiser=organiser)
    await actors.grant(judge, challenge.id or 0, RoleKind.JUDGE)
    await invite(db, organiser, challenge, "aperto@example.org")
    csv = (
        "\ufeffemail;nome\n"
        "anna@example.org;Anna\n"
        "non un indirizzo;Bruno\n"
        "\n"
        "ANNA@example.org;Anna di nuovo\n"
        "gia.giudice@example.org;Già giudice\n"
        "aperto@example.org;Invito aperto\n"
        "carlo@ex\u0430mple.org;Cirillico\n"  # a Cyrillic a: a look-alike domain
        "dora@example.org\n"
    ).encode()
    path = f"/challenges/{challenge.id}/invitations"

    async with await actors.client(organiser) as http:
        page = await post_form(
            http,
            path,
            {"kind": "judge", "emails": "", "days": "7"},
            files={"file": ("giudici.csv", csv, "text/csv")},
            form_page=path,
        )
    await run_jobs(app)

    assert page.status_code == 200
    assert "Invitati: 2. Non invitati: 5." in page.text
    for line in ("<td>3</td>", "<td>5</td>", "<td>6</td>", "<td>7</td>", "<td>8</td>"):
        assert line in page.text
    assert "compare due volte" in page.text
    assert "ha già questo ruolo" in page.text
    assert "ha già un invito aperto" in page.text
    invited = [i.email for i in await _invitations(db)]
    assert invited == ["aperto@example.org", "anna@example.org", "dora@example.org"]
    assert sorted(m["To"] for m in sink.messages) == [
        "anna@example.org",
        "aperto@example.org",
        "dora@example.org",
    ]


async def test_more_than_500_addresses_or_none_invite_nobody(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    path = f"/challenges/{challenge.id}/invitations"
    many = "\n".join(f"p{n}@example.org" for n in range(501))
    async with await actors.client(organiser) as http:
        before = await snapshot(db)
        too_many = await post_form(http, path, {"kind": "judge", "emails": many}, form_page=path)
        empty = await post_form(http, path, {"kind": "judge", "emails": "\n \n"}, form_page=path)
        both = await post_form(
            http,
            path,
            {"kind": "judge", "emails": "a@example.org"},
            files={"file": ("a.csv", b"b@example.org\n", "text/csv")},
            form_page=path,
        )
        no_sponsor = await post_form(
            http, path, {"kind": "sponsor", "emails": "a@example.org"}, form_page=path
        )
        participant = await post_form(
            http, path, {"kind": "participant", "emails": "a@example.org"}, form_page=path
        )
        after = await snapshot(db)

    assert [r.status_code for r in (too_many, empty, both, no_sponsor, participant)] == [422] * 5
    assert "al massimo 500 indirizzi" in too_many.text
    assert changed_tables(before, after) == []


async def test_an_organiser_resends_with_a_new_link_and_revokes(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    first, second = await invite(db, organiser, challenge, "a@example.org", "b@example.org")
    old_link = path_of(app, first)
    base = f"/challenges/{challenge.id}/invitations"

    async with await actors.client(organiser) as http:
        resent = await post_form(http, f"{base}/{first.id}/resend", form_page=base)
        revoked = await post_form(http, f"{base}/{second.id}/revoke", form_page=base)
        revoked_again = await post_form(http, f"{base}/{second.id}/revoke", form_page=base)
        resend_revoked = await post_form(http, f"{base}/{second.id}/resend", form_page=base)
        listing = await http.get(base)
    await run_jobs(app)
    async with actors.anonymous() as http:
        old = await http.get(old_link)
        new = await http.get(path_of(app, await reload(db, first)))

    assert (resent.status_code, revoked.status_code) == (303, 303)
    assert (revoked_again.status_code, resend_revoked.status_code) == (409, 409)
    assert (await reload(db, first)).sent_count == 2
    assert (await reload(db, second)).status == InvitationStatus.REVOKED
    assert '<span class="badge">Revocato</span>' in listing.text
    assert old.status_code == 409
    assert new.status_code == 200
    # The worker ran after the resend and the revocation: a@ gets the latest link only (the
    # first round's link is dead), b@ nothing (its invitation was withdrawn).
    (mail,) = sink.to("a@example.org")
    (link,) = links_in(mail)
    claim = links.read(app.state.settings.secret_key, link.rsplit("/", 1)[1])
    assert claim is not None and claim.nonce == (await reload(db, first)).nonce
    assert sink.to("b@example.org") == []
    assert await count_actions(db, "invitation.resent") == 1
    assert await count_actions(db, "invitation.revoked") == 1


async def test_the_api_invites_lists_resends_and_revokes(db: Database, actors: Actors) -> None:
    organiser, rep = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    sponsor = await make_sponsor(db, challenge, representative=rep)
    base = f"/api/v1/challenges/{challenge.id}/invitations"

    async with await actors.api(organiser) as http:
        made = await http.post(
            base,
            json={
                "kind": "sponsor",
                "sponsor_id": sponsor.id,
                "emails": ["x@acme.example", "nope", "x@acme.example"],
                "days": 3,
            },
        )
        (invited,) = made.json()["invited"]
        listed = await http.get(base)
        resent = await http.post(f"{base}/{invited['id']}/resend")
        revoked = await http.post(f"{base}/{invited['id']}/revoke")
        closed = await http.post(f"{base}/{invited['id']}/resend")

    assert made.status_code == 201
    assert invited["email"] == "x@acme.example"
    assert invited["status"] == "pending"
    assert invited["sponsor_id"] == sponsor.id
    assert [(r["line"], r["email"]) for r in made.json()["refused"]] == [
        (2, "nope"),
        (3, "x@acme.example"),
    ]
    assert [i["id"] for i in listed.json()] == [invited["id"]]
    assert resent.json()["sent_count"] == 2
    assert revoked.json()["status"] == "revoked"
    assert closed.status_code == 409
    async with db.read() as session:
        events = await session.execute(
            select(OutboxEvent.type).where(col(OutboxEvent.type) == "InvitationSent")
        )
    assert len(events.all()) == 2


async def test_the_mail_is_in_the_invitees_language_and_no_title_adds_a_header(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    organiser = await actors.user(name="Olga\r\nBcc: spia@example.net")
    english = await actors.user(email="english@example.org")
    async with db.transaction() as session:
        found = await session.get(User, english.id)
        assert found is not None
        found.locale = "en"
    challenge = await make_challenge(
        db, organiser=organiser, title="Clima\r\nBcc: spia@example.net"
    )
    await invite(db, organiser, challenge, "english@example.org", "nuovo@example.org")

    await run_jobs(app)

    (in_english,) = sink.to("english@example.org")
    (in_italian,) = sink.to("nuovo@example.org")
    assert in_english["Subject"] == "Invitation to Clima Bcc: spia@example.net on Madrina"
    assert in_italian["Subject"] == "Invito a Clima Bcc: spia@example.net su Madrina"
    assert in_english["Bcc"] is None and in_italian["Bcc"] is None
    assert sorted(rcpt for _sender, rcpts in sink.envelopes for rcpt in rcpts) == [
        "english@example.org",
        "nuovo@example.org",
    ]


async def test_an_organiser_invites_at_most_1000_a_day_and_resends_3_times_an_hour(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    base = f"/api/v1/challenges/{challenge.id}/invitations"
    page = f"/challenges/{challenge.id}/invitations"

    async with await actors.api(organiser) as http:
        for batch in range(2):  # a school network: two full lists
            emails = [f"p{batch}-{k}@scuola.example" for k in range(500)]
            made = await http.post(base, json={"kind": "judge", "emails": emails})
            assert made.status_code == 201 and len(made.json()["invited"]) == 500
        one_more = await http.post(base, json={"kind": "judge", "emails": ["x@scuola.example"]})
        first_id = made.json()["invited"][0]["id"]
        resends = [(await http.post(f"{base}/{first_id}/resend")).status_code for _ in range(4)]
    async with await actors.client(organiser) as http:
        await http.get(page)
        before = await snapshot(db)
        form = await post_form(
            http, page, {"kind": "judge", "emails": "y@scuola.example", "days": "7"}
        )

    assert one_more.status_code == 429 and int(one_more.headers["retry-after"]) == 86400
    assert "1000" in one_more.json()["error"]["message"]
    assert resends == [200, 200, 200, 429]
    assert form.status_code == 429
    assert "y@scuola.example" in form.text  # the list stays in the box
    assert changed_tables(before, await snapshot(db)) == []
    assert len(await _invitations(db)) == 1000
