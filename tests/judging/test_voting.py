"""The people's-choice vote: a visitor votes on a phone and confirms by the e-mailed link
(real SMTP, real worker), a confirmed account votes at once, one ballot per address."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import Response
from sqlalchemy import func, select
from sqlmodel import col
from starlette.applications import Starlette

from app.db import Database
from app.events.models import AuditEntry
from app.judging import mails
from app.judging.models import Round
from tests.accounts.conftest import links
from tests.certificates.smtp import SmtpSink, smtp_server
from tests.factories import (
    Actors,
    csrf_from,
    make_project,
    make_round,
    make_team,
    post_form,
    run_jobs,
    unpublish,
)
from tests.judging.voting_world import VoteWorld, ballots, visitor, vote_world
from tests.snapshots import changed_tables, snapshot


@pytest.fixture
def sink(app: Starlette) -> Iterator[SmtpSink]:
    """Mail sent by the worker (run_jobs) arrives here."""
    base = app.state.settings
    with smtp_server() as server:
        app.state.settings = server.settings(base)
        yield server
    app.state.settings = base


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def _vote_on_page(
    app: Starlette, path: str, data: dict[str, str], ip: str = "127.0.0.1"
) -> Response:
    async with visitor(app, ip) as http:
        page = await http.get(path)
        return await http.post(path, data={"csrf_token": csrf_from(page.text), **data})


async def test_a_visitor_votes_on_the_page_and_the_vote_counts_once_the_link_is_opened(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    world = await vote_world(db, actors)
    path = f"/rounds/{world.rid}/vote"

    sent = await _vote_on_page(app, path, {"project_id": str(world.pid(1)), "email": "Anna@X.it"})
    await run_jobs(app)
    before_confirming = await ballots(db, world.rid)
    [message] = sink.to("anna@x.it")
    [link] = links(message)
    async with visitor(app) as http:
        page = await http.get(link.removeprefix("http://testserver"))
        action = link.removeprefix("http://testserver")
        confirmed = await http.post(action, data={"csrf_token": csrf_from(page.text)})
        again = await http.post(action, data={"csrf_token": csrf_from(page.text)})

    assert sent.status_code == 303 and sent.headers["location"] == f"{path}?sent=1"
    assert [b.project_id for b in before_confirming] == [None]
    assert message["Subject"] == f"Conferma il tuo voto in {world.challenge.title}"
    assert "Progetto 1" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert page.status_code == 200 and "Conferma il mio voto" in page.text
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"{path}?confirmed=1"
    assert again.status_code == 409 and "non funziona più" in again.text
    [ballot] = await ballots(db, world.rid)
    assert (ballot.email, ballot.project_id, ballot.pending_project_id) == (
        "anna@x.it",
        world.pid(1),
        None,
    )


async def test_one_address_in_two_spellings_is_one_voter_and_only_the_newest_link_works(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    world = await vote_world(db, actors)
    async with actors.anonymous() as http:
        first = await http.post(
            f"/api/v1/rounds/{world.rid}/votes",
            json={"project_id": world.pid(0), "email": "A@x.it"},
        )
        await run_jobs(app)
        second = await http.post(
            f"/api/v1/rounds/{world.rid}/votes",
            json={"project_id": world.pid(2), "email": "a@X.IT"},
        )
        await run_jobs(app)
        old_link, new_link = (links(m)[0] for m in sink.to("a@x.it"))
        old = await http.post("/api/v1/votes/confirm", json={"token": _token(old_link)})
        new = await http.post("/api/v1/votes/confirm", json={"token": _token(new_link)})

    assert first.json()["status"] == second.json()["status"] == "pending_confirmation"
    assert old.status_code == 409 and old.json()["error"]["code"] == "vote_link_not_valid"
    assert new.status_code == 200 and new.json() == {
        "round_id": world.rid,
        "project_id": world.pid(2),
    }
    assert [(b.email, b.project_id) for b in await ballots(db, world.rid)] == [
        ("a@x.it", world.pid(2))
    ]


async def test_a_confirmed_account_votes_at_once_and_changes_its_vote_without_counting_twice(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    voter = await actors.user(email="Voter@Example.org")
    async with await actors.api(voter) as http:
        first = await http.post(
            f"/api/v1/rounds/{world.rid}/votes", json={"project_id": world.pid(0)}
        )
        changed = await http.post(
            f"/api/v1/rounds/{world.rid}/votes",
            json={"project_id": world.pid(1), "email": "someone-else@example.org"},
        )
    async with await actors.api(world.organiser) as http:
        tally = await http.get(f"/api/v1/rounds/{world.rid}/votes")

    assert first.json()["status"] == changed.json()["status"] == "counted"
    assert [(b.email, b.project_id) for b in await ballots(db, world.rid)] == [
        ("voter@example.org", world.pid(1))
    ]
    assert tally.json()["counted"] == 1
    assert [(r["project_id"], r["votes"]) for r in tally.json()["tally"]] == [(world.pid(1), 1)]


async def test_an_account_with_an_unconfirmed_address_is_sent_a_link(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    world = await vote_world(db, actors)
    voter = await actors.user(email="nuovo@example.org", verified=False)
    async with await actors.api(voter) as http:
        cast = await http.post(
            f"/api/v1/rounds/{world.rid}/votes", json={"project_id": world.pid(0)}
        )
    await run_jobs(app)

    assert cast.json()["status"] == "pending_confirmation"
    assert len(sink.to("nuovo@example.org")) == 1
    assert [b.project_id for b in await ballots(db, world.rid)] == [None]


async def test_bad_votes_are_refused_with_a_reason_and_write_nothing(
    app: Starlette, db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    other = await vote_world(db, actors)
    draft = await make_project(
        db,
        await make_team(db, world.challenge, coach=await actors.user()),
        submitted=False,
    )
    closed = await vote_world(db, actors, open_it=False)
    url = f"/api/v1/rounds/{world.rid}/votes"
    before = await snapshot(db)
    async with actors.anonymous() as http:
        foreign = await http.post(url, json={"project_id": other.pid(0), "email": "a@x.it"})
        unsubmitted = await http.post(url, json={"project_id": draft.id, "email": "a@x.it"})
        missing = await http.post(url, json={"project_id": 999999, "email": "a@x.it"})
        not_open = await http.post(
            f"/api/v1/rounds/{closed.rid}/votes",
            json={"project_id": closed.pid(0), "email": "a@x.it"},
        )
        no_round = await http.post(
            "/api/v1/rounds/999999/votes", json={"project_id": world.pid(0), "email": "a@x.it"}
        )
        bad_email = await http.post(
            url, json={"project_id": world.pid(0), "email": "not an address"}
        )
        lookalike = await http.post(
            url, json={"project_id": world.pid(0), "email": "anna@ex\u0430mple.org"}
        )
        no_email = await http.post(url, json={"project_id": world.pid(0)})
        tampered = await http.post("/api/v1/votes/confirm", json={"token": "eyJ2Ijo.x.y"})
        forged = mails.make_token(
            "another-secret-key-of-32-characters!!", mails.VoteClaim(1, 1, "n")
        )
        foreign_key = await http.post("/api/v1/votes/confirm", json={"token": forged})

    for response in (foreign, unsubmitted, missing):
        assert response.status_code == 422
        assert response.json()["error"]["fields"]["project_id"] == (
            "Questo progetto non è tra quelli che puoi votare in questa votazione."
        )
    assert not_open.status_code == 409 and not_open.json()["error"]["code"] == "voting_not_open"
    assert no_round.status_code == 404
    assert bad_email.status_code == 422 and "email" in bad_email.json()["error"]["fields"]
    assert lookalike.status_code == 422
    assert no_email.status_code == 422 and "email" in no_email.json()["error"]["fields"]
    assert tampered.status_code == foreign_key.status_code == 422
    assert tampered.json()["error"]["fields"]["token"].startswith("Questo link non funziona più")
    assert changed_tables(before, await snapshot(db)) == []


async def test_a_rubric_round_and_a_draft_challenge_have_no_vote(
    app: Starlette, db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    rubric_round = await make_round(db, world.challenge, judges=[], projects=[])
    async with actors.anonymous() as http:
        rubric = await http.get(f"/rounds/{rubric_round.id}/vote")
        await unpublish(db, world.challenge)
        draft = await http.get(f"/rounds/{world.rid}/vote")

    assert rubric.status_code == 404
    assert draft.status_code == 404


async def test_a_sixth_vote_of_one_address_within_an_hour_is_429(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    async with actors.anonymous() as http:
        answers = [
            await http.post(
                f"/api/v1/rounds/{world.rid}/votes",
                json={"project_id": world.pid(n % 3), "email": "spam@x.it"},
            )
            for n in range(6)
        ]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "Troppi voti" in answers[-1].json()["error"]["message"]


async def test_a_replayed_link_after_the_round_closed_counts_nothing(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    world = await vote_world(db, actors)
    async with actors.anonymous() as http:
        await http.post(
            f"/api/v1/rounds/{world.rid}/votes",
            json={"project_id": world.pid(0), "email": "l@x.it"},
        )
    await run_jobs(app)
    async with await actors.api(world.organiser) as http:
        await http.post(f"/api/v1/rounds/{world.rid}/close")
    async with actors.anonymous() as http:
        late = await http.post(
            "/api/v1/votes/confirm", json={"token": _token(links(sink.to("l@x.it")[0])[0])}
        )

    assert late.status_code == 409 and late.json()["error"]["code"] == "voting_not_open"
    assert [b.project_id for b in await ballots(db, world.rid)] == [None]


async def test_the_challenge_page_invites_to_vote_while_the_vote_is_open(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    async with actors.anonymous() as http:
        page = await http.get(f"/challenges/{world.challenge.id}")
        ballot = await http.get(f"/rounds/{world.rid}/vote?lang=en")

    assert f'href="/rounds/{world.rid}/vote"' in page.text
    assert "Premio del pubblico: Voto del pubblico" in page.text
    assert ballot.status_code == 200
    assert 'name="email"' in ballot.text and ballot.text.count('type="radio"') == 3


async def test_voting_is_audited(app: Starlette, db: Database, actors: Actors) -> None:
    world = await vote_world(db, actors)
    voter = await actors.user()
    async with await actors.api(voter) as http:
        await http.post(f"/api/v1/rounds/{world.rid}/votes", json={"project_id": world.pid(0)})
    async with db.read() as session:
        found = await session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "public_vote.cast")
        )

    assert found.scalar_one() == 1


async def test_an_organiser_creates_and_opens_a_vote_from_the_judging_page(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors, open_it=False)
    admin = f"/challenges/{world.challenge.id}/judging"
    async with await actors.client(world.organiser) as http:
        new_page = f"/challenges/{world.challenge.id}/votes/new"
        refused = await post_form(http, new_page, {"name": " "}, form_page=new_page)
        created = await post_form(http, new_page, {"name": "Voto della serata"}, form_page=new_page)
        page = await http.get(admin)
        [new] = [r for r in await _rounds(db, world) if r.name == "Voto della serata"]
        opened = await post_form(http, f"/rounds/{new.id}/open", form_page=admin)
        ranking = await http.get(f"/challenges/{world.challenge.id}/ranking")
        votes = await http.get(f"/rounds/{new.id}/votes")

    assert refused.status_code == 422 and "Nuovo voto del pubblico" in refused.text
    assert created.status_code == 303
    assert "Apri la votazione" in page.text and "Nuovo voto del pubblico" in page.text
    assert opened.status_code == 303
    assert (new.kind, new.rubric_id) == ("public_vote", None)
    assert [r.status for r in await _rounds(db, world) if r.id == new.id] == ["open"]
    assert ranking.status_code == 200
    assert votes.status_code == 200 and "Ancora nessun voto." in votes.text


async def _rounds(db: Database, world: VoteWorld) -> list[Round]:
    async with db.read() as session:
        found = await session.execute(
            select(Round).where(col(Round.challenge_id) == world.challenge.id)
        )
        return list(found.scalars())
