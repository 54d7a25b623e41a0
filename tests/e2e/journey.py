"""Steps of the Madrina journey, as people do them in the browser, for journey tests.

Each step starts from a page the person knows (the challenge, their team), clicks through
the real pages (links and buttons by their visible names, fields by their labels) and
returns what the next step needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import assert_fits_screen, field, shot, submit, t, tiny_pdf, visit

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> takes


@dataclass
class Member:
    first_name: str
    last_name: str
    minor: bool


def id_from_url(page: Page, prefix: str) -> int:
    match = re.search(rf"/{prefix}/(\d+)", page.url)
    assert match, f"no /{prefix}/<id> in {page.url}"
    return int(match.group(1))


def group(page: Page, name: str) -> Locator:
    """A <fieldset> by its legend."""
    return page.get_by_role("group", name=name, exact=True)


def local_time(delta: timedelta, zone: str = "Europe/Rome") -> str:
    return (datetime.now(ZoneInfo(zone)) + delta).strftime(LOCAL_INPUT)


OPEN_FOR_TEAMS = {
    "registration": (timedelta(days=-1), timedelta(days=7)),
    "submission": (timedelta(days=-1), timedelta(days=14)),
}


def follow(page: Page, link: str) -> None:
    """Click the link with this (translated) name, as a person finds their way."""
    with page.expect_navigation():
        page.get_by_role("link", name=t(link), exact=True).first.click()


def checkpoint(page: Page, name: str) -> None:
    """A screenshot of the step; on a phone, also: the page fits the screen's width."""
    shot(page, name)
    viewport = page.viewport_size
    if viewport is not None and viewport["width"] < 600:
        assert_fits_screen(page)


# -- organiser ---------------------------------------------------------------------------


def open_challenge(page: Page, *, title: str, tracks: list[str]) -> int:
    """A published challenge whose registration and submission are open now."""
    challenge_id = create_challenge(page, title=title, tracks=tracks)
    set_phases(page, challenge_id, OPEN_FOR_TEAMS)
    publish_challenge(page, challenge_id)
    return challenge_id


