"""What organisers read and set over the API and pages: rubrics, rounds, settings, judges."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db import Database, utcnow
from app.judging.models import OthersScores, Round, RoundStatus, TrackRubric
from tests.factories import Actors, csrf_from, make_challenge, make_round
from tests.judging.conftest import Jury, draft_round
from tests.judging.test_results import put_in_tracks

INDEPENDENT = {
    "name": "Con criterio libero",
    "comment_required": True,
    "criteria": [
        {"name": "Impatto", "weight": 100},
        {"name": "Adatto allo sponsor", "independent": True},
    ],
}


async def test_organiser_lists_and_reads_rubrics(actors: Actors, jury: Jury) -> None:
    async with await actors.api(jury.organiser) as http:
        made = await http.post(f"/api/v1/challenges/{jury.cid}/rubrics", json=INDEPENDENT)
        listed = await http.get(f"/api/v1/challenges/{jury.cid}/rubrics")
        read = await http.get(f"/api/v1/rubrics/{made.json()['id']}")

    assert made.status_code == 201
    assert listed.json() == [read.json()]
    assert read.json()["comment_required"] is True
    assert [(c["name"], c["weight"], c["independent"]) for c in read.json()["criteria"]] == [
        ("Impatto", 100, False),
        ("Adatto allo sponsor", 0, True),
    ]


async def test_a_judge_cannot_read_rubrics(db: Database, actors: Actors, jury: Jury) -> None:
    rubric, _round = await draft_round(db, jury)
    async with await actors.api(jury.judges[0]) as http:
        listed = await http.get(f"/api/v1/challenges/{jury.cid}/rubrics")
        read = await http.get(f"/api/v1/rubrics/{rubric.id}")

    assert (listed.status_code, read.status_code) == (403, 403)


async def test_organiser_sets_and_reads_round_settings(
    db: Database, actors: Actors, jury: Jury
) -> None:
    tracks = await put_in_tracks(db, jury)
    rubric, judging_round = await draft_round(db, jury)
    opens = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    body = {
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(hours=8)).isoformat(),
        "scope": "track",
        "scope_track_id": tracks["Acqua"],
        "others_scores": "always",
        "hide_team_names": True,
        "team_feedback": True,
        "track_rubrics": {str(tracks["Mobilità"]): rubric.id},
    }
    async with await actors.api(jury.organiser) as http:
        put = await http.put(f"/api/v1/rounds/{judging_round.id}/settings", json=body)
        listed = await http.get(f"/api/v1/challenges/{jury.cid}/rounds")
        read = await http.get(f"/api/v1/rounds/{judging_round.id}")

    assert put.status_code == 200
    assert listed.json() == [read.json()] == [put.json()]
    shown = read.json()
    assert (shown["scope"], shown["scope_track_id"], shown["others_scores"]) == (
        "track",
        tracks["Acqua"],
        "always",
    )
    assert shown["track_rubrics"] == {str(tracks["Mobilità"]): rubric.id}
    assert shown["opens_at"].startswith(opens.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_settings_with_dates_in_the_wrong_order_are_422_and_nothing_stored(
    db: Database, actors: Actors, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    opens = utcnow() + timedelta(days=1)
    body = {"opens_at": opens.isoformat(), "closes_at": (opens - timedelta(hours=1)).isoformat()}

    async with await actors.api(jury.organiser) as http:
        response = await http.put(f"/api/v1/rounds/{judging_round.id}/settings?lang=en", json=body)

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "closes_at": "The round must close after it opens."
    }
    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
    assert stored is not None and stored.opens_at is None


async def test_settings_of_an_open_round_other_than_its_closing_are_409(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)

    async with await actors.api(jury.organiser) as http:
        response = await http.put(
            f"/api/v1/rounds/{judging_round.id}/settings", json={"others_scores": "always"}
        )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "round_settings_fixed"


async def test_a_track_rubric_on_another_rounds_track_rubrics_cannot_be_another_challenges(
    db: Database, actors: Actors, jury: Jury
) -> None:
    tracks = await put_in_tracks(db, jury)
    _rubric, judging_round = await draft_round(db, jury)
    other = await make_challenge(db, organiser=jury.organiser)
    theirs = await make_round(db, other, judges=[], projects=[])

    async with await actors.api(jury.organiser) as http:
        response = await http.put(
            f"/api/v1/rounds/{judging_round.id}/settings",
            json={"track_rubrics": {str(tracks["Acqua"]): theirs.rubric_id}},
        )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [f"track_rubric-{tracks['Acqua']}"]
    async with db.read() as session:
        rows = (await session.execute(select(TrackRubric))).scalars().all()
    assert rows == []


async def test_organiser_lists_the_judges(actors: Actors, jury: Jury) -> None:
    async with await actors.api(jury.organiser) as http:
        response = await http.get(f"/api/v1/challenges/{jury.cid}/judges")

    assert response.status_code == 200
    assert [j["name"] for j in response.json()] == ["Judge 0", "Judge 1", "Judge 2"]


async def test_settings_page_shows_errors_with_the_persons_input(
    db: Database, actors: Actors, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    path = f"/rounds/{judging_round.id}/settings?lang=en"
    async with await actors.client(jury.organiser) as http:
        form = await http.get(path)
        response = await http.post(
            path,
            data={
                "csrf_token": csrf_from(form.text),
                "opens_at": "2031-05-02T10:00",
                "closes_at": "2031-05-01T10:00",
                "scope": "all",
                "others_scores": "always",
                "hide_team_names": "on",
            },
        )

    assert form.status_code == 200
    assert response.status_code == 422
    assert "The round must close after it opens." in response.text
    assert 'value="2031-05-02T10:00"' in response.text
    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
    assert stored is not None and stored.others_scores == OthersScores.NEVER


async def test_settings_page_saves_and_goes_back_to_judging(
    db: Database, actors: Actors, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    path = f"/rounds/{judging_round.id}/settings"
    async with await actors.client(jury.organiser) as http:
        form = await http.get(path)
        response = await http.post(
            path,
            data={
                "csrf_token": csrf_from(form.text),
                "opens_at": "2031-05-01T10:00",
                "closes_at": "",
                "scope": "all",
                "others_scores": "after_submitting",
                "team_feedback": "on",
            },
        )
        admin = await http.get(f"/challenges/{jury.cid}/judging?lang=en")

    assert response.status_code == 303
    assert response.headers["location"] == f"/challenges/{jury.cid}/judging"
    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
    assert stored is not None
    assert (stored.others_scores, stored.team_feedback, stored.hide_team_names) == (
        OthersScores.AFTER_SUBMITTING,
        True,
        False,
    )
    assert "Opens by itself on" in admin.text


async def test_settings_page_of_an_open_round_moves_only_the_closing_date(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.hide_team_names = True
    path = f"/rounds/{judging_round.id}/settings"
    async with await actors.client(jury.organiser) as http:
        form = await http.get(path)
        # The disabled parts of the form send nothing: what is stored stays.
        response = await http.post(
            path,
            data={
                "csrf_token": csrf_from(form.text),
                "opens_at": "",
                "closes_at": "2031-05-01T10:00",
            },
        )

    assert response.status_code == 303
    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
    assert stored is not None and stored.status == RoundStatus.OPEN
    assert stored.hide_team_names is True
    assert stored.closes_at is not None and stored.closes_at.isoformat() == (
        "2031-05-01T08:00:00+00:00"
    )
