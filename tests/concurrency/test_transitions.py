"""Every state transition under concurrency: the same request many times at once does it
once (one audit entry, one event) and answers each of them without a server error;
conflicting requests at once let exactly one win.

On PostgreSQL the requests run truly at once and the row locks decide; SQLite serialises
writers, so there the same tests show the sequential behaviour.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

from httpx import AsyncClient, Response
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind, User
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.challenges.models import Challenge, Programme
from app.db import Database, utcnow
from app.events.models import AuditEntry, OutboxEvent
from app.judging.models import Assignment, Award, Criterion, RoundStatus, Score
from app.sponsors.models import Adoption
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

AT_ONCE = 20


async def at_once(send: Callable[[int], Awaitable[Response]], times: int = AT_ONCE) -> Counter[int]:
    responses = await asyncio.gather(*(send(n) for n in range(times)))
    return Counter(response.status_code for response in responses)


async def _clients(actors: Actors, user: User, times: int = AT_ONCE) -> list[AsyncClient]:
    return [await actors.api(user) for _ in range(times)]


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return (await session.execute(query)).scalar_one()


async def _actions(db: Database, action: str) -> int:
    return await _count(db, AuditEntry, AuditEntry.action == action)


async def _events(db: Database, kind: str) -> int:
    return await _count(db, OutboxEvent, OutboxEvent.type == kind)


async def test_the_same_first_scores_saved_at_once_are_stored_once(
    db: Database, actors: Actors
) -> None:
    organiser, coach, judge = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    await make_round(db, challenge, judges=[judge], projects=[project])
    async with db.read() as session:
        assignment = (await session.execute(select(Assignment))).scalar_one()
        criteria = list((await session.execute(select(Criterion.id))).scalars())
    clients = await _clients(actors, judge)
    sheet = {"scores": {str(c): 4 for c in criteria}, "comment": "Ottima"}
    path = f"/api/v1/assignments/{assignment.id}/scores"

    statuses = await at_once(lambda n: clients[n].put(path, json=sheet))

    assert statuses == Counter({200: AT_ONCE})
    assert await _count(db, Score) == len(criteria)
    assert await _actions(db, "scores.saved") == 1
    assert await _events(db, "ScoreSubmitted") == 1


async def test_two_judges_scoring_at_once_are_both_kept(db: Database, actors: Actors) -> None:
    organiser, coach = await actors.user(), await actors.user()
    judges = [await actors.user(), await actors.user()]
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    await make_round(db, challenge, judges=judges, projects=[project])
    async with db.read() as session:
        assignments = list((await session.execute(select(Assignment))).scalars())
        criteria = list((await session.execute(select(Criterion.id))).scalars())
    by_judge = {a.judge_id: a.id for a in assignments}
    clients = [await actors.api(judge) for judge in judges]
    sheet = {"scores": {str(c): 3 for c in criteria}}

    statuses = await at_once(
        lambda n: clients[n].put(
            f"/api/v1/assignments/{by_judge[judges[n].id]}/scores", json=sheet
        ),
        times=2,
    )

    assert statuses == Counter({200: 2})
    assert await _count(db, Score) == 2 * len(criteria)
    assert await _events(db, "ScoreSubmitted") == 2


async def _offer(db: Database, actors: Actors) -> tuple[User, User, int]:
    organiser, coach, rep = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    sponsor = await make_sponsor(db, challenge, representative=rep)
    assert challenge.id is not None and sponsor.id is not None and project.id is not None
    async with db.transaction() as session:
        adoption = Adoption(
            challenge_id=challenge.id,
            sponsor_id=sponsor.id,
            project_id=project.id,
            internships=2,
            proposed_by=rep.id or 0,
        )
        session.add(adoption)
    assert adoption.id is not None
    return coach, rep, adoption.id


async def test_an_offer_accepted_many_times_at_once_is_accepted_once(
    db: Database, actors: Actors
) -> None:
    coach, _rep, adoption_id = await _offer(db, actors)
    clients = await _clients(actors, coach)

    statuses = await at_once(lambda n: clients[n].post(f"/api/v1/adoptions/{adoption_id}/accept"))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "adoption.accepted") == 1
    assert await _events(db, "AdoptionAccepted") == 1


async def test_accept_and_withdraw_at_once_let_exactly_one_win(
    db: Database, actors: Actors
) -> None:
    coach, rep, adoption_id = await _offer(db, actors)
    coach_api, rep_api = await actors.api(coach), await actors.api(rep)

    accepted, withdrawn = await asyncio.gather(
        coach_api.post(f"/api/v1/adoptions/{adoption_id}/accept"),
        rep_api.post(f"/api/v1/adoptions/{adoption_id}/withdraw"),
    )

    assert sorted([accepted.status_code, withdrawn.status_code]) == [200, 409]
    async with db.read() as session:
        adoption = await session.get(Adoption, adoption_id)
    assert adoption is not None
    winner = "accepted" if accepted.status_code == 200 else "withdrawn"
    assert adoption.status == winner
    events = await _events(db, "AdoptionAccepted") + await _events(db, "AdoptionWithdrawn")
    assert events == 1


async def test_a_project_submitted_many_times_at_once_is_submitted_once(
    db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=())
    project = await make_project(db, await make_team(db, challenge, coach=coach), submitted=False)
    clients = await _clients(actors, coach)

    statuses = await at_once(lambda n: clients[n].post(f"/api/v1/projects/{project.id}/submit"))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "project.submitted") == 1
    assert await _events(db, "ProjectSubmitted") == 1


async def test_a_round_opened_and_closed_many_times_at_once_changes_once(
    db: Database, actors: Actors
) -> None:
    organiser, coach, judge = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    judging_round = await make_round(
        db, challenge, judges=[judge], projects=[project], status=RoundStatus.DRAFT
    )
    clients = await _clients(actors, organiser)

    opened = await at_once(lambda n: clients[n].post(f"/api/v1/rounds/{judging_round.id}/open"))
    closed = await at_once(lambda n: clients[n].post(f"/api/v1/rounds/{judging_round.id}/close"))

    assert (opened, closed) == (Counter({200: AT_ONCE}), Counter({200: AT_ONCE}))
    assert (await _events(db, "RoundOpened"), await _events(db, "RoundClosed")) == (1, 1)
    assert (await _actions(db, "round.opened"), await _actions(db, "round.closed")) == (1, 1)


async def test_results_published_many_times_at_once_are_published_once(
    db: Database, actors: Actors
) -> None:
    organiser, coach, judge = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    await make_round(db, challenge, judges=[judge], projects=[project], status=RoundStatus.CLOSED)
    async with db.transaction() as session:
        assignment = (await session.execute(select(Assignment))).scalar_one()
        assignment.submitted_at = utcnow()
        for criterion_id in (await session.execute(select(Criterion.id))).scalars():
            session.add(Score(assignment_id=assignment.id or 0, criterion_id=criterion_id, value=4))
    clients = await _clients(actors, organiser, 10)
    path = f"/api/v1/challenges/{challenge.id}/results/publish"

    statuses = await at_once(lambda n: clients[n].post(path), times=10)

    assert statuses == Counter({201: 10})
    assert await _events(db, "ResultsPublished") == 1
    assert await _count(db, Award) == 1


async def test_a_challenge_published_many_times_at_once_is_announced_once(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, published=False)
    browsers = [await actors.client(organiser) for _ in range(10)]
    page = f"/challenges/{challenge.id}"

    statuses = Counter(
        r.status_code
        for r in await asyncio.gather(
            *(post_form(b, f"{page}/publish", {"publish": "1"}, form_page=page) for b in browsers)
        )
    )

    assert statuses == Counter({303: 10})
    assert await _events(db, "ChallengePublished") == 1
    assert await _actions(db, "challenge.published") == 1


async def test_a_certificate_revoked_many_times_at_once_is_revoked_once(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    assert challenge.id is not None
    async with db.transaction() as session:
        certificate = Certificate(
            code="ABCD2345EFGH",
            challenge_id=challenge.id,
            kind=CertificateKind.JUDGE,
            recipient_key=f"user:{organiser.id}",
            recipient_name=organiser.name,
            status=CertificateStatus.ISSUED,
        )
        session.add(certificate)
    clients = await _clients(actors, organiser)
    path = f"/api/v1/certificates/{certificate.id}/revoke"

    statuses = await at_once(lambda n: clients[n].post(path, json={"reason": f"Errore {n}"}))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "certificate.revoked") == 1
    assert await _events(db, "CertificateRevoked") == 1


async def test_two_organisers_removing_each_other_at_once_leave_one(
    db: Database, actors: Actors
) -> None:
    first, second = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=first)
    assert challenge.id is not None
    await actors.grant(second, challenge.id, RoleKind.ORGANISER)
    async with db.read() as session:
        roles = {
            user_id: role_id
            for role_id, user_id in (
                await session.execute(
                    select(Role.id, Role.user_id).where(Role.kind == RoleKind.ORGANISER)
                )
            ).all()
        }
    page = f"/challenges/{challenge.id}/people"
    one, other = await actors.client(first), await actors.client(second)

    await asyncio.gather(
        post_form(one, f"{page}/{roles[second.id]}/remove", form_page=page),
        post_form(other, f"{page}/{roles[first.id]}/remove", form_page=page),
    )

    assert await _count(db, Role, Role.kind == RoleKind.ORGANISER) == 1


async def test_the_same_team_promoted_many_times_at_once_moves_on_once(
    db: Database, actors: Actors
) -> None:
    organiser, coach = await actors.user(), await actors.user()
    ideas = await make_challenge(db, organiser=organiser)
    final = await make_challenge(db, organiser=organiser)
    async with db.transaction() as session:
        programme = Programme(slug=f"percorso-{ideas.id}", name="Percorso", owner_id=organiser.id)
        session.add(programme)
        await session.flush()
        for stage, challenge in enumerate((ideas, final), start=1):
            stored = await session.get(Challenge, challenge.id)
            assert stored is not None
            stored.programme_id, stored.stage = programme.id, stage
    team = await make_team(db, ideas, coach=coach)
    await make_project(db, team)
    clients = await _clients(actors, organiser)
    body = {"to_challenge_id": final.id, "team_ids": [team.id]}
    path = f"/api/v1/challenges/{ideas.id}/promotions"

    statuses = await at_once(lambda n: clients[n].post(path, json=body))

    assert statuses == Counter({200: AT_ONCE})
    assert await _count(db, Team, Team.challenge_id == final.id) == 1
    assert await _actions(db, "team.promoted") == 1


async def test_a_finished_challenge_archived_many_times_at_once_is_archived_once(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    finished = await make_challenge(db, organiser=organiser, open_phases=())
    clients = await _clients(actors, organiser)
    path = f"/api/v1/challenges/{finished.id}/archived"

    statuses = await at_once(lambda n: clients[n].put(path, json={"archived": True}))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "challenge.archived") == 1
