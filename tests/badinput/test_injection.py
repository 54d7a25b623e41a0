"""HTML, JS and CSS typed into every text field that reaches a page comes back as text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from markupsafe import escape
from sqlalchemy import select

from app.accounts.models import RoleKind
from app.certificates import render
from app.certificates.models import CertificateKind
from app.challenges.models import Challenge, Track
from app.db import Database
from app.judging.models import Assignment, Criterion, Score
from app.sponsors.models import Adoption, Sponsor
from app.teams.models import Project, Team, TeamMember
from app.templating import render_string
from tests.factories import Actors, make_challenge, make_round, post_form

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</style><style>body{display:none}",
]


def tagged(payload: str, tag: str) -> str:
    """The payload marked with the field it went into, to find each field on the pages."""
    return f"{payload} {tag}"


def assert_escaped(pages: dict[str, str], payload: str, tags: list[str]) -> None:
    for path, html in pages.items():
        assert payload not in html, f"unescaped payload on {path}"
    everything = "\n".join(pages.values())
    missing = [tag for tag in tags if str(escape(tagged(payload, tag))) not in everything]
    assert missing == [], f"fields not shown (escaped) on any page: {missing}"


async def fetch(http: AsyncClient, *paths: str) -> dict[str, str]:
    pages: dict[str, str] = {}
    for path in paths:
        response = await http.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.text
    return pages


async def _one(db: Database, model: type, *where: object) -> object:
    async with db.read() as session:
        return (await session.execute(select(model).where(*where))).scalar_one()


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_challenge_and_track_fields_are_escaped(
    db: Database, actors: Actors, payload: str
) -> None:
    admin = await actors.user(is_admin=True)
    tags = ["c-title", "c-summary", "c-description", "t-name", "t-description"]
    async with await actors.client(admin) as http:
        created = await post_form(
            http,
            "/challenges/new",
            {
                "title": tagged(payload, "c-title"),
                "summary": tagged(payload, "c-summary"),
                "description": tagged(payload, "c-description"),
                "timezone": "Europe/Rome",
            },
            form_page="/challenges/new",
        )
        assert created.status_code == 303, created.text[:500]
        challenge = await _one(db, Challenge)
        assert isinstance(challenge, Challenge)
        tracks_path = f"/challenges/{challenge.id}/tracks"
        added = await post_form(
            http,
            tracks_path,
            {
                "name": tagged(payload, "t-name"),
                "description": tagged(payload, "t-description"),
                "position": "0",
            },
            form_page=tracks_path,
        )
        assert added.status_code == 303, added.text[:500]
        track = await _one(db, Track)
        assert isinstance(track, Track)
        pages = await fetch(
            http,
            f"/challenges/{challenge.id}",
            f"/challenges/{challenge.id}/edit",
            tracks_path,
            f"/challenges/{challenge.id}/tracks/{track.id}/edit",
            "/challenges",
        )

    assert challenge.title == tagged(payload, "c-title")  # stored as typed, escaped on output
    assert_escaped(pages, payload, tags)


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_team_project_sponsor_adoption_and_comment_fields_are_escaped(
    db: Database, actors: Actors, payload: str
) -> None:
    organiser, coach, rep, judge = [await actors.user() for _ in range(4)]
    challenge = await make_challenge(db, organiser=organiser, tracks=("Acqua",))
    cid = challenge.id
    track = await _one(db, Track, Track.challenge_id == cid)
    assert isinstance(track, Track)
    await actors.grant(rep, cid or 0, RoleKind.SPONSOR)

    # The coach registers a team and writes its project.
    async with await actors.client(coach) as http:
        new_team = f"/challenges/{cid}/teams/new"
        response = await post_form(
            http,
            new_team,
            {
                "name": tagged(payload, "team"),
                "track_id": str(track.id),
                "class_name": "4B",
                "institution_name": tagged(payload, "school"),
                "institution_city": tagged(payload, "town"),
                "members-0-first_name": tagged(payload, "first"),
                "members-0-last_name": tagged(payload, "last"),
            },
            form_page=new_team,
        )
        assert response.status_code == 303, response.text[:800]
        team = await _one(db, Team)
        assert isinstance(team, Team)
        project_form = f"/teams/{team.id}/project"
        response = await post_form(
            http,
            project_form,
            {
                "title": tagged(payload, "p-title"),
                "summary": tagged(payload, "p-summary"),
                "description": tagged(payload, "p-description"),
                "track_id": str(track.id),
            },
            form_page=project_form,
        )
        assert response.status_code == 303, response.text[:800]
        project = await _one(db, Project)
        assert isinstance(project, Project)
        submitted = await post_form(
            http, f"/projects/{project.id}/submit", form_page=f"/projects/{project.id}"
        )
        assert submitted.status_code == 303

    # The organiser adds the company and its representative.
    async with await actors.client(organiser) as http:
        sponsors = f"/challenges/{cid}/sponsors"
        response = await post_form(
            http,
            sponsors,
            {"name": tagged(payload, "sponsor"), "description": tagged(payload, "s-desc")},
            form_page=sponsors,
        )
        assert response.status_code == 303, response.text[:800]
        sponsor = await _one(db, Sponsor)
        assert isinstance(sponsor, Sponsor)
        response = await post_form(
            http,
            f"{sponsors}/representatives",
            {"sponsor_id": str(sponsor.id), "email": rep.email},
            form_page=sponsors,
        )
        assert response.status_code == 303, response.text[:800]

    # The representative offers an adoption with a message.
    async with await actors.client(rep) as http:
        adopt = f"/projects/{project.id}/adopt"
        response = await post_form(
            http,
            adopt,
            {
                "sponsor_id": str(sponsor.id),
                "mentoring_hours": "10",
                "message": tagged(payload, "adoption"),
            },
            form_page=adopt,
        )
        assert response.status_code == 303, response.text[:800]
        assert isinstance(await _one(db, Adoption), Adoption)

    # A judge scores it with a comment.
    await make_round(db, challenge, judges=[judge], projects=[project])
    assignment = await _one(db, Assignment)
    assert isinstance(assignment, Assignment)
    async with db.read() as session:
        criteria = list((await session.execute(select(Criterion))).scalars())
    sheet = f"/judging/assignments/{assignment.id}"
    async with await actors.client(judge) as http:
        scores = {f"criterion-{c.id}": "4" for c in criteria}
        response = await post_form(
            http, sheet, {**scores, "comment": tagged(payload, "comment")}, form_page=sheet
        )
        assert response.status_code == 303, response.text[:800]
        judge_pages = await fetch(http, "/judging", sheet)
    async with db.read() as session:
        saved = list((await session.execute(select(Score))).scalars())
    assert len(saved) == len(criteria)

    async with await actors.client(coach) as http:
        coach_pages = await fetch(
            http,
            f"/teams/{team.id}",
            f"/teams/{team.id}/edit",
            f"/teams/{team.id}/project",
            f"/projects/{project.id}",
            f"/teams/{team.id}/adoptions",
        )
    async with await actors.client(organiser) as http:
        organiser_pages = await fetch(
            http,
            f"/challenges/{cid}",
            f"/challenges/{cid}/sponsors",
            f"/challenges/{cid}/adoptions",
            f"/challenges/{cid}/judging",
            f"/challenges/{cid}/ranking",
            f"/projects/{project.id}",
        )
    async with await actors.client(rep) as http:
        rep_pages = await fetch(http, f"/challenges/{cid}/sponsor", f"/projects/{project.id}")

    pages = {
        **{f"coach {k}": v for k, v in coach_pages.items()},
        **{f"organiser {k}": v for k, v in organiser_pages.items()},
        **{f"sponsor {k}": v for k, v in rep_pages.items()},
        **{f"judge {k}": v for k, v in judge_pages.items()},
    }
    member = await _one(db, TeamMember)
    assert isinstance(member, TeamMember) and member.first_name == tagged(payload, "first")
    assert_escaped(
        pages,
        payload,
        [
            "team",
            "school",
            "town",
            "first",
            "last",
            "p-title",
            "p-summary",
            "p-description",
            "sponsor",
            "s-desc",
            "adoption",
            "comment",
        ],
    )


def _doc(**changes: object) -> render.CertificateDocument:
    values: dict[str, object] = {
        "code": "ABCDEFGH2345",
        "kind": CertificateKind.PARTICIPATION,
        "recipient_type": "member",
        "recipient_name": "Giulia Bianchi",
        "subject": "Sensori",
        "team_name": "4B Aqua",
        "challenge_title": "Climathon",
        "timezone": "Europe/Rome",
        "version": 1,
        "issued_at": datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
        "verify_url": "http://testserver/verify/ABCDEFGH2345",
    }
    values.update(changes)
    return render.CertificateDocument(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("kind", list(CertificateKind))
def test_certificate_html_escapes_every_user_text(payload: str, kind: CertificateKind) -> None:
    # tests/certificates/test_render.py covers a name with markup rendered to PDF and the URL
    # fetcher refusing file: and http:; this checks each text field, for each kind's wording.
    doc = _doc(
        kind=kind,
        recipient_name=tagged(payload, "name"),
        subject=tagged(payload, "subject"),
        team_name=tagged(payload, "team"),
        challenge_title=tagged(payload, "challenge"),
    )
    for locale in ("it", "en"):
        html = render.certificate_html(doc, locale=locale)
        assert payload not in html
        for tag in ("name", "subject", "challenge"):
            assert str(escape(tagged(payload, tag))) in html


def test_certificate_email_is_plain_text_with_a_one_line_subject() -> None:
    # The e-mail is text/plain (app/mail.py), so markup in it is inert and shown as typed.
    from app.certificates.models import Certificate
    from app.config import Settings
    from app.mail import build_message

    certificate = Certificate(
        challenge_id=1,
        code="ABCDEFGH2345",
        kind=CertificateKind.PARTICIPATION,
        recipient_key="member:1",
        recipient_name="<script>alert(1)</script>\r\nBcc: victim@example.org",
        subject='"><img src=x onerror=alert(1)>',
    )
    subject, body = render.certificate_email(
        certificate,
        challenge_title="</style><style>body{display:none}",
        recipient="<b>Prof</b>",
        site_url="http://testserver",
        locale="en",
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    message = build_message(settings, to="a@example.org", subject=subject, body=body)

    assert message.get_content_type() == "text/plain"
    assert "\n" not in message["Subject"] and message["Bcc"] is None
    assert "<script>alert(1)</script>" in body and "&lt;" not in body
    assert render_string  # the shared renderer: autoescape is off only inside the .txt template
