from __future__ import annotations

from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from app.accounts.models import Role, RoleKind
from app.challenges.models import Challenge, Eligibility, Phase, PhaseKind, Programme, Track
from app.db import Database
from app.teams.models import Project
from tests.challenges.windows import set_windows
from tests.factories import Actors, make_challenge, make_project, make_team, post_form
from tests.queries import sql_statements


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_home_groups_published_challenges_and_shows_what_is_open(
    client: AsyncClient, db: Database
) -> None:
    open_one = await make_challenge(
        db, title="Climathon Mantova", open_phases=(PhaseKind.REGISTRATION,)
    )
    await make_challenge(db, title="Bozza segreta", published=False)
    async with db.transaction() as session:
        programme = Programme(slug="percorsi", name="Percorsi green 2026")
        session.add(programme)
        await session.flush()
        staged = await session.get(Challenge, open_one.id)
        assert staged is not None
        staged.programme_id = programme.id

    response = await client.get("/")

    assert response.status_code == 200
    assert "Percorsi green 2026" in response.text
    assert "Climathon Mantova" in response.text
    assert "Bozza segreta" not in response.text
    assert "Aperto ora" in response.text  # Italian by default


async def test_challenge_page_shows_phases_in_local_time_and_highlights_current(
    client: AsyncClient, db: Database
) -> None:
    challenge = await make_challenge(db, open_phases=())
    async with db.transaction() as session:
        for phase in (await session.execute(select(Phase))).scalars():
            await session.delete(phase)
        await session.flush()
        session.add(
            Phase(
                challenge_id=challenge.id or 0,
                kind=PhaseKind.REGISTRATION,
                starts_at=datetime(2020, 7, 1, 16, 0, tzinfo=UTC),
                ends_at=datetime(2099, 7, 1, 16, 0, tzinfo=UTC),
            )
        )

    response = await client.get(f"/challenges/{challenge.id}?lang=en")

    assert response.status_code == 200
    assert "6:00" in response.text  # 16:00 UTC is 18:00 in Rome in July
    assert 'class="current" aria-current="true"' in response.text


async def test_challenge_page_names_its_programme_stage_in_one_sentence(
    client: AsyncClient, db: Database
) -> None:
    challenge = await make_challenge(db)
    async with db.transaction() as session:
        programme = Programme(slug="percorsi", name="Percorsi <green> & co")
        session.add(programme)
        await session.flush()
        staged = await session.get(Challenge, challenge.id)
        assert staged is not None
        staged.programme_id, staged.stage = programme.id, 2
    link = f'<a href="/programmes/{programme.id}">Percorsi &lt;green&gt; &amp; co</a>'

    italian = await client.get(f"/challenges/{challenge.id}")
    english = await client.get(f"/challenges/{challenge.id}?lang=en")

    assert f'<p class="muted">Tappa 2 di {link}</p>' in italian.text
    assert f'<p class="muted">Stage 2 of {link}</p>' in english.text


async def test_draft_challenge_is_404_for_others_and_visible_to_organiser(
    db: Database, actors: Actors
) -> None:
    organiser, other = await actors.user(), await actors.user()
    draft = await make_challenge(db, organiser=organiser, published=False)

    async with actors.anonymous() as anonymous, await actors.client(other) as stranger:
        assert (await anonymous.get(f"/challenges/{draft.id}")).status_code == 404
        assert (await stranger.get(f"/challenges/{draft.id}")).status_code == 404
    async with await actors.client(organiser) as http:
        response = await http.get(f"/challenges/{draft.id}")
    assert response.status_code == 200
    assert f"/challenges/{draft.id}/phases" in response.text


