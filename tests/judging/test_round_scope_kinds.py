"""Pairwise rounds and people's votes judge the projects of the round's scope, as rubric rounds
do (rounds.project_ids): one track's, or the shortlist of a closed round. The walk never
shows another project, a vote on one is refused with nothing written, a CSV line naming one
is refused by its number, and the ballot offers only the round's."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.errors import ValidationFailed
from app.i18n import use_locale
from app.judging import assignments, pairwise, pairwise_admin, rounds, service, voting
from app.judging.models import PairwiseVote, PublicVote, Round, RoundKind, RoundScope
from app.judging.schemas import RoundCreate, RoundSettings
from tests.factories import Actors, post_form
from tests.judging.conftest import Jury, draft_round
from tests.judging.test_results import close, put_in_tracks, scored_round

SCOPES = ["track", "shortlist"]


async def _scoped_round(db: Database, jury: Jury, kind: RoundKind, scope: str) -> Round:
    """An open round of `kind` over projects 0 and 1 only: the track "Acqua", or the best
    of a closed rubric round (0 and 1 share its first place)."""
    if scope == "track":
        tracks = await put_in_tracks(db, jury)  # 0 and 1 in "Acqua", 2 in "Mobilità"
        settings = RoundSettings(scope=RoundScope.TRACK, scope_track_id=tracks["Acqua"])
    else:
        earlier = await scored_round(db, jury)
        await close(db, earlier)
        settings = RoundSettings(
            scope=RoundScope.SHORTLIST, shortlist_round_id=earlier.id, shortlist_size=1
        )
    async with db.transaction() as session:
        made = await service.create_round(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            data=RoundCreate(name="Finale", kind=kind),
        )
        assert made.id is not None
        await rounds.update_settings(session, user=jury.organiser, round_id=made.id, data=settings)
    async with db.transaction() as session:
        return await service.open_round(session, user=jury.organiser, round_id=made.id)


def _ids(jury: Jury, *which: int) -> set[int]:
    return {jury.projects[n].id or 0 for n in which}


async def _count(db: Database, model: type[PairwiseVote] | type[PublicVote]) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.mark.parametrize("scope", SCOPES)
async def test_the_pairwise_walk_shows_only_the_rounds_projects(
    db: Database, jury: Jury, scope: str
) -> None:
    judging_round = await _scoped_round(db, jury, RoundKind.PAIRWISE, scope)
    rid, judge = judging_round.id or 0, jury.judges[0]
    shown: list[int | None] = []
    async with db.transaction() as session:
        state = await pairwise.start(session, user=judge, round_id=rid)
        shown.append(state.current_id)
    async with db.transaction() as session:
        state = await pairwise.seen(session, user=judge, round_id=rid)
        shown.append(state.current_id)
        pair = (state.current_id or 0, state.previous_id or 0)
    async with db.transaction() as session:
        state = await pairwise.vote(
            session, user=judge, round_id=rid, winner_id=pair[0], loser_id=pair[1]
        )
    async with db.read() as session:
        walk = await pairwise.walk(session, user=judge, round_id=rid)

    assert set(shown) == _ids(jury, 0, 1)
    assert walk.done  # project 2 is not in the round: nothing left after the two
    assert await _count(db, PairwiseVote) == 1


@pytest.mark.parametrize("scope", SCOPES)
async def test_a_pairwise_vote_on_a_project_outside_the_round_is_refused(
    db: Database, actors: Actors, jury: Jury, scope: str
) -> None:
    judging_round = await _scoped_round(db, jury, RoundKind.PAIRWISE, scope)
    rid, judge = judging_round.id or 0, jury.judges[0]
    for step in (pairwise.start, pairwise.seen):
        async with db.transaction() as session:
            await step(session, user=judge, round_id=rid)
    outside, inside = jury.projects[2].id, jury.projects[0].id
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await pairwise.vote(
                session, user=judge, round_id=rid, winner_id=outside or 0, loser_id=inside or 0
            )
    async with await actors.api(judge) as http:
        over_api = await http.post(
            f"/api/v1/pairwise/{rid}/votes", json={"winner_id": outside, "loser_id": inside}
        )

    assert refused.value.errors == {"winner_id": "This project is not in this round."}
    assert over_api.status_code == 422
    assert over_api.json()["error"]["fields"] == {
        "winner_id": "Questo progetto non fa parte di questo turno."
    }
    assert await _count(db, PairwiseVote) == 0


@pytest.mark.parametrize("scope", SCOPES)
async def test_a_csv_line_naming_a_project_outside_the_round_is_refused_by_its_number(
    db: Database, actors: Actors, jury: Jury, scope: str
) -> None:
    judging_round = await _scoped_round(db, jury, RoundKind.PAIRWISE, scope)
    rid = judging_round.id or 0
    judge = jury.judges[0].name
    text = (
        "judge,winner,loser,timestamp\n"
        f"{judge},Project 0,Project 1,\n"
        f"{judge},Project 2,Project 0,\n"
    )
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await pairwise_admin.import_csv(
                session, user=jury.organiser, round_id=rid, data=text.encode(), limit=10**6
            )
    async with await actors.client(jury.organiser) as http:
        page = await post_form(
            http,
            f"/pairwise/{rid}/import",
            files={"file": ("voti.csv", text.encode(), "text/csv")},
            form_page=f"/pairwise/{rid}/board",
        )

    assert refused.value.errors == {"file": "Line 3: the project “Project 2” is not in this round."}
    assert page.status_code == 422
    assert "Riga 3: il progetto «Project 2» non fa parte di questo turno." in page.text
    assert await _count(db, PairwiseVote) == 0  # all of the file or nothing


@pytest.mark.parametrize("scope", SCOPES)
async def test_the_ballot_offers_and_accepts_only_the_rounds_projects(
    db: Database, actors: Actors, jury: Jury, scope: str
) -> None:
    judging_round = await _scoped_round(db, jury, RoundKind.PUBLIC_VOTE, scope)
    rid = judging_round.id or 0
    voter = await actors.user(email="voter@example.org")
    async with db.read() as session:
        ballot = await voting.ballot_page(session, user=None, round_id=rid)
    outside = jury.projects[2].id
    with use_locale("en"), pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await voting.cast_vote(
                session,
                user=voter,
                round_id=rid,
                project_id=outside or 0,
                email=None,
                address="10.0.0.1",
                locale="en",
            )
    async with await actors.api(voter) as http:
        over_api = await http.post(f"/api/v1/rounds/{rid}/votes", json={"project_id": outside})
    async with actors.anonymous() as http:
        page = await post_form(
            http,
            f"/rounds/{rid}/vote",
            {"project_id": str(outside), "email": "anna@example.org"},
            form_page=f"/rounds/{rid}/vote",
        )

    assert {project.id for project, _team in ballot.projects} == _ids(jury, 0, 1)
    message = "This project is not among those you can vote for in this round."
    assert refused.value.errors == {"project_id": message}
    assert over_api.status_code == 422
    assert list(over_api.json()["error"]["fields"]) == ["project_id"]
    assert page.status_code == 422
    assert "Project 2" not in page.text  # the form again, without the project outside
    assert await _count(db, PublicVote) == 0


@pytest.mark.parametrize("kind", [RoundKind.PAIRWISE, RoundKind.PUBLIC_VOTE])
async def test_the_settings_page_and_api_set_the_scope_of_both_kinds(
    db: Database, actors: Actors, jury: Jury, kind: RoundKind
) -> None:
    tracks = await put_in_tracks(db, jury)
    async with db.transaction() as session:
        made = [
            await service.create_round(
                session,
                user=jury.organiser,
                challenge_id=jury.cid,
                data=RoundCreate(name=f"Finale {n}", kind=kind),
            )
            for n in range(2)
        ]
    settings = f"/rounds/{made[0].id}/settings"
    form = {
        "opens_at": "",
        "closes_at": "",
        "scope": "track",
        "scope_track_id": str(tracks["Mobilità"]),
        "others_scores": "never",
    }
    async with await actors.client(jury.organiser) as http:
        page = await http.get(settings)
        posted = await post_form(http, settings, form, form_page=settings)
    async with await actors.api(jury.organiser) as http:
        put = await http.put(
            f"/api/v1/rounds/{made[1].id}/settings",
            json={"scope": "track", "scope_track_id": tracks["Acqua"]},
        )
    async with db.read() as session:
        stored = [await session.get(Round, r.id) for r in made]
        in_scope = [await rounds.project_ids(session, r) for r in stored if r is not None]

    assert page.status_code == 200 and 'name="scope"' in page.text
    assert posted.status_code == 303
    assert put.status_code == 200 and put.json()["scope"] == "track"
    assert [set(ids) for ids in in_scope] == [_ids(jury, 2), _ids(jury, 0, 1)]


async def test_a_rubric_rounds_coverage_counts_only_its_scopes_projects(
    db: Database, jury: Jury
) -> None:
    tracks = await put_in_tracks(db, jury)
    _rubric, judging_round = await draft_round(db, jury)
    rid = judging_round.id or 0
    settings = RoundSettings(scope=RoundScope.TRACK, scope_track_id=tracks["Acqua"])
    async with db.transaction() as session:
        await rounds.update_settings(session, user=jury.organiser, round_id=rid, data=settings)
        await service.assign_judges(session, user=jury.organiser, round_id=rid)
    async with db.read() as session:
        page = await assignments.round_allocation(session, user=jury.organiser, round_id=rid)

    # Project 2 (another track) is not "a project without judges" of this round.
    assert {c.project_id for c in page.coverage} == _ids(jury, 0, 1)
    assert page.short == []
