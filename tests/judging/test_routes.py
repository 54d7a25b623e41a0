"""Judging pages: organisers' set-up, judges' phone pages, rankings and results."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind
from app.db import Database
from app.judging.models import Assignment, Award, Criterion, Round, RoundStatus, Rubric, Score
from tests.factories import Actors, make_round, post_form, unpublish
from tests.judging.conftest import Jury, draft_round
from tests.judging.test_results import close, scored_round
from tests.queries import sql_statements


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _first_assignment(db: Database, judge_id: int | None) -> Assignment:
    async with db.read() as session:
        return (
            await session.execute(
                select(Assignment).where(Assignment.judge_id == judge_id).limit(1)
            )
        ).scalar_one()


async def test_admin_page_renders_for_organiser_only(
    db: Database, actors: Actors, jury: Jury
) -> None:
    page = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        shown = await http.get(page)
    async with await actors.client(jury.judges[0]) as http:
        judge = await http.get(page)
    async with await actors.client(await actors.user()) as http:
        outsider = await http.get(page)
        await unpublish(db, jury.challenge)
        in_draft = await http.get(page)

    assert shown.status_code == 200
    assert "Judge 0" in shown.text and 'name="criteria-5-weight"' in shown.text
    assert (judge.status_code, outsider.status_code, in_draft.status_code) == (403, 403, 404)


async def test_create_rubric_with_form(db: Database, actors: Actors, jury: Jury) -> None:
    page = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        response = await post_form(
            http,
            f"/challenges/{jury.cid}/rubrics",
            {
                "name": "Climathon 2026",
                "scale_min": "1",
                "scale_max": "5",
                "criteria-0-name": "Innovazione",
                "criteria-0-weight": "30",
                "criteria-0-guidance": "Quanto è nuova l'idea?",
                "criteria-1-name": "Impatto",
                "criteria-1-weight": "70",
            },
            form_page=page,
        )

    assert response.status_code == 303
    async with db.read() as session:
        rubric = (await session.execute(select(Rubric))).scalar_one()
        criteria = (
            await session.execute(select(Criterion.name, Criterion.weight, Criterion.guidance))
        ).all()
    assert (rubric.name, rubric.scale_max) == ("Climathon 2026", 5)
    assert sorted(tuple(c) for c in criteria) == [
        ("Impatto", 70, ""),
        ("Innovazione", 30, "Quanto è nuova l'idea?"),
    ]


async def test_create_rubric_with_weights_not_100_reshows_form_with_422(
    db: Database, actors: Actors, jury: Jury
) -> None:
    page = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        response = await post_form(
            http,
            f"/challenges/{jury.cid}/rubrics",
            {
                "name": "Rubrica",
                "criteria-0-name": "Innovazione",
                "criteria-0-weight": "30",
                "criteria-1-name": "Impatto",
                "criteria-1-weight": "60",
            },
            form_page=page,
        )

    assert response.status_code == 422
    assert 'id="e-criteria"' in response.text and "90" in response.text
    assert 'value="Innovazione"' in response.text
    assert await _count(db, Rubric) == 0


async def test_add_judge_by_email_with_form(db: Database, actors: Actors, jury: Jury) -> None:
    newcomer = await actors.user(email="prof@example.org")
    page = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        response = await post_form(
            http, f"{page}/judges", {"email": "prof@example.org"}, form_page=page
        )
        missing = await post_form(
            http, f"{page}/judges", {"email": "x@example.org"}, form_page=page
        )

    assert response.status_code == 303
    assert missing.status_code == 422 and 'id="e-email"' in missing.text
    async with db.read() as session:
        role = await session.execute(
            select(Role.kind).where(Role.user_id == newcomer.id, Role.challenge_id == jury.cid)
        )
    assert role.scalar_one() == RoleKind.JUDGE


async def test_create_assign_open_and_close_round_with_forms(
    db: Database, actors: Actors, jury: Jury
) -> None:
    rubric, _draft = await draft_round(db, jury)
    page = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        created = await post_form(
            http,
            f"/challenges/{jury.cid}/rounds",
            {"name": "Finale", "rubric_id": str(rubric.id), "judges_per_project": "2"},
            form_page=page,
        )
        async with db.read() as session:
            newest = (
                await session.execute(select(Round).order_by(Round.id.desc()).limit(1))  # type: ignore[union-attr]
            ).scalar_one()
        too_early = await post_form(http, f"/rounds/{newest.id}/open", form_page=page)
        assigned = await post_form(http, f"/rounds/{newest.id}/assign", form_page=page)
        opened = await post_form(http, f"/rounds/{newest.id}/open", form_page=page)
        closed = await post_form(http, f"/rounds/{newest.id}/close", form_page=page)

    assert created.status_code == 303
    assert too_early.status_code == 409 and 'role="alert"' in too_early.text
    assert [r.status_code for r in (assigned, opened, closed)] == [303, 303, 303]
    async with db.read() as session:
        stored = await session.get(Round, newest.id)
        count = await session.execute(
            select(func.count()).select_from(Assignment).where(Assignment.round_id == newest.id)
        )
    assert stored is not None and stored.status == RoundStatus.CLOSED
    assert count.scalar_one() == 6  # 3 projects x 2 judges


async def test_create_round_with_bad_input_is_422(db: Database, actors: Actors, jury: Jury) -> None:
    rubric, _draft = await draft_round(db, jury)
    page = f"/challenges/{jury.cid}/judging"
    async with await actors.client(jury.organiser) as http:
        response = await post_form(
            http,
            f"/challenges/{jury.cid}/rounds",
            {"name": "Semifinale", "rubric_id": str(rubric.id), "judges_per_project": "0"},
            form_page=page,
        )

    assert response.status_code == 422
    assert 'id="e-judges_per_project"' in response.text and 'value="Semifinale"' in response.text
    assert await _count(db, Round) == 1


async def test_judge_sees_assignments_and_scores_on_phone_page(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    judge = jury.judges[0]
    mine = await _first_assignment(db, judge.id)
    async with db.read() as session:
        criteria = (
            (
                await session.execute(
                    select(Criterion.id).where(Criterion.rubric_id == judging_round.rubric_id)
                )
            )
            .scalars()
            .all()
        )
    sheet = f"/judging/assignments/{mine.id}"

    async with await actors.client(judge) as http:
        listing = await http.get("/judging")
        shown = await http.get(sheet)
        saved = await post_form(
            http,
            sheet,
            {**{f"criterion-{c}": "4" for c in criteria}, "comment": "Ottimo lavoro"},
            form_page=sheet,
        )

    assert listing.status_code == 200 and f'href="{sheet}"' in listing.text
    assert shown.status_code == 200 and 'class="score-scale"' in shown.text
    assert shown.text.count('type="radio"') == 3 * 5
    assert (saved.status_code, saved.headers["location"]) == (303, "/judging?saved=1")
    async with db.read() as session:
        stored = await session.get(Assignment, mine.id)
    assert stored is not None and stored.submitted_at is not None
    assert stored.comment == "Ottimo lavoro"
    assert await _count(db, Score) == 3


async def test_judging_counts_are_in_the_singular_and_the_plural(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judge = jury.judges[0]
    await make_round(db, jury.challenge, judges=[judge], projects=jury.projects[:1])
    await draft_round(db, jury, k=1)

    async with await actors.client(judge) as http:
        mine = await http.get("/judging")
    async with await actors.client(jury.organiser) as http:
        admin = await http.get(f"/challenges/{jury.cid}/judging")

    assert "0 su 1 progetto valutato</label>" in mine.text
    assert "2 giurati per progetto · 0 su 1 valutato</span>" in admin.text
    assert "1 giurato per progetto · 0 su 0 valutati</span>" in admin.text


async def test_score_out_of_scale_reshows_sheet_with_422(
    db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    mine = await _first_assignment(db, jury.judges[0].id)
    async with db.read() as session:
        first = (
            (
                await session.execute(
                    select(Criterion.id).where(Criterion.rubric_id == judging_round.rubric_id)
                )
            )
            .scalars()
            .first()
        )
    sheet = f"/judging/assignments/{mine.id}"

    async with await actors.client(jury.judges[0]) as http:
        response = await post_form(
            http, sheet, {f"criterion-{first}": "9", "comment": "Hmm"}, form_page=sheet
        )

    assert response.status_code == 422
    assert f'id="e-criterion-{first}"' in response.text and ">Hmm</textarea>" in response.text
    assert await _count(db, Score) == 0


async def test_scoring_after_close_is_409_and_other_judges_sheet_404(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await make_round(
        db,
        jury.challenge,
        judges=jury.judges,
        projects=jury.projects,
        status=RoundStatus.CLOSED,
    )
    mine = await _first_assignment(db, jury.judges[0].id)
    sheet = f"/judging/assignments/{mine.id}"

    async with await actors.client(jury.judges[0]) as http:
        shown = await http.get(sheet)
        refused = await post_form(http, sheet, {"comment": "late"}, form_page=sheet)
    async with await actors.client(jury.judges[1]) as http:
        other = await http.get(sheet)

    assert shown.status_code == 200 and "disabled" in shown.text
    assert refused.status_code == 409
    assert other.status_code == 404
    async with db.read() as session:
        stored = await session.get(Assignment, mine.id)
    assert stored is not None and stored.comment == ""


async def test_ranking_publish_and_results_pages(db: Database, actors: Actors, jury: Jury) -> None:
    judging_round = await scored_round(db, jury)
    results_page = f"/challenges/{jury.cid}/results"
    ranking_page = f"/challenges/{jury.cid}/ranking"

    async with actors.anonymous() as http:
        hidden = await http.get(results_page)
    async with await actors.client(jury.organiser) as http:
        ranking = await http.get(ranking_page)
        too_early = await post_form(http, f"{results_page}/publish", form_page=ranking_page)
        await close(db, judging_round)
        published = await post_form(http, f"{results_page}/publish", form_page=ranking_page)
        twice = await post_form(http, f"{results_page}/publish", form_page=ranking_page)
    async with actors.anonymous() as http:
        public = await http.get(results_page)
    async with await actors.client(jury.judges[0]) as http:
        judge_ranking = await http.get(ranking_page)

    assert hidden.status_code == 404
    assert ranking.status_code == 200 and "Project 2" in ranking.text
    assert too_early.status_code == 409
    assert (published.status_code, published.headers["location"]) == (303, results_page)
    assert (twice.status_code, twice.headers["location"]) == (303, results_page)
    assert public.status_code == 200 and "Miglior idea" in public.text
    assert judge_ranking.status_code == 403
    assert await _count(db, Award) == 3


async def test_judge_list_makes_the_same_queries_for_more_assignments(
    db: Database, actors: Actors, jury: Jury
) -> None:
    await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects[:1])
    async with await actors.client(jury.judges[0]) as http:
        await http.get("/judging")
        with sql_statements(db) as few:
            await http.get("/judging")
        await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
        with sql_statements(db) as many:
            page = await http.get("/judging")

    assert page.text.count('href="/judging/assignments/') == 4
    assert len(many) == len(few)


async def test_the_judging_page_has_each_id_once(actors: Actors, jury: Jury) -> None:
    """Its forms (a round, a rubric, a judge) share field names: each label must name its own
    field, or a person clicking "Name of the rubric" types the round's name."""
    async with await actors.client(jury.organiser) as http:
        page = await http.get(f"/challenges/{jury.cid}/judging")

    ids = re.findall(r'\sid="([^"]+)"', page.text)
    assert page.status_code == 200 and ids
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    for target in re.findall(r'<label for="([^"]+)"', page.text):
        assert target in ids, target


