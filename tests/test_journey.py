"""The whole challenge journey through HTTP, with a real worker rendering real PDFs.

organiser sets up a challenge -> a teacher registers a team and submits a project with a
PDF -> a sponsor adopts it and the team accepts -> a judge scores it -> the organiser
publishes results -> the worker renders certificates -> anyone verifies one.
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from httpx import AsyncClient
from pypdf import PdfReader
from starlette.applications import Starlette

from app.accounts.models import User
from app.db import utcnow
from tests.audit import every_change_audited
from tests.factories import Actors, post_form, run_jobs

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


async def test_the_whole_journey_ends_in_a_verifiable_certificate(
    app: Starlette, actors: Actors
) -> None:
    organiser = await actors.user("Orsola Organizzatrice", creator=True)
    teacher = await actors.user("Marta Insegnante")
    sponsor_rep = await actors.user("Sandro Madrina")
    judge = await actors.user("Giada Giudice")
    org = await actors.api(organiser)
    coach = await actors.api(teacher)
    rep = await actors.api(sponsor_rep)
    jury = await actors.api(judge)
    with every_change_audited() as unaudited:
        await _journey(app, actors, organiser, sponsor_rep, judge, org, coach, rep, jury)

    # Every state change of the journey, in the app and in the worker, was audited.
    assert unaudited == [], "\n".join(unaudited)
    for http in (org, coach, rep, jury):
        await http.aclose()


async def _journey(
    app: Starlette,
    actors: Actors,
    organiser: User,
    sponsor_rep: User,
    judge: User,
    org: AsyncClient,
    coach: AsyncClient,
    rep: AsyncClient,
    jury: AsyncClient,
) -> None:
    # The organiser sets up the challenge, its track and phases, and publishes it.
    created = await org.post("/api/v1/challenges", json={"title": "Climathon Mantova 2026"})
    assert created.status_code == 201, created.text
    challenge_id = created.json()["id"]
    track = await org.post(f"/api/v1/challenges/{challenge_id}/tracks", json={"name": "Acqua"})
    assert track.status_code == 201, track.text
    track_id = track.json()["id"]
    start = (utcnow() - timedelta(days=1)).isoformat()
    end = (utcnow() + timedelta(days=2)).isoformat()
    phases = [
        {"kind": kind, "starts_at": start, "ends_at": end}
        for kind in ("registration", "submission", "judging", "adoption")
    ]
    response = await org.put(f"/api/v1/challenges/{challenge_id}/phases", json={"phases": phases})
    assert response.status_code == 200, response.text
    async with await actors.client(organiser) as browser:
        published = await post_form(
            browser,
            f"/challenges/{challenge_id}/publish",
            {"publish": "1"},
            form_page=f"/challenges/{challenge_id}",
        )
        assert published.status_code == 303, published.text

    # A teacher registers a class team and submits the project with a PDF.
    team = await coach.post(
        f"/api/v1/challenges/{challenge_id}/teams",
        json={
            "name": "4B Aqua",
            "track_id": track_id,
            "institution_name": "ITIS Enrico Fermi",
            "institution_city": "Mantova",
            "class_name": "4B",
            "members": [
                {"first_name": "Giulia", "last_name": "Bianchi", "is_minor": True,
                 "consent_on": "2026-10-01"},
            ],
        },
    )  # fmt: skip
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    project = await coach.put(
        f"/api/v1/teams/{team_id}/project",
        json={"title": "Sensori per l'acqua piovana", "track_id": track_id},
    )
    assert project.status_code == 200, project.text
    project_id = project.json()["id"]
    upload = await coach.post(
        f"/api/v1/projects/{project_id}/files",
        files={"file": ("idea.pdf", TINY_PDF, "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    submitted = await coach.post(f"/api/v1/projects/{project_id}/submit")
    assert submitted.status_code == 200, submitted.text

    # A sponsor company adopts the project and the team accepts.
    sponsor = await org.post(
        f"/api/v1/challenges/{challenge_id}/sponsors", json={"name": "Acme Mantova S.p.A."}
    )
    assert sponsor.status_code == 201, sponsor.text
    sponsor_id = sponsor.json()["id"]
    linked = await org.post(
        f"/api/v1/challenges/{challenge_id}/sponsors/{sponsor_id}/representatives",
        json={"email": sponsor_rep.email},
    )
    assert linked.status_code == 201, linked.text
    offer = await rep.post(
        f"/api/v1/projects/{project_id}/adoptions",
        json={"sponsor_id": sponsor_id, "internships": 2, "mentoring_hours": 10},
    )
    assert offer.status_code == 201, offer.text
    accepted = await coach.post(f"/api/v1/adoptions/{offer.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    # A judge scores it on a weighted rubric.
    added = await org.post(f"/api/v1/challenges/{challenge_id}/judges", json={"email": judge.email})
    assert added.status_code == 204, added.text
    rubric = await org.post(
        f"/api/v1/challenges/{challenge_id}/rubrics",
        json={
            "name": "Rubrica Climathon",
            "criteria": [
                {"name": "Innovazione", "weight": 30},
                {"name": "Fattibilità", "weight": 30},
                {"name": "Impatto", "weight": 40},
            ],
        },
    )
    assert rubric.status_code == 201, rubric.text
    criteria = [criterion["id"] for criterion in rubric.json()["criteria"]]
    judging_round = await org.post(
        f"/api/v1/challenges/{challenge_id}/rounds",
        json={"name": "Finale", "rubric_id": rubric.json()["id"], "judges_per_project": 1},
    )
    assert judging_round.status_code == 201, judging_round.text
    round_id = judging_round.json()["id"]
    assert (await org.post(f"/api/v1/rounds/{round_id}/assign")).status_code == 200
    assert (await org.post(f"/api/v1/rounds/{round_id}/open")).status_code == 200
    mine = (await jury.get("/api/v1/judging/assignments")).json()
    assert [a["project_id"] for a in mine] == [project_id]
    scored = await jury.put(
        f"/api/v1/assignments/{mine[0]['id']}/scores",
        json={"scores": {str(c): 4 for c in criteria}, "comment": "Ottima idea"},
    )
    assert scored.status_code == 200, scored.text
    assert scored.json()["submitted_at"] is not None
    assert (await org.post(f"/api/v1/rounds/{round_id}/close")).status_code == 200

    # The organiser publishes the results; the worker renders the certificates.
    results = await org.post(f"/api/v1/challenges/{challenge_id}/results/publish")
    assert results.status_code == 201, results.text
    assert [a["name"] for a in results.json()["awards"]] == [
        "Miglior idea",
        "Miglior idea \u2013 Acqua",
    ]
    await run_jobs(app)
    await run_jobs(app)  # a second pass changes nothing: handlers and jobs are idempotent

    certificates = (await org.get(f"/api/v1/challenges/{challenge_id}/certificates")).json()
    kinds = sorted((c["kind"], c["recipient_name"]) for c in certificates)
    assert kinds == [
        ("adoption", "Acme Mantova S.p.A."),
        ("adoption", "Giulia Bianchi"),
        ("award", "Giulia Bianchi"),
        ("award", "Giulia Bianchi"),
        ("judge", "Giada Giudice"),
        ("participation", "Giulia Bianchi"),
    ]
    assert {c["status"] for c in certificates} == {"issued"}
    participation = next(c for c in certificates if c["kind"] == "participation")
    code = participation["code"]

    # Anyone downloads the PDF and verifies it.
    async with actors.anonymous() as public:
        pdf = await public.get(f"/certificates/{code}.pdf")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Giulia Bianchi" in text
        assert code in text
        page = await public.get(f"/verify/{code}")
        assert page.status_code == 200
        assert hashlib.sha256(pdf.content).hexdigest() in page.text
        assert participation["sha256"] == hashlib.sha256(pdf.content).hexdigest()
        verified = await public.get(f"/api/v1/verify/{code}")
        assert verified.json()["status"] == "issued"
