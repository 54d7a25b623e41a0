"""The whole journey of a challenge, by its people, each in their own browser.

An organiser creates a challenge with tracks and phases; a teacher registers a team on a
phone and hands in a project with a PDF; a sponsor adopts it; a judge scores it on a
phone; the organiser publishes the results; the certificate is downloaded and verified.
"""

from __future__ import annotations

import hashlib
import re
import time
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

CERTIFICATE_WAIT_SECONDS = 60


def test_challenge_journey_from_creation_to_verified_certificate(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"Climathon Mantova {tag}"
    team, project = f"4B Aqua {tag}", f"Sensori per l'acqua piovana {tag}"
    organiser, teacher = open_page(), open_page(phone=True)
    sponsor, judge = open_page(), open_page(phone=True)
    emails = {name: unique_email(name) for name in ("organiser", "teacher", "sponsor", "judge")}
    register_organiser(organiser, name="Olga Organizzatrice", email=emails["organiser"])
    register(teacher, name="Maria Bianchi", email=emails["teacher"])
    register(sponsor, name="Sara Sponsor", email=emails["sponsor"])
    register(judge, name="Giorgio Giudice", email=emails["judge"])

    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua", "Mobilità"])

    team_id = journey.register_team(
        teacher,
        challenge_title=title,
        team=team,
        track="Acqua",
        members=[Member("Luca", "Rossi", minor=True), Member("Anna", "Verdi", minor=False)],
    )
    journey.write_and_submit_project(teacher, team_id, title=project, pdf_name="idea-4b.pdf")

    journey.add_sponsor(
        organiser, challenge_id, company="Acme S.p.A.", representative=emails["sponsor"]
    )
    checked_in_italian: list[tuple[Page, str]] = []
    journey.make_offer(sponsor, challenge_id, project_title=project)
    assert_accessible(sponsor)
    checked_in_italian.append((sponsor, sponsor.url))
    journey.answer_offer(teacher, team_id, company="Acme S.p.A.")
    assert_accessible(teacher)
    checked_in_italian.append((teacher, teacher.url))

    journey.set_up_judging(organiser, challenge_id, judge_email=emails["judge"])
    journey.score(
        judge, challenge_id, project_title=project, scores={"Innovazione": 4, "Impatto": 5}
    )
    assert_accessible(judge)
    checked_in_italian.append((judge, judge.url))

    journey.close_judging_and_publish_results(organiser, challenge_id)
    podium = organiser.get_by_role("listitem").filter(has_text=project).first
    expect(podium).to_contain_text(team)
    expect(podium).to_contain_text("4,6")  # 4 x 40% + 5 x 60%, in Italian
    assert_accessible(organiser)
    checked_in_italian.append((organiser, organiser.url))

    code = _certificate_downloads_and_verifies(teacher, challenge_id)

    _organiser_revokes(organiser, challenge_id, code, reason="Nome scritto male")
    visit(teacher, f"/verify/{code}")
    expect(teacher.get_by_role("status")).to_contain_text(
        t("This certificate was revoked and is no longer valid.")
    )
    expect(teacher.get_by_text("Nome scritto male")).to_be_visible()
    expect(teacher.get_by_role("link", name=t("Download the PDF"))).to_have_count(0)
    shot(teacher, "revoked certificate")

    # The same pages in English, and the challenge page with its gallery in both languages.
    visit(teacher, f"/challenges/{challenge_id}")
    assert_accessible(teacher)
    checked_in_italian.append((teacher, teacher.url))
    for person, url in checked_in_italian:
        visit(person, url + ("&" if "?" in url else "?") + "lang=en")
        expect(person.locator("html")).to_have_attribute("lang", "en")
        assert_accessible(person)
        shot(person, f"in English: {url.split('://', 1)[-1].split('/', 1)[-1]}")


def _certificate_downloads_and_verifies(page: Page, challenge_id: int) -> str:
    """The coach downloads a certificate and checks it by its code; returns the code."""
    visit(page, f"/challenges/{challenge_id}")
    journey.follow(page, "Your certificates")
    download_link = page.get_by_role("link", name=re.compile(rf"^{re.escape(t('Download'))}"))
    deadline = time.monotonic() + CERTIFICATE_WAIT_SECONDS
    while download_link.count() == 0:  # the worker renders the PDFs after publication
        assert time.monotonic() < deadline, "no certificate was issued in time"
        time.sleep(1)
        page.reload()
    shot(page, "teacher sees the certificates")
    assert_accessible(page)

    with page.expect_download() as download:
        download_link.first.click()
    path = download.value.path()
    assert path is not None
    pdf = Path(path).read_bytes()
    assert pdf.startswith(b"%PDF-")
    code = re.search(r"certificate-([A-Z0-9]+)\.pdf", download.value.suggested_filename)
    assert code, download.value.suggested_filename

    visit(page, "/verify")
    field(page, "Verification code").fill(code.group(1).lower())
    submit(page, t("Verify"))
    expect(page).to_have_url(re.compile(rf"/verify/{code.group(1)}$"))
    expect(page.get_by_role("status")).to_contain_text(
        t("This certificate is genuine: Madrina issued it and it has not been revoked.")
    )
    expect(page.get_by_text(hashlib.sha256(pdf).hexdigest())).to_be_visible()
    shot(page, "certificate verified")
    assert_accessible(page)
    return code.group(1)


def _organiser_revokes(page: Page, challenge_id: int, code: str, *, reason: str) -> None:
    visit(page, f"/challenges/{challenge_id}")
    journey.follow(page, "Certificates")
    display = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    row = page.get_by_role("row").filter(has_text=display)
    row.get_by_role("link").first.click()
    field(page, "Reason").fill(reason)
    shot(page, "organiser revokes a certificate")
    submit(page, t("Revoke this certificate"))
    expect(page.get_by_text(reason)).to_be_visible()
