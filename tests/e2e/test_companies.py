"""A company is one organisation across challenges: an organiser adds it to one challenge
and joins it to another by searching its name; its representative, on a phone, sees both
challenges on one dashboard and completes the company's public profile."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e import journey
from tests.e2e.browser import (
    OpenPage,
    assert_fits_screen,
    field,
    register,
    submit,
    t,
    unique_email,
    visit,
)
from tests.e2e.conftest import RegisterOrganiser

pytestmark = pytest.mark.e2e


def test_one_company_in_two_challenges_with_one_dashboard_on_a_phone(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    organiser, rep = open_page(), open_page(phone=True)
    tag = uuid.uuid4().hex[:6]
    company = f"Acque del Garda {tag} S.p.A."
    rep_email = unique_email("impresa")
    register_organiser(organiser, name="Olga Organizzatrice", email=unique_email("org"))
    register(rep, name="Roberta Referente", email=rep_email)
    first = journey.open_challenge(organiser, title=f"Climathon Garda {tag}", tracks=["Acqua"])
    journey.add_sponsor(organiser, first, company=company, representative=rep_email)

    # Next challenge: the organiser finds the company by name and joins it.
    second = journey.open_challenge(organiser, title=f"Hackathon Garda {tag}", tracks=["Cibo"])
    visit(organiser, f"/challenges/{second}/sponsors")
    organiser.get_by_role("link", name=t("Join an existing organisation"), exact=True).click()
    field(organiser, "Company name").fill(tag)
    organiser.get_by_role("button", name=t("Search"), exact=True).click()
    submit(organiser, t("Join it to this challenge"))
    expect(organiser.get_by_role("link", name=company, exact=True)).to_be_visible()
    journey.checkpoint(organiser, "organiser joins the company to a second challenge")

    # The representative acts for the company in both, from one dashboard on a phone.
    visit(rep, "/sponsor")
    expect(rep.get_by_role("heading", level=1)).to_have_text(t("Your companies' adoptions"))
    expect(rep.get_by_role("link", name=f"Climathon Garda {tag}")).to_be_visible()
    expect(rep.get_by_role("link", name=f"Hackathon Garda {tag}")).to_be_visible()
    assert_fits_screen(rep)
    rep.get_by_role("link", name=company, exact=True).click()
    rep.get_by_role("link", name=t("Edit the profile"), exact=True).click()
    field(rep, "Sector").fill("Servizio idrico")
    field(rep, "Town").fill("Desenzano")
    field(rep, "What it usually offers").fill(
        "Tirocini nel laboratorio analisi, 10 ore di mentoring."
    )
    submit(rep, t("Save"))
    expect(rep).to_have_url(re.compile(r"/companies/\d+$"))
    expect(rep.get_by_text("Servizio idrico · Desenzano")).to_be_visible()
    assert_fits_screen(rep)
    journey.checkpoint(rep, "the representative completes the company's profile")
