"""A company's shortlist and private notes: shared by its representatives, 'not found' to
everyone else, a removed representative shut out at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlmodel import col

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Phase, PhaseKind
from app.db import Database, utcnow
from app.events.models import AuditEntry
from app.sponsors.models import ShortlistEntry, Sponsor, SponsorNote, SponsorRepresentative
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team, post_form
from tests.queries import sql_statements
from tests.sponsors.conftest import Scene


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _colleague(db: Database, actors: Actors, scene: Scene) -> User:
    """A second representative of the same company."""
    colleague = await actors.user("Chiara Collega")
    async with db.transaction() as session:
        session.add(SponsorRepresentative(sponsor_id=scene.sponsor.id or 0, user_id=colleague.id))
    await actors.grant(colleague, scene.cid, RoleKind.SPONSOR)
    return colleague


async def _shortlist_page(actors: Actors, scene: Scene, person: User) -> str:
    async with await actors.client(person) as http:
        response = await http.get(f"/sponsors/{scene.sponsor.id}/shortlist")
    assert response.status_code == 200
    return response.text


async def test_representative_shortlists_from_the_projects_page_and_a_colleague_sees_it(
    db: Database, actors: Actors, scene: Scene
) -> None:
    colleague = await _colleague(db, actors, scene)
    found = f"/sponsors/{scene.sponsor.id}/projects?q=rain"

    async with await actors.client(scene.rep) as http:
        response = await post_form(
            http,
            f"/sponsors/{scene.sponsor.id}/shortlist/add",
            {"project_id": str(scene.pid), "next": found},
            form_page=found,
        )
        again = await post_form(
            http,
            f"/sponsors/{scene.sponsor.id}/shortlist/add",
            {"project_id": str(scene.pid)},
            form_page=found,
        )

    assert (response.status_code, response.headers["location"]) == (303, found)
    assert again.status_code == 303
    assert await _count(db, ShortlistEntry) == 1
    page = await _shortlist_page(actors, scene, colleague)
    assert "Rain sensors" in page and "Aggiunto da Riccardo Rep" in page
    # The searches (this challenge's and the company's across challenges) mark it.
    async with await actors.client(scene.rep) as http:
        here = await http.get(found)
        everywhere = await http.get(f"/companies/{scene.sponsor.company_id}/ideas?q=rain")
    assert "Nella tua selezione" in here.text
    assert "Nella tua selezione" in everywhere.text and "Rain sensors" in everywhere.text


async def test_notes_are_shared_kept_with_author_and_only_the_author_deletes(
    db: Database, actors: Actors, scene: Scene
) -> None:
    colleague = await _colleague(db, actors, scene)
    shortlist = f"/sponsors/{scene.sponsor.id}/shortlist"
    async with await actors.api(scene.rep) as api:
        assert (
            await api.put(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")
        ).status_code == 204
    async with await actors.client(scene.rep) as http:
        written = await post_form(
            http,
            f"/sponsors/{scene.sponsor.id}/projects/{scene.pid}/notes",
            {"text": "Ottimo per il tirocinio <b>estivo</b>"},
            form_page=shortlist,
        )
    async with db.read() as session:
        note = (await session.execute(select(SponsorNote))).scalar_one()

    async with await actors.client(colleague) as http:
        page = (await http.get(shortlist)).text
        refused = await post_form(
            http, f"/sponsors/{scene.sponsor.id}/notes/{note.id}/delete", form_page=shortlist
        )
    async with await actors.api(scene.rep) as api:
        notes = (
            await api.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects/{scene.pid}/notes")
        ).json()
        deleted = await api.delete(f"/api/v1/sponsors/{scene.sponsor.id}/notes/{note.id}")

    assert written.status_code == 303
    assert "Ottimo per il tirocinio &lt;b&gt;estivo&lt;/b&gt;" in page and "Riccardo Rep" in page
    assert refused.status_code == 403
    assert [(n["text"], n["author_name"], n["written_by"]) for n in notes] == [
        ("Ottimo per il tirocinio <b>estivo</b>", "Riccardo Rep", scene.rep.id)
    ]
    assert deleted.status_code == 204
    assert await _count(db, SponsorNote) == 0


async def test_an_overlong_note_comes_back_with_its_text_and_nothing_is_written(
    db: Database, actors: Actors, scene: Scene
) -> None:
    shortlist = f"/sponsors/{scene.sponsor.id}/shortlist"
    async with await actors.api(scene.rep) as api:
        await api.put(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")
        api_answer = await api.post(
            f"/api/v1/sponsors/{scene.sponsor.id}/projects/{scene.pid}/notes",
            json={"text": "y" * 2001},
        )
    async with await actors.client(scene.rep) as http:
        response = await post_form(
            http,
            f"/sponsors/{scene.sponsor.id}/projects/{scene.pid}/notes",
            {"text": "x" * 2001},
            form_page=shortlist,
        )

    assert response.status_code == 422
    assert "x" * 2001 in response.text and 'id="e-text"' in response.text
    assert (api_answer.status_code, list(api_answer.json()["error"]["fields"])) == (422, ["text"])
    assert await _count(db, SponsorNote) == 0


async def test_another_company_an_organiser_and_a_coach_get_404(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.rep) as api:
        await api.put(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")
        await api.post(
            f"/api/v1/sponsors/{scene.sponsor.id}/projects/{scene.pid}/notes",
            json={"text": "Da sentire"},
        )
    other_rep = await actors.user("Other Rep")
    await make_sponsor(db, scene.challenge, representative=other_rep, name="Other S.r.l.")
    base = f"/sponsors/{scene.sponsor.id}"
    async with db.read() as session:
        note_id = (await session.execute(select(SponsorNote.id))).scalar_one()

    statuses = []
    for person in (other_rep, scene.organiser, scene.coach):
        async with await actors.client(person) as http:
            statuses.append((await http.get(f"{base}/shortlist")).status_code)
            statuses.append(
                (
                    await post_form(http, f"{base}/notes/{note_id}/delete", form_page="/challenges")
                ).status_code
            )
        async with await actors.api(person) as api:
            statuses.append((await api.get(f"/api/v1{base}/shortlist")).status_code)
            statuses.append(
                (await api.get(f"/api/v1{base}/projects/{scene.pid}/notes")).status_code
            )
            statuses.append((await api.delete(f"/api/v1{base}/shortlist/{scene.pid}")).status_code)

    assert statuses == [404] * 15
    assert (await _count(db, ShortlistEntry), await _count(db, SponsorNote)) == (1, 1)


async def test_a_removed_representative_loses_access_at_once(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.rep) as rep_api:
        await rep_api.put(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")
        async with db.read() as session:
            role_id = (
                await session.execute(
                    select(Role.id).where(
                        col(Role.user_id) == scene.rep.id, col(Role.kind) == RoleKind.SPONSOR
                    )
                )
            ).scalar_one()
        async with await actors.api(scene.organiser) as organiser:
            removed = await organiser.delete(f"/api/v1/challenges/{scene.cid}/people/{role_id}")

        shortlist = await rep_api.get(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist")
        write = await rep_api.delete(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")

    assert removed.status_code == 204
    assert (shortlist.status_code, write.status_code) == (404, 404)
    assert await _count(db, ShortlistEntry) == 1


async def test_shortlisting_is_refused_outside_the_window_and_for_other_projects(
    db: Database, actors: Actors, scene: Scene
) -> None:
    coach = await actors.user()
    draft = await make_project(
        db, await make_team(db, scene.challenge, coach=coach), submitted=False
    )
    elsewhere = await make_challenge(db)
    foreign = await make_project(db, await make_team(db, elsewhere, coach=coach))
    base = f"/api/v1/sponsors/{scene.sponsor.id}/shortlist"

    async with await actors.api(scene.rep) as api:
        not_submitted = await api.put(f"{base}/{draft.id}")
        other_challenge = await api.put(f"{base}/{foreign.id}")
        async with db.transaction() as session:
            await session.execute(
                update(Phase)
                .where(col(Phase.challenge_id) == scene.cid, col(Phase.kind) == PhaseKind.ADOPTION)
                .values(starts_at=utcnow() + timedelta(days=1))
            )
        too_early = await api.put(f"{base}/{scene.pid}")

    assert (not_submitted.status_code, other_challenge.status_code) == (404, 404)
    assert (too_early.status_code, too_early.json()["error"]["code"]) == (
        409,
        "adoption_not_open_yet",
    )
    assert await _count(db, ShortlistEntry) == 0


async def test_private_actions_stay_out_of_the_challenges_audit_log(
    db: Database, actors: Actors, scene: Scene
) -> None:
    async with await actors.api(scene.rep) as api:
        await api.put(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")
        await api.post(
            f"/api/v1/sponsors/{scene.sponsor.id}/projects/{scene.pid}/notes",
            json={"text": "Segreto"},
        )
        await api.delete(f"/api/v1/sponsors/{scene.sponsor.id}/shortlist/{scene.pid}")

    async with db.read() as session:
        entries = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.challenge_id, AuditEntry.data).where(
                    col(AuditEntry.subject_type) == "sponsor",
                    col(AuditEntry.action) != "sponsor.added",
                )
            )
        ).all()
    assert [(a, c) for a, c, _d in entries] == [
        ("sponsor.shortlist_added", None),
        ("sponsor.note_added", None),
        ("sponsor.shortlist_removed", None),
    ]
    assert all("Segreto" not in str(d) for _a, _c, d in entries)


async def test_shortlist_statements_do_not_grow_with_entries_and_notes(
    db: Database, actors: Actors
) -> None:
    counts = []
    for size in (1, 12):
        challenge = await make_challenge(db, organiser=await actors.user())
        rep = await actors.user()
        sponsor: Sponsor = await make_sponsor(db, challenge, representative=rep)
        coach = await actors.user()
        async with await actors.api(rep) as api:
            for n in range(size):
                project = await make_project(
                    db, await make_team(db, challenge, coach=coach, name=f"T{n}")
                )
                await api.put(f"/api/v1/sponsors/{sponsor.id}/shortlist/{project.id}")
                for text in ("uno", "due"):
                    await api.post(
                        f"/api/v1/sponsors/{sponsor.id}/projects/{project.id}/notes",
                        json={"text": text},
                    )
            with sql_statements(db) as sent_api:
                answer = await api.get(f"/api/v1/sponsors/{sponsor.id}/shortlist")
        async with await actors.client(rep) as http:
            with sql_statements(db) as sent:
                assert (await http.get(f"/sponsors/{sponsor.id}/shortlist")).status_code == 200
        assert [len(item["notes"]) for item in answer.json()] == [2] * size
        counts.append((len(sent), len(sent_api)))

    assert counts[0] == counts[1]