async def test_gallery_lists_submitted_projects_only_in_constant_queries(
    client: AsyncClient, db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db)
    await make_project(
        db, await make_team(db, challenge, coach=coach), title="Bozza nascosta", submitted=False
    )
    for n in range(2):
        await make_project(db, await make_team(db, challenge, coach=coach), title=f"Orto {n}")
    with sql_statements(db) as few:
        first = await client.get(f"/challenges/{challenge.id}")
    for n in range(2, 8):
        await make_project(db, await make_team(db, challenge, coach=coach), title=f"Orto {n}")

    with sql_statements(db) as many:
        response = await client.get(f"/challenges/{challenge.id}")

    assert first.status_code == response.status_code == 200
    assert "Orto 7" in response.text and "Bozza nascosta" not in response.text
    assert len(many) == len(few)


async def test_gallery_shows_24_projects_a_page_with_links_between_pages(
    client: AsyncClient, db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db)
    for n in range(26):
        await make_project(db, await make_team(db, challenge, coach=coach), title=f"Idea {n:02d}")

    first = await client.get(f"/challenges/{challenge.id}?lang=en")
    second = await client.get(f"/challenges/{challenge.id}?page=2&lang=en")

    assert "Idea 00" in first.text and "Idea 23" in first.text and "Idea 24" not in first.text
    assert "Projects 1\u201324 of 26" in first.text and "Page 1 of 2" in first.text
    assert f'rel="next" href="/challenges/{challenge.id}?page=2#gallery"' in first.text
    assert "Idea 24" in second.text and "Idea 25" in second.text and "Idea 00" not in second.text
    assert f'rel="prev" href="/challenges/{challenge.id}?page=1#gallery"' in second.text
    assert 'rel="next"' not in second.text


async def test_gallery_filters_by_track(client: AsyncClient, db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, tracks=("Acqua", "Mobilità"))
    coach = await actors.user()
    water = await make_project(
        db, await make_team(db, challenge, coach=coach), title="Sensori per la pioggia"
    )
    await make_project(db, await make_team(db, challenge, coach=coach), title="Bici condivise")
    async with db.transaction() as session:
        track = (await session.execute(select(Track).where(Track.name == "Acqua"))).scalar_one()
        project = await session.get(Project, water.id)
        assert project is not None
        project.track_id = track.id

    response = await client.get(f"/challenges/{challenge.id}?track={track.id}&lang=en")

    assert response.status_code == 200
    assert "Sensori per la pioggia" in response.text and "Bici condivise" not in response.text
    assert f'href="/challenges/{challenge.id}?track={track.id}#gallery" aria-current="page"' in (
        response.text
    )


@pytest.mark.parametrize("query", ["page=0", "page=3", "page=x", "page=-1", "track=x", "track=999"])
async def test_gallery_links_that_name_nothing_are_404(
    client: AsyncClient, db: Database, actors: Actors, query: str
) -> None:
    challenge = await make_challenge(db)
    await make_project(db, await make_team(db, challenge, coach=await actors.user()))

    response = await client.get(f"/challenges/{challenge.id}?{query}")

    assert response.status_code == 404


async def test_gallery_does_not_filter_by_another_challenges_track(
    client: AsyncClient, db: Database
) -> None:
    challenge, other = await make_challenge(db), await make_challenge(db)
    async with db.read() as session:
        foreign = (
            (await session.execute(select(Track).where(Track.challenge_id == other.id)))
            .scalars()
            .first()
        )
    assert foreign is not None

    response = await client.get(f"/challenges/{challenge.id}?track={foreign.id}")

    assert response.status_code == 404


async def test_create_challenge_makes_the_creator_organiser(db: Database, actors: Actors) -> None:
    user = await actors.user(creator=True)
    async with await actors.client(user) as http:
        response = await post_form(
            http,
            "/challenges/new",
            {"title": "Climathon Mantova 2026", "summary": "Idee", "timezone": "Europe/Rome"},
            form_page="/challenges/new",
        )

    assert response.status_code == 303
    async with db.read() as session:
        challenge = (await session.execute(select(Challenge))).scalar_one()
        role = (await session.execute(select(Role))).scalar_one()
    assert response.headers["location"] == f"/challenges/{challenge.id}"
    assert challenge.slug == "climathon-mantova-2026"
    assert not challenge.is_published
    assert (role.user_id, role.kind) == (user.id, RoleKind.ORGANISER)


