"""An organiser sets up a challenge; a teacher registers a team on a phone and hands in a PDF."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import journey
from tests.e2e.browser import (
    OpenPage,
    assert_accessible,
    field,
    register,
    shot,
    submit,
    t,
    unique_email,
    visit,
)
from tests.e2e.conftest import RegisterOrganiser
from tests.e2e.journey import Member

pytestmark = pytest.mark.e2e


def test_organiser_creates_a_challenge_with_tracks_and_phases(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    organiser, visitor = open_page(), open_page(phone=True, locale="en")
    title = f"Climathon Mantova {uuid.uuid4().hex[:6]}"
    register_organiser(organiser, name="Olga Organizzatrice", email=unique_email("organiser"))

    challenge_id = journey.create_challenge(organiser, title=title, tracks=["Acqua", "Cibo"])
    assert visit(visitor, f"/challenges/{challenge_id}") == 404  # a draft is not public yet
    journey.set_phases(organiser, challenge_id, journey.OPEN_FOR_TEAMS)
    journey.publish_challenge(organiser, challenge_id)

    phases = organiser.get_by_role("table")
    expect(phases.get_by_role("row")).to_have_count(3)  # header, registration, submission
    expect(phases.get_by_role("rowheader", name=t("Registration"))).to_be_visible()
    expect(phases.locator("tr[aria-current=true]")).to_contain_text(t("Now"))
    tracks = organiser.get_by_role("region", name=t("Tracks"))
    expect(tracks.get_by_role("listitem")).to_have_count(2)
    assert_accessible(organiser)

    visit(visitor, "/challenges")
    visitor.get_by_role("link", name=title, exact=True).first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_role("link", name=t("Log in to register a team", "en"))).to_be_visible()
    shot(visitor, "visitor sees the published challenge")
    assert_accessible(visitor)


def test_challenge_form_with_bad_input_shows_errors_next_to_fields(
    page: Page, register_organiser: RegisterOrganiser
) -> None:
    register_organiser(page, name="Olga Organizzatrice", email=unique_email("organiser"))
    visit(page, "/challenges/new")
    field(page, "Summary").fill("Senza titolo")
    field(page, "Time zone").fill("Mars/Olympus")

    assert submit(page, t("Save")) == 422

    for name in ("title", "timezone"):
        expect(page.locator(f"#f-{name}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#e-{name}")).to_be_visible()
    expect(field(page, "Summary")).to_have_value("Senza titolo")
    shot(page, "challenge form errors")
    assert_accessible(page)


def test_teacher_registers_a_team_on_a_phone_and_hands_in_a_pdf(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    organiser, teacher, visitor = open_page(), open_page(phone=True), open_page(locale="en")
    tag = uuid.uuid4().hex[:6]
    title, team, project = f"Climathon {tag}", f"4B Aqua {tag}", f"Acqua piovana {tag}"
    register_organiser(organiser, name="Olga Organizzatrice", email=unique_email("organiser"))
    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua", "Cibo"])
    register(teacher, name="Maria Bianchi", email=unique_email("teacher"))

    team_id = journey.register_team(
        teacher,
        challenge_title=title,
        team=team,
        track="Acqua",
        members=[Member("Luca", "Rossi", minor=True), Member("Anna", "Verdi", minor=False)],
    )
    members = teacher.get_by_role("region", name=t("Members")).get_by_role("row")
    expect(members).to_have_count(3)
    assert_accessible(teacher)
    project_id = journey.write_and_submit_project(
        teacher, team_id, title=project, pdf_name="idea-4b.pdf"
    )
    assert_accessible(teacher)

    visit(visitor, f"/challenges/{challenge_id}")
    gallery = visitor.get_by_role("region", name=t("Submitted projects", "en"))
    gallery.get_by_role("link", name=project).click()
    expect(visitor).to_have_url(re.compile(rf"/projects/{project_id}$"))
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="idea-4b.pdf").click()
    path = download.value.path()
    assert path is not None
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    shot(visitor, "visitor opens the submitted project")
    assert_accessible(visitor)


def test_team_form_refuses_a_minor_without_consent_next_to_the_field(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    organiser, teacher = open_page(), open_page(phone=True)
    title = f"Climathon {uuid.uuid4().hex[:6]}"
    register_organiser(organiser, name="Olga Organizzatrice", email=unique_email("organiser"))
    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua"])
    register(teacher, name="Maria Bianchi", email=unique_email("teacher"))
    visit(teacher, f"/challenges/{challenge_id}/teams/new")
    field(teacher, "Team name").fill("4C Senza consenso")
    field(teacher, "Track").select_option(label="Acqua")
    first = journey.group(teacher, t("Member %(n)s", n=1))
    field(first, "First name").fill("Marco")
    field(first, "Last name").fill("Neri")
    field(first, "Under 18").check()

    assert submit(teacher, t("Register the team")) == 422

    consent = teacher.locator("#f-members-0-consent_on")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(teacher.locator("#e-members-0-consent_on")).to_have_text(
        t("A minor can take part only with a guardian's consent: enter the date it was given.")
    )
    expect(field(teacher, "Team name")).to_have_value("4C Senza consenso")
    expect(field(first, "First name")).to_have_value("Marco")
    shot(teacher, "minor without consent")
    assert_accessible(teacher)
