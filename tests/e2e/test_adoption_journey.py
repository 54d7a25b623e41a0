"""Issue 9, done when: a company finds an idea, shortlists it, adopts it against a competing
offer, the class accepts, both sides log the promised mentoring and internships over months,
the organiser sees who kept their promises, and the students and the company receive
certificates that say so. Each person in their own browser, through the pages only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from app import i18n
from tests.e2e import journey
from tests.e2e.browser import (
    OpenPage,
    assert_accessible,
    field,
    register,
    submit,
    t,
    unique_email,
    visit,
)
from tests.e2e.conftest import RegisterOrganiser
from tests.e2e.journey import Member, checkpoint, follow
from tests.e2e.test_editions import invitation_link

pytestmark = pytest.mark.e2e

CERTIFICATE_WAIT_SECONDS = 60
WINDOWS = {
    **journey.OPEN_FOR_TEAMS,
    "adoption": (timedelta(days=-1), timedelta(days=30)),
}


def test_a_company_adopts_an_idea_keeps_its_promises_and_everyone_gets_certificates(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"Climathon Lombardia {tag}"
    company_a, company_b = f"Acque Chiare {tag} S.r.l.", f"Ferrovie Verdi {tag} S.p.A."
    idea = f"Orti che raccolgono la pioggia {tag}"
    organiser, coach = open_page(), open_page(phone=True)
    rep_a, rep_b = open_page(), open_page()
    emails = {who: unique_email(who) for who in ("org", "coach", "rep-a", "rep-b")}
    register_organiser(organiser, name="Olga Organizzatrice", email=emails["org"])
    register(coach, name="Maria Bianchi", email=emails["coach"])

    # The organiser: a challenge with an adoption window, in a programme, with two sponsors.
    challenge_id = journey.create_challenge(organiser, title=title, tracks=["Acqua", "Mobilità"])
    journey.set_phases(organiser, challenge_id, WINDOWS)
    journey.publish_challenge(organiser, challenge_id)
    programme_id = _programme_with(organiser, name=f"Scuole e imprese {tag}", title=title)
    _invite_company(organiser, challenge_id, company=company_a, email=emails["rep-a"])
    _invite_company(organiser, challenge_id, company=company_b, email=emails["rep-b"])

    # 1. Each representative opens the e-mailed link, signs up and completes the profile.
    _accept_invitation(rep_a, emails["rep-a"], name="Roberta Referente", challenge_id=challenge_id)
    _complete_profile(rep_a, company_a, sector="Servizio idrico", town="Mantova")
    _accept_invitation(rep_b, emails["rep-b"], name="Bruno Binari", challenge_id=challenge_id)
    _complete_profile(rep_b, company_b, sector="Trasporti", town="Cremona")

    # Two classes hand in their ideas, in different tracks, schools and towns.
    adopted_team = journey.register_team(
        coach,
        challenge_title=title,
        team=f"4B Aqua {tag}",
        track="Acqua",
        members=[Member("Luca", "Rossi", minor=True), Member("Anna", "Verdi", minor=False)],
    )
    journey.write_and_submit_project(coach, adopted_team, title=idea, pdf_name="orti.pdf")
    other_team = journey.register_team(
        coach,
        challenge_title=title,
        team=f"5A Bici {tag}",
        track="Mobilità",
        members=[Member("Sara", "Neri", minor=False)],
        school="Liceo Vida",
        town="Cremona",
    )
    journey.write_and_submit_project(
        coach, other_team, title=f"Bici condivise {tag}", pdf_name="bici.pdf"
    )

    # 2. Company A searches the ideas and shortlists one with a private note.
    _find_and_shortlist(rep_a, challenge_id, idea=idea, note="Da proporre al laboratorio analisi")
    # Company B makes a competing offer on the same project (one godmother per project).
    _offer_from_discovery(rep_b, challenge_id, idea=idea, hours=5)

    # 3. Company A offers from its shortlist, then amends the offer once.
    _offer_from_shortlist(rep_a, challenge_id, idea=idea)
    _amend_funding(rep_a, idea=idea, funding="800")

    # 4. The coach, on a phone, sees what changed and accepts A's offer with a reply.
    adoption_id = _accept_with_reply(coach, adopted_team, company=company_a)
    _told_why_declined(rep_b, challenge_id, idea=idea)
    why = t(
        "The team %(team)s accepted another company's offer for the project %(project)s in "
        "%(challenge)s. The challenge allows one godmother company per project, so the offer "
        "of %(sponsor)s was declined automatically.",
        team=f"4B Aqua {tag}",
        project=idea,
        challenge=title,
        sponsor=company_b,
    )
    _mailed(rep_b, emails["rep-b"], why)

    # 5. Both sides log milestones over the past months; each side confirms the other's.
    today = date.today()
    steps = [
        (rep_a, coach, "Kick-off meeting", today - timedelta(days=120), None, None),
        (rep_a, coach, "Mentoring session", today - timedelta(days=100), "4", None),
        (coach, rep_a, "Mentoring session", today - timedelta(days=70), "6", None),
        (coach, rep_a, "Internship started", today - timedelta(days=45), None, None),
        (coach, rep_a, "Internship started", today - timedelta(days=44), None, None),
        (rep_a, coach, "Funding paid", today - timedelta(days=30), None, "800"),
        (rep_a, coach, "Internship ended", today - timedelta(days=10), None, None),
    ]
    for number, (proposer, confirmer, kind, when, hours, amount) in enumerate(steps, 1):
        _record_milestone(proposer, adoption_id, kind=kind, when=when, hours=hours, amount=amount)
        _confirm_milestone(confirmer, adoption_id, confirmed=number)
    progress = _card(rep_a, t("Progress"))
    expect(progress).to_contain_text(
        t("%(done)d of %(promised)d mentoring hours", done=10, promised=10)
    )
    expect(progress).to_contain_text(
        t("%(done)d of %(promised)d internships started", done=2, promised=2)
    )
    assert_accessible(rep_a)

    # 6. Closed as completed; the organiser's programme report shows who kept their promises.
    field(rep_a, "Outcome").select_option(label=t("Completed: the promises were kept"))
    submit(rep_a, t("Close the adoption"))
    expect(rep_a.get_by_text(t("Adoption completed")).first).to_be_visible()
    checkpoint(rep_a, "company closes the adoption as completed")
    _programme_report(organiser, challenge_id, programme_id, company=company_a, idea=idea)

    # 7. Certificates for the students (through their coach) and for the company.
    students = _certificates(coach, adoption_id, expected=4)  # 2 students x 2 kinds
    done = t(
        "is a member of the team whose project, in %(challenge)s, was adopted "
        "by a godmother company and followed through to completion",
        challenge=title,
    )
    for name in ("Luca Rossi", "Anna Verdi"):
        texts = [text for text in students if name in text]
        assert len(texts) == 2, students
        assert any(company_a in text and idea in text for text in texts)
        assert any(_squeeze(done) in _squeeze(text) for text in texts), texts
    ours = _certificates(rep_a, adoption_id, expected=2)
    assert all(company_a in text and idea in text for text in ours)
    kept = t(
        "as a godmother company in %(challenge)s, has kept its commitments "
        "to the students of the project",
        challenge=title,
    )
    assert any(_squeeze(kept) in _squeeze(text) for text in ours), ours


# -- organiser ---------------------------------------------------------------------------


def _programme_with(page: Page, *, name: str, title: str) -> int:
    visit(page, "/programmes")
    page.get_by_role("link", name=t("Create a programme"), exact=True).first.click()
    field(page, "Name").fill(name)
    submit(page, t("Create"))
    programme_id = journey.id_from_url(page, "programmes")
    field(page, "Challenge").select_option(label=title)
    field(page, "Stage number").fill("1")
    submit(page, t("Add the stage"))
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    return programme_id


def _invite_company(page: Page, challenge_id: int, *, company: str, email: str) -> None:
    """Add the company, then invite its representative, who has no account yet."""
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Sponsors")
    field(page, "Company name").fill(company)
    submit(page, t("Add sponsor"))
    expect(page.get_by_role("heading", name=company, exact=True)).to_be_visible()
    follow(page, "No account yet? Invite them by e-mail as the sponsor's representative")
    page.get_by_label(t("Role")).select_option(label=t("Sponsor representative"))
    field(page, "Sponsor (for sponsor representatives)").select_option(label=company)
    field(page, "E-mail addresses, one a line").fill(email)
    submit(page, t("Send the invitations"))
    expect(page.get_by_role("status")).to_contain_text(t("Invitations sent: %(n)s.", n=1))
    checkpoint(page, f"organiser invites the representative of {company}")


def _programme_report(
    page: Page, challenge_id: int, programme_id: int, *, company: str, idea: str
) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Adoptions")
    follow(page, "Adoptions of the programme")
    expect(page).to_have_url(re.compile(rf"/programmes/{programme_id}/adoptions$"))
    row = page.get_by_role("row").filter(has_text=idea)
    expect(row).to_contain_text(company)
    expect(row).to_contain_text(t("Adoption completed"))
    cells = row.get_by_role("cell")
    expect(cells.nth(4)).to_have_text("10/10")  # mentoring hours, done/promised
    expect(cells.nth(5)).to_have_text("2/2")  # internships
    expect(cells.nth(6)).to_have_text("800/800")  # funding
    chart = page.get_by_role("table").filter(has_text=company).first
    expect(chart.get_by_role("row").filter(has_text=company).first).to_contain_text("10/10")
    checkpoint(page, "organiser sees who kept their promises")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download as CSV"), exact=True).click()
    path = download.value.path()
    assert path is not None
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    ours = [line for line in rows if company in line]
    assert len(ours) == 1, rows
    assert idea in ours[0] and "10" in ours[0], ours


# -- company -----------------------------------------------------------------------------


def _accept_invitation(page: Page, email: str, *, name: str, challenge_id: int) -> None:
    page.goto(invitation_link(page, email))
    expect(field(page, "E-mail")).to_have_value(email)
    field(page, "Full name").fill(name)
    field(page, "Password").fill("una password lunga abbastanza")
    submit(page, t("Create the account and accept"))
    expect(page).to_have_url(re.compile(rf"/challenges/{challenge_id}$"))
    expect(page.get_by_role("link", name=t("Sponsor dashboard"), exact=True)).to_be_visible()


def _complete_profile(page: Page, company: str, *, sector: str, town: str) -> None:
    visit(page, "/")
    follow(page, "Your companies' adoptions")
    page.get_by_role("link", name=company, exact=True).click()
    follow(page, "Edit the profile")
    field(page, "Sector").fill(sector)
    field(page, "Town").fill(town)
    field(page, "What it usually offers").fill("Ore di mentoring e tirocini estivi.")
    submit(page, t("Save"))
    expect(page.get_by_text(f"{sector} · {town}")).to_be_visible()
    checkpoint(page, f"{company} completes its profile")


def _discover(page: Page, challenge_id: int) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Sponsor dashboard")
    follow(page, "Find ideas")


def _idea_card(page: Page, idea: str) -> Locator:
    return page.get_by_role("article").filter(has=page.get_by_role("heading", name=idea))


def _find_and_shortlist(page: Page, challenge_id: int, *, idea: str, note: str) -> None:
    _discover(page, challenge_id)
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*2\b"))
    field(page, "Track").select_option(label="Acqua")
    field(page, "School or institution").select_option(label="ITIS Fermi, Mantova")
    field(page, "Town").select_option(label="Mantova")
    field(page, "Adopted").select_option(label=t("Not adopted yet"))
    with page.expect_navigation():
        page.get_by_role("button", name=t("Search"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*1\b"))
    expect(_idea_card(page, idea)).to_be_visible()
    checkpoint(page, "company A finds the idea with the filters")
    assert_accessible(page)

    submit(page, t("Add to the shortlist"))
    expect(_idea_card(page, idea)).to_contain_text(t("On your shortlist"))
    follow(page, "Shortlist")
    field(page, "New note").fill(note)
    submit(page, t("Add the note"))
    expect(_idea_card(page, idea).locator("blockquote")).to_have_text(note)
    checkpoint(page, "company A notes why on its shortlist")
    assert_accessible(page)


def _offer_from_discovery(page: Page, challenge_id: int, *, idea: str, hours: int) -> None:
    _discover(page, challenge_id)
    _idea_card(page, idea).get_by_role("link", name=t("Make an offer")).click()
    field(page, "Hours of mentoring").fill(str(hours))
    field(page, "Message to the team").fill("Vi offriamo qualche ora con i nostri tecnici.")
    submit(page, t("Send the offer"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sponsor dashboard"))


def _offer_from_shortlist(page: Page, challenge_id: int, *, idea: str) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Sponsor dashboard")
    follow(page, "Shortlist")
    _idea_card(page, idea).get_by_role("link", name=t("Make an offer")).click()
    today = date.today()
    field(page, "Hours of mentoring").fill("10")
    field(page, "Internship places").fill("2")
    field(page, "Internships from").fill((today - timedelta(days=45)).isoformat())
    field(page, "Internships until").fill((today - timedelta(days=10)).isoformat())
    field(page, "Funding in euro").fill("500")
    field(page, "Contact person at the company").fill("Ing. Paola Neri")
    field(page, "Message to the team").fill("Il nostro laboratorio analisi vi aspetta.")
    checkpoint(page, "company A fills its offer")
    assert_accessible(page)
    submit(page, t("Send the offer"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sponsor dashboard"))


def _amend_funding(page: Page, *, idea: str, funding: str) -> None:
    row = page.get_by_role("row").filter(has_text=idea)
    row.get_by_role("link", name=t("Amend"), exact=True).click()
    expect(field(page, "Hours of mentoring")).to_have_value("10")
    field(page, "Funding in euro").fill(funding)
    submit(page, t("Save the new version"))
    expect(page.get_by_text(t("version %(num)d", num=2)).first).to_be_visible()


def _told_why_declined(page: Page, challenge_id: int, *, idea: str) -> None:
    visit(page, f"/challenges/{challenge_id}")
    follow(page, "Sponsor dashboard")
    row = page.get_by_role("row").filter(has_text=idea)
    expect(row).to_contain_text(t("Offer declined"))
    expect(row).to_contain_text(
        t(
            "Declined automatically: the team accepted another company's offer, "
            "and in this challenge a project has one godmother only."
        )
    )
    checkpoint(page, "company B is told why its offer was declined")


def _mailed(page: Page, email: str, text: str) -> None:
    """An e-mail to `email` saying `text` reached the development mailbox."""
    deadline = time.monotonic() + 30
    while True:
        visit(page, "/dev/mail")
        cards = page.locator("section.card", has_text=email)
        if any(_squeeze(text) in _squeeze(body) for body in cards.all_inner_texts()):
            return
        assert time.monotonic() < deadline, f"no e-mail to {email} saying: {text}"
        page.wait_for_timeout(300)


# -- the class ---------------------------------------------------------------------------


def _accept_with_reply(page: Page, team_id: int, *, company: str) -> int:
    visit(page, f"/teams/{team_id}")
    follow(page, "Adoption offers")
    offer = page.get_by_role("article").filter(has=page.get_by_role("heading", name=company))
    checkpoint(page, "the class sees two offers")
    offer.get_by_role("link", name=t("Amended: see what changed (version %(num)d)", num=2)).click()
    adoption_id = journey.id_from_url(page, "adoptions")
    changes = _card(page, t("What the last amendment changed"))
    funding = changes.get_by_role("row").filter(has_text=t("Funding in euro"))
    expect(funding).to_contain_text("500")
    expect(funding).to_contain_text("800")
    checkpoint(page, "the class sees what the amendment changed")
    assert_accessible(page)
    submit(page, t("Accept the offer"))
    expect(page.get_by_text(t("Offer accepted")).first).to_be_visible()
    field(page, "Message to the company").fill("Grazie! Ci vediamo al laboratorio.")
    submit(page, t("Send the answer"))
    answer = _card(page, t("The team's answer"))
    expect(answer).to_contain_text("Grazie! Ci vediamo al laboratorio.")
    checkpoint(page, "the class accepts with a reply")
    return adoption_id


# -- follow-up (either side) -------------------------------------------------------------


def _record_milestone(
    page: Page,
    adoption_id: int,
    *,
    kind: str,
    when: date,
    hours: str | None,
    amount: str | None,
) -> None:
    _follow_up(page, adoption_id)
    field(page, "What happened").select_option(label=t(kind))
    field(page, "When").fill(when.isoformat())
    if hours:
        field(page, "Hours of mentoring").fill(hours)
    if amount:
        field(page, "Amount paid in euro").fill(amount)
    field(page, "Note").fill(f"{t(kind)} del {when.isoformat()}")
    submit(page, t("Record the milestone"))
    expect(page.get_by_text(f"{t(kind)} del {when.isoformat()}")).to_be_visible()


def _confirm_milestone(page: Page, adoption_id: int, *, confirmed: int) -> None:
    _follow_up(page, adoption_id)
    submit(page, t("Confirm"))
    with i18n.use_locale("it"):
        counted = i18n.ngettext(
            "%(num)d milestone confirmed", "%(num)d milestones confirmed", confirmed
        ) % {"num": confirmed}
    expect(_card(page, t("Progress"))).to_contain_text(counted)


def _follow_up(page: Page, adoption_id: int) -> None:
    if page.url.endswith(f"/adoptions/{adoption_id}/follow-up"):
        page.reload()  # what the other side recorded meanwhile
    else:
        visit(page, f"/adoptions/{adoption_id}")
        follow(page, "Follow-up")


# -- certificates ------------------------------------------------------------------------


def _certificates(page: Page, adoption_id: int, *, expected: int) -> list[str]:
    """From the follow-up: wait for the worker's PDFs, download each, verify the last one;
    returns their texts."""
    _follow_up(page, adoption_id)
    follow(page, "Your certificates")
    links = page.get_by_role("link", name=re.compile(rf"^{re.escape(t('Download'))}"))
    deadline = time.monotonic() + CERTIFICATE_WAIT_SECONDS
    while links.count() < expected:
        assert time.monotonic() < deadline, f"only {links.count()} of {expected} certificates"
        time.sleep(0.5)
        page.reload()
    checkpoint(page, "certificates to download")
    assert_accessible(page)
    texts: list[str] = []
    pdfs: list[tuple[str, bytes]] = []
    for number in range(links.count()):
        with page.expect_download() as download:
            links.nth(number).click()
        path = download.value.path()
        assert path is not None
        pdf = Path(path).read_bytes()
        pdfs.append((download.value.suggested_filename, pdf))
        texts.append(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    name, pdf = pdfs[-1]
    code = re.search(r"certificate-([A-Z0-9]+)\.pdf", name)
    assert code, name
    visit(page, "/verify")
    field(page, "Verification code").fill(code.group(1))
    submit(page, t("Verify"))
    expect(page.get_by_role("status")).to_contain_text(
        t("This certificate is genuine: Madrina issued it and it has not been revoked.")
    )
    expect(page.get_by_text(hashlib.sha256(pdf).hexdigest())).to_be_visible()
    return texts


def _card(page: Page, heading: str) -> Locator:
    """A <section class="card"> by its heading."""
    return page.locator("section.card").filter(has=page.get_by_role("heading", name=heading))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
