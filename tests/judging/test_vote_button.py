"""The project page invites to vote for the project while the challenge has an open
people's vote that offers it, in the page's one statement, and the anonymous page cache
never shows the button of a vote that has opened or closed since."""

from __future__ import annotations

from app.db import Database
from app.judging import rounds, service
from app.judging.models import Round, RoundKind, RoundScope
from app.judging.schemas import RoundCreate, RoundSettings
from tests.factories import Actors
from tests.judging.conftest import Jury
from tests.judging.test_results import put_in_tracks
from tests.queries import sql_statements

EN = {"lang": "en"}
BUTTON = "Vote for this project"


async def _vote_round(db: Database, jury: Jury, settings: RoundSettings | None = None) -> Round:
    async with db.transaction() as session:
        made = await service.create_round(
            session,
            user=jury.organiser,
            challenge_id=jury.cid,
            data=RoundCreate(name="Voto del pubblico", kind=RoundKind.PUBLIC_VOTE),
        )
        assert made.id is not None
        if settings is not None:
            await rounds.update_settings(
                session, user=jury.organiser, round_id=made.id, data=settings
            )
    return made


async def _open(db: Database, jury: Jury, judging_round: Round) -> None:
    async with db.transaction() as session:
        await service.open_round(session, user=jury.organiser, round_id=judging_round.id or 0)


async def test_the_button_follows_the_vote_opening_and_closing_through_the_page_cache(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await _vote_round(db, jury)
    rid, pid = judging_round.id, jury.projects[1].id
    page = f"/projects/{pid}"
    async with actors.anonymous() as http:
        draft = await http.get(page, params=EN)
        cached = await http.get(page, params=EN)
        await _open(db, jury, judging_round)
        with sql_statements(db) as sent:
            opened = await http.get(page, params=EN)
        ballot = await http.get(f"/rounds/{rid}/vote", params={"project": str(pid), **EN})
        junk = await http.get(f"/rounds/{rid}/vote", params={"project": "9" * 40, **EN})
        async with db.transaction() as session:
            await service.close_round(session, user=jury.organiser, round_id=rid or 0)
        closed = await http.get(page, params=EN)

    link = f'href="/rounds/{rid}/vote?project={pid}"'
    assert BUTTON not in draft.text and draft.text == cached.text
    assert opened.status_code == 200 and BUTTON in opened.text and link in opened.text
    assert len(sent) <= 2  # the session's and the project page's one statement, as before
    assert f'value="{pid}" checked' in ballot.text
    assert ballot.text.count(" checked") == 1
    assert junk.status_code == 200 and " checked" not in junk.text
    assert BUTTON not in closed.text


async def test_the_button_shows_only_on_the_projects_the_vote_offers(
    db: Database, actors: Actors, jury: Jury
) -> None:
    tracks = await put_in_tracks(db, jury)  # 0 and 1 in "Acqua", 2 in "Mobilità"
    judging_round = await _vote_round(
        db, jury, RoundSettings(scope=RoundScope.TRACK, scope_track_id=tracks["Mobilità"])
    )
    await _open(db, jury, judging_round)
    async with actors.anonymous() as http:
        pages = [await http.get(f"/projects/{p.id}", params=EN) for p in jury.projects]
    async with await actors.client(jury.coaches[2]) as http:
        own = await http.get(f"/projects/{jury.projects[2].id}", params={"lang": "it"})

    assert [BUTTON in p.text for p in pages] == [False, False, True]
    assert "Vota questo progetto" in own.text
