"""Organisers see the count and the flagged votes, void them (audited, the count exact after),
and a closed vote's count is its own award in the published results."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import col

from app.db import Database, utcnow
from app.events.models import AuditEntry
from app.judging import anomalies, service
from app.judging.models import Award, AwardKind, PublicVote, Round, RoundKind
from app.judging.schemas import RoundCreate
from tests.factories import Actors, post_form
from tests.judging.conftest import Jury
from tests.judging.test_results import close, scored_round
from tests.judging.voting_world import ballots, vote_world
from tests.snapshots import changed_tables, snapshot

T0 = utcnow()


def test_a_window_with_too_many_events_marks_all_of_them_and_only_them() -> None:
    minute = timedelta(minutes=1)
    burst = [(T0 + n * minute / 10, n) for n in range(10)]  # ten within one minute
    calm = [(T0 + timedelta(hours=1) + n * 3 * minute, 100 + n) for n in range(10)]

    found = anomalies.in_bursts(burst + calm, at_least=10, within=10 * minute)

    assert found == set(range(10))


def test_a_big_vote_at_its_own_pace_is_not_a_burst_but_a_script_within_it_is() -> None:
    steady = [(T0 + timedelta(seconds=n * 6), n) for n in range(3000)]  # 100 per 10 minutes
    script = [(T0 + timedelta(hours=2, seconds=n), 10_000 + n) for n in range(600)]

    found = anomalies.in_bursts(
        steady + script,
        at_least=20,
        within=timedelta(minutes=10),
        above_usual=5,
        over=timedelta(hours=5),
    )

    assert (
        anomalies.in_bursts(
            steady,
            at_least=20,
            within=timedelta(minutes=10),
            above_usual=5,
            over=timedelta(hours=5),
        )
        == set()
    )
    assert set(range(10_000, 10_600)) <= found
    assert len(found - set(range(10_000, 10_600))) < 200  # the steady votes beside the script


def test_networks_are_a_slash_24_or_a_slash_64() -> None:
    assert anomalies.network_of("192.0.2.77") == "192.0.2.0/24"
    assert anomalies.network_of("::ffff:192.0.2.77") == "192.0.2.0/24"
    assert anomalies.network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert anomalies.network_of("unknown") == "unknown"


async def _ballot_rows(
    db: Database, round_id: int, project_id: int, rows: list[tuple[str, str, bool, int]]
) -> None:
    """Counted ballots for one project: (email, network, new voter, seconds after T0); each
    confirmed as many seconds after it was cast again, so confirmations spread as votes do."""
    async with db.transaction() as session:
        for email, network, new, seconds in rows:
            at = T0 + timedelta(seconds=seconds)
            session.add(
                PublicVote(
                    round_id=round_id,
                    email=email,
                    project_id=project_id,
                    nonce="n",
                    network=network,
                    new_voter=new,
                    created_at=at,
                    confirmed_at=at + timedelta(seconds=seconds),
                )
            )


async def test_a_burst_from_one_network_is_flagged_and_voided_and_the_count_is_exact(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    bots = [(f"bot{n}@mailinator.test", "203.0.113.0/24", True, n * 20) for n in range(12)]
    people = [(f"person{n}@example.org", f"198.51.{n}.0/24", False, n * 700) for n in range(5)]
    await _ballot_rows(db, world.rid, world.pid(0), bots)
    await _ballot_rows(db, world.rid, world.pid(1), people)
    url = f"/api/v1/rounds/{world.rid}/votes"

    async with await actors.api(world.organiser) as http:
        before = (await http.get(url)).json()
        flagged = [v["id"] for v in before["flagged"]]
        voided = await http.post(f"{url}/void", json={"vote_ids": flagged, "reason": "Script"})
        again = await http.post(f"{url}/void", json={"vote_ids": flagged, "reason": "Di nuovo"})
        after = (await http.get(url)).json()

    assert len(flagged) == 12
    assert {(v["email"], v["network"]) for v in before["flagged"]} == {
        ("b***@mailinator.test", "203.0.113.0/24")
    }
    assert all("network_burst" in v["flags"] for v in before["flagged"])
    assert [(r["project_id"], r["votes"]) for r in before["tally"]] == [
        (world.pid(0), 12),
        (world.pid(1), 5),
    ]
    assert voided.status_code == 200 and voided.json()["voided"] == sorted(flagged)
    assert again.json()["voided"] == []  # voided already: left as they were
    assert [(r["project_id"], r["votes"]) for r in after["tally"]] == [(world.pid(1), 5)]
    assert (after["counted"], after["voided"], after["flagged"]) == (5, 12, [])
    async with db.read() as session:
        audit = (
            (
                await session.execute(
                    select(AuditEntry).where(col(AuditEntry.action) == "public_vote.voided")
                )
            )
            .scalars()
            .all()
        )
    assert [(a.actor_id, a.data["votes"], a.data["reason"]) for a in audit] == [
        (world.organiser.id, sorted(flagged), "Script")
    ]


async def test_many_new_voters_at_once_and_confirmations_in_a_burst_are_flagged(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    async with db.transaction() as session:  # open all evening: 20 new voters stand out
        await session.execute(
            update(Round)
            .where(col(Round.id) == world.rid)
            .values(opened_at=utcnow() - timedelta(hours=6))
        )
    new = [(f"new{n}@example.org", f"10.0.{n}.0/24", True, n * 10) for n in range(20)]
    await _ballot_rows(db, world.rid, world.pid(0), new)

    async with await actors.api(world.organiser) as http:
        page = (await http.get(f"/api/v1/rounds/{world.rid}/votes")).json()

    flags = [set(v["flags"]) for v in page["flagged"]]
    assert len(flags) == 20
    assert all("new_voters" in f and "network_burst" not in f for f in flags)


async def test_only_organisers_see_and_void_votes_and_foreign_ids_void_nothing(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    other = await vote_world(db, actors)
    await _ballot_rows(db, world.rid, world.pid(0), [("a@example.org", "10.0.0.0/24", False, 0)])
    await _ballot_rows(db, other.rid, other.pid(0), [("b@example.org", "10.0.0.0/24", False, 0)])
    [mine], [theirs] = await ballots(db, world.rid), await ballots(db, other.rid)
    stranger = await actors.user()
    url = f"/api/v1/rounds/{world.rid}/votes"
    outsider, organiser = await actors.api(stranger), await actors.api(world.organiser)
    before = await snapshot(db)

    async with outsider as http:
        read = await http.get(url)
        void = await http.post(f"{url}/void", json={"vote_ids": [mine.id], "reason": "x"})
    async with organiser as http:
        foreign = await http.post(
            f"{url}/void", json={"vote_ids": [mine.id, theirs.id], "reason": "x"}
        )
        empty = await http.post(f"{url}/void", json={"vote_ids": [], "reason": "x"})
        no_reason = await http.post(f"{url}/void", json={"vote_ids": [mine.id], "reason": " "})

    assert read.status_code == 403 and void.status_code == 403
    assert foreign.status_code == 422 and "vote_ids" in foreign.json()["error"]["fields"]
    assert empty.status_code == 422 and no_reason.status_code == 422
    assert changed_tables(before, await snapshot(db)) == []


async def test_the_organisers_page_lists_flagged_votes_and_voids_the_chosen_ones(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    await _ballot_rows(
        db,
        world.rid,
        world.pid(0),
        [(f"bot{n}@x.test", "203.0.113.0/24", False, n * 30) for n in range(10)],
    )
    chosen = (await ballots(db, world.rid))[:3]
    path = f"/rounds/{world.rid}/votes"
    async with await actors.client(world.organiser) as http:
        page = await http.get(path)
        no_reason = await post_form(
            http, f"{path}/void", {f"vote-{chosen[0].id}": "on"}, form_page=path
        )
        done = await post_form(
            http,
            f"{path}/void",
            {**{f"vote-{b.id}": "on" for b in chosen}, "reason": "Stessa rete"},
            form_page=path,
        )
        after = await http.get(done.headers["location"])

    assert page.status_code == 200 and page.text.count('type="checkbox"') == 10
    assert "molti voti da una stessa rete" in page.text
    assert no_reason.status_code == 422 and "checked" in no_reason.text
    assert done.status_code == 303
    assert "Voti annullati: 3." in after.text
    assert [b.voided_at is not None for b in await ballots(db, world.rid)] == [True] * 3 + [
        False
    ] * 7


async def test_the_people_choice_is_its_own_award_beside_the_jury_ranking(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await close(db, await scored_round(db, jury))  # the jury prefers projects 0 and 1
    async with db.transaction() as session:
        vote = await service.create_round(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            data=RoundCreate(name="Voto del pubblico", kind=RoundKind.PUBLIC_VOTE),
        )
        assert vote.id is not None
        await service.open_round(session, user=jury.organiser, round_id=vote.id)
    project = {n: p.id or 0 for n, p in enumerate(jury.projects)}
    people = [(f"p{n}@example.org", f"10.{n}.0.0/24", False, n * 900) for n in range(3)]
    await _ballot_rows(db, vote.id, project[2], people)
    await _ballot_rows(db, vote.id, project[0], [("q@example.org", "10.9.0.0/24", False, 0)])
    async with await actors.api(jury.organiser) as http:
        await http.post(f"/api/v1/rounds/{vote.id}/close")
        published = await http.post(f"/api/v1/challenges/{jury.cid}/results/publish")
        late_void = await http.post(
            f"/api/v1/rounds/{vote.id}/votes/void",
            json={"vote_ids": [(await ballots(db, vote.id))[0].id], "reason": "tardi"},
        )
    async with actors.anonymous() as http:
        page = await http.get(f"/challenges/{jury.cid}/results")

    assert published.status_code == 201, published.text
    awards = published.json()["awards"]
    assert [
        (a["name"], a["project_id"], a["score"]) for a in awards if a["kind"] == "public_vote"
    ] == [("Premio del pubblico", project[2], 3.0)]
    best = [
        a["project_id"]
        for a in awards
        if a["kind"] == "jury" and a["rank"] == 1 and a["track_id"] is None
    ]
    assert project[2] not in best and best
    assert late_void.status_code == 409 and late_void.json()["error"]["code"] == "count_fixed"
    assert "Scelti dal pubblico" in page.text and "3 voti" in page.text
    async with db.read() as session:
        stored = (
            (await session.execute(select(Award).where(col(Award.kind) == AwardKind.PUBLIC_VOTE)))
            .scalars()
            .all()
        )
    assert [(a.project_id, a.rank, a.score) for a in stored] == [(project[2], 1, 3.0)]