async def test_judges_list_shows_each_assignments_project_link_and_state(
    db: Database, actors: Actors, jury: Jury
) -> None:
    """The list reads plain columns (queries.judge_assignments): each row still links to its
    own sheet under its own project's title, with its own state, and the progress counts
    scored and stepped-back rows."""
    await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    judge = jury.judges[0]
    async with db.transaction() as session:
        rows = (
            (
                await session.execute(
                    select(Assignment)
                    .where(Assignment.judge_id == judge.id)
                    .order_by(Assignment.id)
                )
            )
            .scalars()
            .all()
        )
        assert len(rows) >= 3
        scored, recused, todo = rows[0], rows[1], rows[2]
        scored.submitted_at = func.now()
        recused.recused_at = func.now()
    titles = {p.id: p.title for p in jury.projects}

    async with await actors.client(judge) as http:
        page = await http.get("/judging")

    assert page.status_code == 200
    for row, badge in ((scored, "Valutato"), (recused, "Astenuto"), (todo, "Da valutare")):
        link = f'<a href="/judging/assignments/{row.id}">{escape(titles[row.project_id])}</a>'
        assert re.search(re.escape(link) + r'\s*<span class="badge[^"]*">' + badge + "<", page.text)
    assert f'value="2">2/{len(rows)}</progress>' in page.text
