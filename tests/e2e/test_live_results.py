"""Live results in a real browser: the organiser's page and the big screen change in place
when a judge scores on a phone (web, worker, Redis pub/sub and the event stream, all real)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e import journey
from tests.e2e.browser import OpenPage, assert_accessible, register, shot, t, unique_email
from tests.e2e.conftest import RegisterOrganiser
from tests.e2e.journey import Member

pytestmark = pytest.mark.e2e


def test_live_results_update_in_place_when_a_judge_scores(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    tag = uuid.uuid4().hex[:6]
    title, project = f"Climathon live {tag}", f"Orti sul tetto {tag}"
    organiser, teacher, judge = open_page(), open_page(phone=True), open_page(phone=True)
    emails = {name: unique_email(name) for name in ("organiser", "teacher", "judge")}
    register_organiser(organiser, name="Olga Organizzatrice", email=emails["organiser"])
    register(teacher, name="Maria Bianchi", email=emails["teacher"])
    register(judge, name="Giorgio Giudice", email=emails["judge"])
    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua"])
    team_id = journey.register_team(
        teacher,
        challenge_title=title,
        team=f"4B Tetti {tag}",
        track="Acqua",
        members=[Member("Anna", "Verdi", minor=False)],
    )
    journey.write_and_submit_project(teacher, team_id, title=project, pdf_name="orti.pdf")
    journey.set_up_judging(organiser, challenge_id, judge_email=emails["judge"])

    organiser.get_by_role("link", name=t("Live results")).click()
    total = organiser.locator(".live-total")
    expect(total).to_contain_text(
        t("%(done)s of %(expected)s score sheets submitted", done=0, expected=1)
    )
    expect(organiser.get_by_text(t("Updates as the judges submit."))).to_be_visible()
    screen = organiser.context.new_page()
    screen.goto(re.sub(r"/live$", "/screen?top=3", organiser.url))
    expect(screen.get_by_text(t("Waiting for the judges' scores…"))).to_be_visible()
    organiser.evaluate("window.madrinaStayed = true")  # gone if the page were reloaded

    journey.score(
        judge, challenge_id, project_title=project, scores={"Innovazione": 4, "Impatto": 5}
    )

    expect(total).to_contain_text(
        t("%(done)s of %(expected)s score sheets submitted", done=1, expected=1)
    )
    leader = organiser.locator("table.ranking tbody tr").first
    expect(leader).to_contain_text(project)
    expect(leader).to_contain_text("4,6")  # 4 x 40% + 5 x 60%, in Italian
    assert organiser.evaluate("window.madrinaStayed") is True
    expect(screen.locator(".screen-row").first).to_contain_text(project)
    expect(screen.locator(".screen-score").first).to_have_text("4,6")
    shot(organiser, "live results after the judge scored")
    shot(screen, "presentation view")
    assert_accessible(organiser)
    assert_accessible(screen)