def create_challenge(page: Page, *, title: str, tracks: list[str]) -> int:
    """From the challenge list: a draft with tracks; returns its id."""
    visit(page, "/challenges")
    page.get_by_role("link", name=t("Create a challenge"), exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Create a challenge"))
    field(page, "Title").fill(title)
    field(page, "Summary").fill("Idee delle scuole per l'acqua, il cibo e la mobilità.")
    field(page, "Description").fill("Una giornata di lavoro in classe, poi le imprese.")
    expect(field(page, "Time zone")).to_have_value("Europe/Rome")
    checkpoint(page, "organiser fills the challenge")
    submit(page, t("Save"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    challenge_id = id_from_url(page, "challenges")

    page.get_by_role("link", name=t("Tracks"), exact=True).click()
    for name in tracks:
        field(page, "Name").fill(name)
        field(page, "Description").fill(f"Sfida sul tema {name.lower()}")
        submit(page, t("Add the track"))
        expect(page.get_by_role("button", name=f"{t('Delete')} {name}")).to_be_visible()
    checkpoint(page, "organiser adds tracks")
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    return challenge_id


def set_phases(
    page: Page, challenge_id: int, windows: dict[str, tuple[timedelta, timedelta]]
) -> None:
    """From the challenge page: phase windows relative to now, in the challenge's zone."""
    visit(page, f"/challenges/{challenge_id}")
    page.get_by_role("link", name=t("Phase dates"), exact=True).click()
    for kind, (opens, closes) in windows.items():
        phase = group(page, t(kind.capitalize()))
        field(phase, "Opens").fill(local_time(opens))
        field(phase, "Closes").fill(local_time(closes))
    checkpoint(page, "organiser sets the phase dates")
    submit(page, t("Save the dates"))
    expect(page).to_have_url(re.compile(rf"/challenges/{challenge_id}$"))


def publish_challenge(page: Page, challenge_id: int) -> None:
    visit(page, f"/challenges/{challenge_id}")
    submit(page, t("Publish"))
    expect(page.get_by_role("button", name=t("Unpublish (back to draft)"))).to_be_visible()
    checkpoint(page, "organiser publishes the challenge")


def add_sponsor(page: Page, challenge_id: int, *, company: str, representative: str) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Sponsors")
    field(page, "Company name").fill(company)
    field(page, "Website").fill("https://www.example.com")
    submit(page, t("Add sponsor"))
    expect(page.get_by_role("heading", name=company, exact=True)).to_be_visible()
    field(page, "Sponsor").select_option(label=company)
    field(page, "E-mail of their account").fill(representative)
    submit(page, t("Link representative"))
    expect(page.get_by_text(representative)).to_be_visible()
    checkpoint(page, "organiser links the sponsor representative")


def set_up_judging(page: Page, challenge_id: int, *, judge_email: str) -> None:
    """A judge, a two-criteria rubric and a round with one judge per project, opened."""
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Judging")
    field(page, "E-mail of the judge's account").fill(judge_email)
    submit(page, t("Add judge"))
    expect(page.get_by_text(judge_email)).to_be_visible()

    field(page, "Name of the rubric").fill("Griglia Climathon")
    for number, (name, weight) in enumerate((("Innovazione", "40"), ("Impatto", "60")), 1):
        criterion = group(page, t("Criterion %(n)s", n=number))
        field(criterion, "Name").fill(name)
        field(criterion, "Weight (%%)").fill(weight)
    submit(page, t("Create the rubric"))
    expect(page.get_by_role("heading", name="Griglia Climathon")).to_be_visible()

    field(page, "Name of the round").fill("Finale")
    field(page, "Rubric").select_option(label="Griglia Climathon")
    field(page, "Judges per project").fill("1")
    submit(page, t("Create the round"))
    submit(page, t("Assign judges"))
    submit(page, t("Open the round"))  # offered once the projects have judges
    expect(page.get_by_text(t("Open for scoring"))).to_be_visible()
    checkpoint(page, "organiser opens the judging round")


def close_judging_and_publish_results(page: Page, challenge_id: int) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Judging")
    submit(page, t("Close the round"))
    page.get_by_role("link", name=t("Rankings and results")).click()
    checkpoint(page, "organiser sees the ranking")
    submit(page, t("Publish the results"))
    expect(page).to_have_url(re.compile(rf"/challenges/{challenge_id}/results$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Results"))
    checkpoint(page, "published results")


# -- teacher (coach) ---------------------------------------------------------------------


def register_team(
    page: Page,
    *,
    challenge_title: str,
    team: str,
    track: str,
    members: list[Member],
    school: str = "ITIS Fermi",
    town: str = "Mantova",
) -> int:
    """From the challenge list: register a team with its members; returns the team id."""
    visit(page, "/challenges")
    page.get_by_role("link", name=challenge_title, exact=True).first.click()
    register = "|".join(re.escape(t(name)) for name in ("Register a team", "Register another team"))
    page.get_by_role("link", name=re.compile(rf"^({register})$")).click()
    field(page, "Team name").fill(team)
    field(page, "Track").select_option(label=track)
    field(page, "Class").fill("4B")
    field(page, "Name of the school or institution").fill(school)
    field(page, "Town").fill(town)
    consent = (datetime.now(ZoneInfo("Europe/Rome")) - timedelta(days=3)).date().isoformat()
    for number, member in enumerate(members, 1):
        row = group(page, t("Member %(n)s", n=number))
        field(row, "First name").fill(member.first_name)
        field(row, "Last name").fill(member.last_name)
        field(row, "Under 18").set_checked(member.minor)
        if member.minor:
            field(row, "Guardian's consent given on").fill(consent)
    checkpoint(page, "teacher fills the team")
    submit(page, t("Register the team"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Team %(name)s", name=team))
    checkpoint(page, "team registered")
    return id_from_url(page, "teams")


def write_and_submit_project(page: Page, team_id: int, *, title: str, pdf_name: str) -> int:
    """From the team page: write the project, upload a PDF and submit; returns its id."""
    visit(page, f"/teams/{team_id}")
    page.get_by_role("link", name=t("Write the project")).click()
    field(page, "Title").fill(title)
    field(page, "Summary").fill("Sensori per raccogliere l'acqua piovana negli orti.")
    field(page, "Description").fill("Il problema, chi aiuta e come funziona.")
    submit(page, t("Save"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    project_id = id_from_url(page, "projects")

    field(page, "Add a file").set_input_files(
        {"name": pdf_name, "mimeType": "application/pdf", "buffer": tiny_pdf(title)}
    )
    submit(page, t("Upload"))
    expect(page.get_by_role("link", name=pdf_name)).to_be_visible()
    checkpoint(page, "teacher uploads the PDF")
    submit(page, t("Submit the project"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Submitted"))
    checkpoint(page, "project submitted")
    return project_id


def answer_offer(page: Page, team_id: int, *, company: str) -> None:
    visit(page, f"/teams/{team_id}")
    follow(page, "Adoption offers")
    offer = page.get_by_role("article").filter(has=page.get_by_role("heading", name=company))
    expect(offer).to_contain_text(t("Waiting for an answer"))
    checkpoint(page, "teacher sees the offer")
    submit(page, t("Accept the offer"))
    expect(offer).to_contain_text(t("Offer accepted"))
    checkpoint(page, "teacher accepted the offer")


# -- sponsor and judge ------------------------------------------------------------------


def make_offer(page: Page, challenge_id: int, *, project_title: str) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Sponsor dashboard")
    project = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=project_title)
    )
    project.get_by_role("link", name=t("Make an offer")).click()
    field(page, "Hours of mentoring").fill("10")
    field(page, "Internship places").fill("2")
    field(page, "Message to the team").fill("Vi seguiamo volentieri.")
    checkpoint(page, "sponsor fills the offer")
    submit(page, t("Send the offer"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sponsor dashboard"))
    expect(page.get_by_role("cell", name=re.compile(re.escape(project_title)))).to_be_visible()
    checkpoint(page, "sponsor made the offer")


def score(page: Page, challenge_id: int, *, project_title: str, scores: dict[str, int]) -> None:
    """From the challenge: the judge's assignments, the project's sheet, a score each."""
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Your assignments")
    page.get_by_role("link", name=project_title).click()
    for criterion, value in scores.items():
        choice = page.get_by_role("group", name=re.compile(rf"^{re.escape(criterion)}\b"))
        radio = choice.get_by_role("radio", name=str(value), exact=True)
        radio.tap()
        expect(radio).to_be_checked()
    checkpoint(page, "judge picks the scores")
    submit(page, t("Save scores"))
    expect(page.get_by_role("status")).to_have_text(t("Scores saved."))
    checkpoint(page, "judge saved the scores")