async def test_create_challenge_with_bad_input_reshows_form(db: Database, actors: Actors) -> None:
    async with await actors.client(await actors.user(creator=True)) as http:
        response = await post_form(
            http,
            "/challenges/new",
            {"title": " ", "summary": "Tenuto <b>", "timezone": "Mars/Olympus"},
            form_page="/challenges/new",
        )

    assert response.status_code == 422
    assert "Tenuto &lt;b&gt;" in response.text
    assert 'id="e-title"' in response.text and 'id="e-timezone"' in response.text
    assert await _count(db, Challenge) == 0


async def test_create_challenge_needs_login(client: AsyncClient) -> None:
    response = await client.get("/challenges/new")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_edit_challenge_by_non_organiser_is_403(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, organiser=await actors.user(), title="Originale")
    async with await actors.client(await actors.user()) as http:
        page = await http.get(f"/challenges/{challenge.id}/edit")
        response = await post_form(
            http,
            f"/challenges/{challenge.id}/edit",
            {"title": "Rubato", "timezone": "Europe/Rome"},
            form_page=f"/challenges/{challenge.id}",
        )

    assert page.status_code == response.status_code == 403
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.title == "Originale"


async def test_edit_challenge_saves_changes(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    async with await actors.client(organiser) as http:
        response = await post_form(
            http,
            f"/challenges/{challenge.id}/edit",
            {"title": "Nuovo titolo", "summary": "S", "timezone": "Europe/Zurich"},
            form_page=f"/challenges/{challenge.id}/edit",
        )

    assert response.status_code == 303
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None
    assert (stored.title, stored.timezone) == ("Nuovo titolo", "Europe/Zurich")


async def test_rules_and_team_sizes_are_saved_and_shown_as_markdown(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    edit = f"/challenges/{challenge.id}/edit"
    fields = {
        "title": "Climathon",
        "rules": "## Chi partecipa\n\nClassi **quarte**. <script>alert(1)</script>",
        "team_size_min": "2",
        "team_size_max": "6",
        "eligibility": "school_classes",
    }
    async with await actors.client(organiser) as http:
        saved = await post_form(http, edit, fields, form_page=edit)
        page = await http.get(f"/challenges/{challenge.id}")

    assert saved.status_code == 303
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None
    assert (stored.team_size_min, stored.team_size_max, stored.eligibility) == (
        2,
        6,
        Eligibility.SCHOOL_CLASSES,
    )
    assert "<h2>Chi partecipa</h2>" in page.text
    assert "<strong>quarte</strong>" in page.text
    assert "<script>alert(1)" not in page.text


async def test_team_sizes_the_wrong_way_round_reshow_the_form(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    edit = f"/challenges/{challenge.id}/edit"
    fields = {"title": "Climathon", "team_size_min": "8", "team_size_max": "3"}
    async with await actors.client(organiser) as http:
        response = await post_form(http, edit, fields, form_page=edit)

    assert response.status_code == 422
    assert "non può essere più piccola della meno numerosa." in response.text
    assert 'value="8"' in response.text


async def test_phases_form_converts_local_times_to_utc(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    # A draft: its dates are free to move (a public one needs a reason, see test_phase_moves)
    challenge = await make_challenge(db, organiser=organiser, published=False)
    async with await actors.client(organiser) as http:
        response = await post_form(
            http,
            f"/challenges/{challenge.id}/phases",
            {
                "registration_starts_at": "2026-07-01T09:00",
                "registration_ends_at": "2026-07-10T18:00",
                "submission_starts_at": "2026-12-01T09:00",
                "submission_ends_at": "2026-12-10T18:00",
            },
            form_page=f"/challenges/{challenge.id}/phases",
        )

    assert response.status_code == 303
    async with db.read() as session:
        stored = {
            p.kind: p
            for p in (
                await session.execute(select(Phase).where(Phase.challenge_id == challenge.id))
            ).scalars()
        }
    assert set(stored) == {PhaseKind.REGISTRATION, PhaseKind.SUBMISSION}
    assert stored[PhaseKind.REGISTRATION].ends_at == datetime(2026, 7, 10, 16, 0, tzinfo=UTC)
    assert stored[PhaseKind.SUBMISSION].ends_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)


async def test_phases_form_with_end_before_start_is_422_and_keeps_input(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    async with await actors.client(organiser) as http:
        response = await post_form(
            http,
            f"/challenges/{challenge.id}/phases",
            {
                "registration_starts_at": "2026-07-10T09:00",
                "registration_ends_at": "2026-07-01T18:00",
                "judging_starts_at": "2026-07-10T09:00",
            },
            form_page=f"/challenges/{challenge.id}/phases",
        )

    assert response.status_code == 422
    assert 'value="2026-07-01T18:00"' in response.text
    assert 'id="e-judging_ends_at"' in response.text
    assert await _count(db, Phase) == len(PhaseKind)  # the old windows are untouched


async def test_tracks_are_added_renamed_and_deleted(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    page = f"/challenges/{challenge.id}/tracks"
    async with await actors.client(organiser) as http:
        added = await post_form(http, page, {"name": "Acqua", "position": "0"}, form_page=page)
        duplicate = await post_form(http, page, {"name": "acqua"}, form_page=page)
        async with db.read() as session:
            track = (await session.execute(select(Track))).scalar_one()
        renamed = await post_form(
            http, f"{page}/{track.id}/edit", {"name": "Acqua pulita"}, form_page=page
        )
        deleted = await post_form(http, f"{page}/{track.id}/delete", form_page=page)

    assert added.status_code == renamed.status_code == deleted.status_code == 303
    assert duplicate.status_code == 409
    assert 'id="e-name"' in duplicate.text
    assert await _count(db, Track) == 0


async def test_track_of_another_challenge_is_404(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    mine = await make_challenge(db, organiser=organiser)
    other = await make_challenge(db)
    async with db.read() as session:
        foreign = (
            (await session.execute(select(Track).where(Track.challenge_id == other.id)))
            .scalars()
            .first()
        )
    assert foreign is not None
    async with await actors.client(organiser) as http:
        response = await http.get(f"/challenges/{mine.id}/tracks/{foreign.id}/edit")

    assert response.status_code == 404


async def test_publish_and_unpublish(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, published=False)
    path = f"/challenges/{challenge.id}/publish"
    async with await actors.client(organiser) as http:
        published = await post_form(
            http, path, {"publish": "1"}, form_page=f"/challenges/{challenge.id}"
        )
        async with db.read() as session:
            first = (await session.get(Challenge, challenge.id)).is_published  # type: ignore[union-attr]
        await post_form(http, path, {"publish": "0"}, form_page=f"/challenges/{challenge.id}")

    assert published.status_code == 303
    assert first is True
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.is_published is False


async def test_people_page_grants_and_removes_roles(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    mentor = await actors.user(email="mentore@example.org")
    challenge = await make_challenge(db, organiser=organiser)
    page = f"/challenges/{challenge.id}/people"
    async with await actors.client(organiser) as http:
        granted = await post_form(
            http, page, {"email": "Mentore@example.org", "kind": "mentor"}, form_page=page
        )
        async with db.read() as session:
            role = (
                await session.execute(select(Role).where(Role.user_id == mentor.id))
            ).scalar_one()
        listing = await http.get(page)
        removed = await post_form(http, f"{page}/{role.id}/remove", form_page=page)

    assert granted.status_code == removed.status_code == 303
    assert role.kind == RoleKind.MENTOR
    assert "mentore@example.org" in listing.text
    async with db.read() as session:
        assert await session.get(Role, role.id) is None


async def test_people_page_sends_a_judges_removal_to_the_judging_page(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    judge = await actors.user(email="giudice@example.org")
    challenge = await make_challenge(db, organiser=organiser)
    page = f"/challenges/{challenge.id}/people"
    async with await actors.client(organiser) as http:
        granted = await post_form(
            http, page, {"email": "Giudice@example.org", "kind": "judge"}, form_page=page
        )
        async with db.read() as session:
            role = (
                await session.execute(select(Role).where(Role.user_id == judge.id))
            ).scalar_one()
        listing = await http.get(page)
        refused = await post_form(http, f"{page}/{role.id}/remove", form_page=page)

    # Removing a judge asks what to do with their scores, on the judging page.
    assert (granted.status_code, refused.status_code) == (303, 409)
    assert f'href="/challenges/{challenge.id}/judges/{judge.id}/remove"' in listing.text
    async with db.read() as session:
        assert await session.get(Role, role.id) is not None


async def test_people_page_with_unknown_email_shows_error_next_to_field(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    page = f"/challenges/{challenge.id}/people"
    async with await actors.client(organiser) as http:
        response = await post_form(
            http, page, {"email": "nessuno@example.org", "kind": "judge"}, form_page=page
        )

    assert response.status_code == 422
    assert 'id="e-email"' in response.text
    assert 'value="nessuno@example.org"' in response.text
    assert await _count(db, Role) == 1


async def test_people_page_is_403_for_a_judge(db: Database, actors: Actors) -> None:
    judge = await actors.user()
    challenge = await make_challenge(db, organiser=await actors.user())
    await actors.grant(judge, challenge.id or 0, RoleKind.JUDGE)
    async with await actors.client(judge) as http:
        response = await http.get(f"/challenges/{challenge.id}/people")

    assert response.status_code == 403


async def test_last_organiser_cannot_be_removed(db: Database, actors: Actors) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    async with db.read() as session:
        role = (await session.execute(select(Role))).scalar_one()
    page = f"/challenges/{challenge.id}/people"
    async with await actors.client(organiser) as http:
        response = await post_form(http, f"{page}/{role.id}/remove", form_page=page)

    assert response.status_code == 409
    assert await _count(db, Role) == 1


async def test_programme_is_created_and_challenge_attached_as_stage(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user(creator=True)
    challenge = await make_challenge(db, organiser=organiser, title="Impresa in azione")
    async with await actors.client(organiser) as http:
        created = await post_form(
            http, "/programmes/new", {"name": "Percorsi green 2026"}, form_page="/programmes/new"
        )
        path = created.headers["location"]
        attached = await post_form(
            http,
            f"{path}/stages",
            {"challenge_id": str(challenge.id), "stage": "2"},
            form_page=path,
        )
        page = await http.get(path)

    assert created.status_code == attached.status_code == 303
    assert "Impresa in azione" in page.text
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.stage == 2 and stored.programme_id is not None


async def test_programme_stage_of_a_challenge_one_does_not_organise_is_refused(
    db: Database, actors: Actors
) -> None:
    user = await actors.user()
    challenge = await make_challenge(db, organiser=await actors.user())
    async with db.transaction() as session:
        programme = Programme(slug="p", name="P")
        session.add(programme)
    async with await actors.client(user) as http:
        response = await post_form(
            http,
            f"/programmes/{programme.id}/stages",
            {"challenge_id": str(challenge.id), "stage": "1"},
            form_page=f"/programmes/{programme.id}",
        )

    assert response.status_code == 403
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.programme_id is None


async def test_unknown_programme_is_404(client: AsyncClient) -> None:
    assert (await client.get("/programmes/999")).status_code == 404


async def test_registration_link_shown_while_registration_is_open(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db)
    await set_windows(db, challenge, registration=(-1, 1))
    async with await actors.client(await actors.user()) as http:
        response = await http.get(f"/challenges/{challenge.id}")
    await set_windows(db, challenge, registration=(-3, -1))
    async with await actors.client(await actors.user()) as http:
        closed = await http.get(f"/challenges/{challenge.id}")

    assert f"/challenges/{challenge.id}/teams/new" in response.text
    assert f"/challenges/{challenge.id}/teams/new" not in closed.text
