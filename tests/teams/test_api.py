from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.challenges import queries as challenge_queries
from app.challenges.models import PhaseKind
from app.db import Database, utcnow
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile, Team
from app.teams.schemas import API_PAGE_SIZE
from tests.factories import Actors, make_challenge, make_project, make_team
from tests.listings.rows import submitted_projects
from tests.teams.test_uploads import EXE, PDF, stored_files

CONSENT = (utcnow().date() - timedelta(days=2)).isoformat()


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def _team(track_id: int | None, **extra: object) -> dict[str, object]:
    return {
        "name": "4B Aqua",
        "track_id": track_id,
        "institution_name": "ITIS Fermi",
        "institution_city": "Mantova",
        "class_name": "4B",
        "members": [
            {
                "first_name": "Giulia",
                "last_name": "Bianchi",
                "is_minor": True,
                "consent_on": CONSENT,
            },
            {"first_name": "Marco", "last_name": "Neri", "is_minor": False},
        ],
        **extra,
    }


async def test_register_team_and_read_it_back(db: Database, actors: Actors) -> None:
    teacher = await actors.user()
    challenge = await make_challenge(db, open_phases=(PhaseKind.REGISTRATION,))
    async with db.read() as session:
        track_id = (await challenge_queries.tracks(session, challenge.id or 0))[0].id or 0
    async with await actors.api(teacher) as http:
        created = await http.post(f"/api/v1/challenges/{challenge.id}/teams", json=_team(track_id))
        fetched = await http.get(f"/api/v1/teams/{created.json()['id']}")

    assert created.status_code == 201
    assert fetched.status_code == 200
    body = fetched.json()
    assert body["coach_id"] == teacher.id and body["institution"]["name"] == "ITIS Fermi"
    assert [(m["first_name"], m["consent_on"]) for m in body["members"]] == [
        ("Giulia", CONSENT),
        ("Marco", None),
    ]
    assert "email" not in str(body["members"])


async def test_register_team_with_minor_without_consent_names_the_row(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.REGISTRATION,))
    data = _team(None)
    data["members"] = [{"first_name": "Luca", "last_name": "Verdi", "is_minor": True}]
    async with await actors.api(await actors.user()) as http:
        response = await http.post(f"/api/v1/challenges/{challenge.id}/teams", json=data)

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"members-0-consent_on"}
    assert await _count(db, Team) == 0


async def test_register_team_outside_registration_is_409(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, tracks=(), open_phases=())
    async with await actors.api(await actors.user()) as http:
        response = await http.post(f"/api/v1/challenges/{challenge.id}/teams", json=_team(None))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "registration_closed"


async def test_get_team_of_someone_else_is_404(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db)
    team = await make_team(db, challenge, coach=await actors.user())
    async with await actors.api(await actors.user()) as http:
        response = await http.get(f"/api/v1/teams/{team.id}")

    assert response.status_code == 404


async def test_project_lifecycle_through_the_api(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    async with await actors.api(coach) as http:
        created = await http.put(f"/api/v1/teams/{team.id}/project", json={"title": "Sensori"})
        project_id = created.json()["id"]
        updated = await http.put(
            f"/api/v1/teams/{team.id}/project", json={"title": "Sensori", "summary": "Orti"}
        )
        uploaded = await http.post(
            f"/api/v1/projects/{project_id}/files",
            files={"file": ("idea.pdf", PDF, "application/octet-stream")},
        )
        submitted = await http.post(f"/api/v1/projects/{project_id}/submit")
    async with actors.anonymous() as http:
        public = await http.get(f"/api/v1/projects/{project_id}")
        gallery = await http.get(f"/api/v1/challenges/{challenge.id}/projects")

    assert created.status_code == updated.status_code == 200
    assert updated.json()["version"] == 2
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "application/pdf"
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert public.status_code == 200 and [f["display_name"] for f in public.json()["files"]] == [
        "idea.pdf"
    ]
    assert [p["project_id"] for p in gallery.json()] == [project_id]


async def test_upload_exe_is_415_json_and_stores_nothing(
    db: Database, actors: Actors, storage: LocalStorage
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    project = await make_project(db, await make_team(db, challenge, coach=coach), submitted=False)
    before = stored_files(storage)
    async with await actors.api(coach) as http:
        response = await http.post(
            f"/api/v1/projects/{project.id}/files",
            files={"file": ("setup.pdf", EXE, "application/pdf")},
        )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert stored_files(storage) == before
    assert await _count(db, ProjectFile) == 0


async def test_upload_json_instead_of_multipart_is_415(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    project = await make_project(db, await make_team(db, challenge, coach=coach), submitted=False)
    async with await actors.api(coach) as http:
        response = await http.post(f"/api/v1/projects/{project.id}/files", json={"file": "x"})

    assert response.status_code == 415


async def test_save_project_after_deadline_is_409(db: Database, actors: Actors) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=())
    team = await make_team(db, challenge, coach=coach)
    async with await actors.api(coach) as http:
        response = await http.put(f"/api/v1/teams/{team.id}/project", json={"title": "Tardi"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "submission_closed"
    assert await _count(db, Project) == 0


async def test_submit_someone_elses_project_is_404(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    project = await make_project(
        db, await make_team(db, challenge, coach=await actors.user()), submitted=False
    )
    async with await actors.api(await actors.user()) as http:
        response = await http.post(f"/api/v1/projects/{project.id}/submit")

    assert response.status_code == 404


async def test_gallery_of_draft_challenge_is_404(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db, published=False)
    async with actors.anonymous() as http:
        response = await http.get(f"/api/v1/challenges/{challenge.id}/projects")

    assert response.status_code == 404


async def test_openapi_documents_the_team_endpoints(actors: Actors) -> None:
    async with actors.anonymous() as http:
        document = (await http.get("/api/v1/openapi.json")).json()

    assert "/api/v1/challenges/{id}/teams" in document["paths"]
    assert "TeamCreate" in document["components"]["schemas"]


async def test_gallery_api_answers_a_page_at_a_time(db: Database, actors: Actors) -> None:
    challenge = await make_challenge(db)
    projects = await submitted_projects(db, actors, challenge, API_PAGE_SIZE + 1, coach=None)
    url = f"/api/v1/challenges/{challenge.id}/projects"
    async with actors.anonymous() as http:
        first = await http.get(url)
        second = await http.get(first.links["next"]["url"])
        past_the_end = await http.get(url, params={"page": 3})
        refused = [await http.get(url, params={"page": p}) for p in ("0", "abc", "10001", "1e3")]

    assert len(first.json()) == API_PAGE_SIZE and first.headers["x-total-count"] == "101"
    assert first.links["next"]["url"].endswith("page=2")
    assert len(second.json()) == 1 and "link" not in second.headers
    listed = [p["project_id"] for p in first.json() + second.json()]
    assert sorted(listed) == sorted(p.id for p in projects)
    assert past_the_end.json() == [] and past_the_end.headers["x-total-count"] == "101"
    assert [r.status_code for r in refused] == [422] * 4
    assert "page" in refused[0].json()["error"]["fields"]
