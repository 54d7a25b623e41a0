"""An organiser moves a public challenge's dates with a reason, then makes next year's
edition from it, as a new user would in a real browser."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import journey
from tests.e2e.browser import OpenPage, assert_accessible, field, submit, t, unique_email, visit
from tests.e2e.conftest import RegisterOrganiser

pytestmark = pytest.mark.e2e


def test_organiser_moves_dates_with_a_reason_then_makes_next_years_edition(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    organiser = open_page()
    title = f"Climathon Brescia 2026 {uuid.uuid4().hex[:6]}"
    register_organiser(organiser, name="Olga Organizzatrice", email=unique_email("editions"))
    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua", "Cibo"])

    # The challenge is public: new dates need a reason, and the form says so.
    visit(organiser, f"/challenges/{challenge_id}")
    organiser.get_by_role("link", name=t("Phase dates"), exact=True).click()
    submission = journey.group(organiser, t("Submission"))
    field(submission, "Closes").fill(journey.local_time(timedelta(days=9)))
    submit(organiser, t("Save the dates"))
    expect(
        organiser.get_by_text(
            t("Please say why the dates change: it is shown to the people concerned.")
        )
    ).to_be_visible()
    field(organiser, "Why the dates change").fill("Le scuole chiudono per le elezioni.")
    submit(organiser, t("Save the dates"))
    expect(organiser).to_have_url(re.compile(rf"/challenges/{challenge_id}$"))

    # Next year's edition: the title's year moves on by itself.
    organiser.get_by_role("link", name=t("Next year's edition"), exact=True).click()
    expect(field(organiser, "Title of the new edition")).to_have_value(
        title.replace("2026", "2027")
    )
    assert_accessible(organiser)
    submit(organiser, t("Make the new edition"))
    expect(organiser.get_by_role("heading", level=1)).to_contain_text(title.replace("2026", "2027"))
    expect(organiser.get_by_role("link", name=t("The previous edition"))).to_be_visible()
    tracks = organiser.get_by_role("region", name=t("Tracks"))
    expect(tracks.get_by_role("listitem")).to_have_count(2)
    journey.checkpoint(organiser, "organiser makes next year's edition")


def invitation_link(page: Page, email: str) -> str:
    """The invitation link the worker delivered to `email`, read from /dev/mail."""
    for _attempt in range(50):
        page.goto("/dev/mail")
        found = page.locator("section.card", has_text=email).locator("a[href*='/invitations/']")
        if found.count():
            return str(found.first.get_attribute("href"))
        page.wait_for_timeout(200)
    raise AssertionError(f"no invitation e-mail for {email} in /dev/mail")


def test_organiser_invites_a_judge_who_accepts_on_a_phone(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    organiser, judge = open_page(), open_page(phone=True)
    judge_email = unique_email("judge")
    register_organiser(organiser, name="Olga Organizzatrice", email=unique_email("inviter"))
    title = f"Climathon Cremona {uuid.uuid4().hex[:6]}"
    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua"])

    # A pasted list with a line that is not an address: the good one is invited, the bad
    # one reported by its line.
    visit(organiser, f"/challenges/{challenge_id}")
    organiser.get_by_role("link", name=t("Invitations"), exact=True).click()
    organiser.get_by_label(t("Role")).select_option(label=t("Judge"))
    field(organiser, "E-mail addresses, one a line").fill(f"{judge_email}\nnon-un-indirizzo")
    submit(organiser, t("Send the invitations"))
    report = organiser.get_by_role(
        "region", name=t("Invited: %(n)s. Not invited: %(m)s.", n=1, m=1)
    )
    expect(report).to_contain_text("non-un-indirizzo")
    assert_accessible(organiser)

    # The judge opens the e-mailed link, makes an account and lands on the challenge.
    judge.goto(invitation_link(judge, judge_email))
    expect(field(judge, "E-mail")).to_have_value(judge_email)
    field(judge, "Full name").fill("Giorgio Giudice")
    field(judge, "Password").fill("una password lunga abbastanza")
    submit(judge, t("Create the account and accept"))
    expect(judge).to_have_url(re.compile(rf"/challenges/{challenge_id}$"))
    journey.checkpoint(judge, "judge accepts the invitation")
    visit(organiser, f"/challenges/{challenge_id}/invitations")
    expect(organiser.get_by_role("table").last).to_contain_text(t("Accepted"))
