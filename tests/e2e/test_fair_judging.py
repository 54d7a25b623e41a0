"""Issue 10's "done when", in a real browser, by its people.

An organiser runs a pre-selection with connected, conflict-free panels whose winner comes
from the method they chose (the judge-effect model: one judge is lenient, one harsh, and
the raw mean would crown another project); then an expo final with pairwise judging on
phones (next project, which was better, skip, undo) watched live on the big screen; a
people's vote confirmed through the e-mailed link; published results that the coach of a
losing team reads: their place, how the winner was decided, what a statistical tie is,
and the judges' anonymised comments.

Set-up that is not the point (accounts, teams and their projects) goes through the pages
too, with the journey's helpers. The final is a pairwise round over all submitted
projects: on main a pairwise round judges every submitted project (its shortlist scope is
another change).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import defaultdict
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from app import i18n
from tests.e2e import journey
from tests.e2e.browser import (
    OpenPage,
    assert_accessible,
    field,
    login,
    register,
    shot,
    submit,
    t,
    tiny_pdf,
    unique_email,
    visit,
)
from tests.e2e.conftest import RegisterOrganiser
from tests.e2e.journey import checkpoint, group

pytestmark = pytest.mark.e2e

CRITERION = "Valore"
PRESELECTION, FINAL, VOTE = "Preselezione", "Finale expo", "Premio del pubblico"
QUALITIES = (7, 6, 5, 4, 3)  # the projects' true quality, one each; a judge adds a leniency
LENIENCIES = (-2, -1, 0, 1, 2)
TIES_EXPLAINED = (
    "A score is never exact: with other judges like these it could have been a little higher"
    " or lower. The interval shows that range (it comes from drawing the judges again at"
    " random, many times). When two projects' intervals overlap, they are statistically"
    " tied: the order between them is not certain, and a slightly different jury could have"
    " swapped them."
)
SHARE_COMMENTS = (
    "After the results are published, each team reads the judges' comments on its project,"
    ' anonymised ("Judge 1", "Judge 2")'
)
COMMENT_FOR_TEAM = (
    "Comment (optional; the team reads it, without your name, once the results are published)"
)


def _design(
    panels: dict[str, list[str]], projects: list[str]
) -> tuple[dict[str, int], dict[str, int]] | None:
    """True qualities and judges' leniencies (score = quality + leniency, exactly) under
    which the raw mean crowns another project than the truth: the judge-effect model, which
    fits exactly this, must find the truth. None when the panels allow no such design."""
    judges = sorted({judge for names in panels.values() for judge in names})
    for order in itertools.permutations(projects):
        quality = dict(zip(order, QUALITIES, strict=True))
        for values in itertools.product(LENIENCIES, repeat=len(judges)):
            lenient = dict(zip(judges, values, strict=True))
            raw = {
                p: sum(quality[p] + lenient[j] for j in panels[p]) / len(panels[p])
                for p in projects
            }
            best = max(raw.values())
            leaders = [p for p, value in raw.items() if value == best]
            if len(leaders) == 1 and leaders[0] != order[0] and best - raw[order[0]] >= 1:
                return quality, lenient
    return None


def _score(judge: Page, project: str, value: int, comment: str = "") -> None:
    """From the judge's list on a phone: the project's sheet, a score, maybe a comment."""
    visit(judge, "/judging")
    judge.get_by_role("link", name=project, exact=True).click()
    choice = judge.get_by_role("group", name=re.compile(rf"^{re.escape(CRITERION)}\b"))
    radio = choice.get_by_role("radio", name=str(value), exact=True)
    radio.tap()
    expect(radio).to_be_checked()
    if comment:
        field(judge, COMMENT_FOR_TEAM).fill(comment)
    submit(judge, t("Save scores"))
    expect(judge.get_by_role("status")).to_have_text(t("Scores saved."))


def _round_row(page: Page, name: str) -> Locator:
    return page.locator("ul.rows > li").filter(has=page.get_by_text(name, exact=True))


def test_fair_judging_from_pre_selection_to_results_a_losing_team_understands(
    open_page: OpenPage, register_organiser: RegisterOrganiser
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"Climathon giusto {tag}"
    organiser, teacher = open_page(), open_page(phone=True)
    judges = {name: open_page(phone=True) for name in ("Giulia", "Marco", "Paola", "Luca")}
    emails = {name: unique_email(name.lower()) for name in ["Olga", "Maria", *judges]}
    register_organiser(organiser, name="Olga Organizzatrice", email=emails["Olga"])
    register(teacher, name="Maria Bianchi", email=emails["Maria"])
    for name, judge in judges.items():
        register(judge, name=f"{name} Giudice", email=emails[name])
    challenge_id = journey.open_challenge(organiser, title=title, tracks=["Acqua"])

    # Five teams, registered through the API (set-up, not the point): Giulia, a judge,
    # coaches the first one, a conflict of interest.
    projects: dict[str, str] = {}  # project title -> team name
    tokens = {"Giulia": _api_token(judges["Giulia"]), "Maria": _api_token(teacher)}
    track_id = _api(teacher, tokens["Maria"], "GET", f"/challenges/{challenge_id}")["tracks"][0][
        "id"
    ]
    for number in range(5):
        team, project = f"Squadra {number + 1} {tag}", f"Progetto {number + 1} {tag}"
        _api_team(
            teacher,
            tokens["Giulia" if number == 0 else "Maria"],
            challenge_id,
            track_id,
            team,
            project,
        )
        projects[project] = team
    titles = list(projects)
    conflicted = titles[0]

    # -- 1. Pre-selection: judges, rubric, round, the method chosen on the judging page ----
    visit(organiser, f"/challenges/{challenge_id}")
    journey.follow(organiser, "Judging")
    for name in judges:
        field(organiser, "E-mail of the judge's account").fill(emails[name])
        submit(organiser, t("Add judge"))
    field(organiser, "Name of the rubric").fill("Griglia finale")
    field(organiser, "Highest score").fill("10")
    criterion = group(organiser, t("Criterion %(n)s", n=1))
    field(criterion, "Name").fill(CRITERION)
    field(criterion, "Weight (%%)").fill("100")
    submit(organiser, t("Create the rubric"))
    field(organiser, "Name of the round").fill(PRESELECTION)
    field(organiser, "Rubric").select_option(label="Griglia finale")
    field(organiser, "Judges per project").fill("2")
    organiser.locator("#f-aggregation").select_option(label=t("Raw mean"))
    submit(organiser, t("Create the round"))
    row = _round_row(organiser, PRESELECTION)
    row.get_by_role("link", name=re.compile(rf"^{re.escape(t('Settings'))}")).click()
    organiser.get_by_label(t(SHARE_COMMENTS)).check()
    submit(organiser, t("Save the settings"))
    row = _round_row(organiser, PRESELECTION)
    with organiser.expect_navigation():
        row.get_by_role("button", name=t("Assign judges"), exact=True).click()
    row = _round_row(organiser, PRESELECTION)
    expect(row).to_contain_text(t("Recommended: %(method)s.", method=t("Judge effect")))
    row.get_by_label(t("How the winners are decided")).select_option(label=t("Judge effect"))
    with organiser.expect_navigation():
        row.get_by_role("button", name=t("Use this"), exact=True).click()
    row = _round_row(organiser, PRESELECTION)
    expect(row).to_contain_text(t("Winners decided by: %(method)s", method=t("Judge effect")))
    checkpoint(organiser, "organiser chose the judge-effect model")

    # The allocation: every project has two judges, all judges linked, no conflict.
    row.get_by_role("link", name=t("Who scores what"), exact=True).click()
    expect(
        organiser.get_by_text(
            t("Every project has its judges, and all judges are linked through shared projects.")
        )
    ).to_be_visible()
    coverage = organiser.locator(
        "section.card", has=organiser.get_by_role("heading", name=t("Coverage"))
    )
    for project in titles:
        expect(coverage.get_by_role("row").filter(has_text=project)).to_contain_text(
            t("%(have)s of %(need)s", have=2, need=2)
        )
    panels: dict[str, list[str]] = defaultdict(list)
    table = organiser.locator(
        "section.card", has=organiser.get_by_role("heading", name=t("Assignments"))
    )
    for cells in table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].slice(0, 2).map(c => c.innerText))"
    ):
        project = cells[0].split(" · ")[0].strip()
        panels[project].append(cells[1].strip().split(" ")[0])
    assert sorted(panels) == sorted(titles)
    assert "Giulia" not in panels[conflicted], "a coach judges her own team's project"
    checkpoint(organiser, "connected conflict-free panels")
    design = _design(panels, titles)
    assert design is not None, f"no design separates raw mean and judge effect on {panels}"
    quality, leniency = design
    truth = max(titles, key=lambda p: quality[p])
    loser = min((p for p in titles if p != conflicted), key=lambda p: quality[p])

    visit(organiser, f"/challenges/{challenge_id}/judging")
    with organiser.expect_navigation():
        _round_row(organiser, PRESELECTION).get_by_role(
            "button", name=t("Open the round"), exact=True
        ).click()

    sheets = [(j, p) for p, names in panels.items() for j in names]
    for judge_name, project in sheets:
        comment = "Buona idea, ma manca un piano di prova." if project == loser else ""
        _score(judges[judge_name], project, quality[project] + leniency[judge_name], comment)
    checkpoint(judges[sheets[-1][0]], "judge saved the scores on a phone")

    visit(organiser, f"/challenges/{challenge_id}/judging")
    submit_in_row(organiser, PRESELECTION, t("Close the round"))
    organiser.get_by_role("link", name=t("Rankings and results")).click()
    section = organiser.locator("section.card").filter(
        has=organiser.get_by_role("heading", name=re.compile(re.escape(PRESELECTION)))
    )
    expect(section).to_contain_text(t("Winners decided by: %(method)s", method=t("Judge effect")))
    leader = section.locator("table.ranking tbody tr").first
    expect(leader).to_contain_text(truth)
    expect(leader.locator("td").nth(3)).not_to_contain_text("#1 ")  # the raw mean's is another
    checkpoint(organiser, "ranking by the judge-effect model")

    # -- 2. Expo final (pairwise) and 3. the people's vote ---------------------------------
    visit(organiser, f"/challenges/{challenge_id}/judging")
    field(organiser, "Name of the round").fill(FINAL)
    field(organiser, "Kind of round").select_option(value="pairwise")
    field(organiser, "Rubric").select_option(value="")
    submit(organiser, t("Create the round"))
    submit_in_row(organiser, FINAL, t("Open the round"))
    organiser.get_by_role("link", name=t("New people's choice vote")).click()
    field(organiser, "Name of the vote").fill(VOTE)
    submit(organiser, t("Create the vote"))
    submit_in_row(organiser, VOTE, t("Open the vote"))

    # -- 4. The big screen, live while a judge walks the expo on a phone -------------------
    with organiser.expect_navigation():
        _round_row(organiser, FINAL).get_by_role("link", name=t("Live results")).click()
    screen = organiser.context.new_page()
    screen.goto(organiser.url)
    with screen.expect_navigation():
        screen.get_by_role("button", name=t("Open the presentation view")).click()
    expect(screen.get_by_text(t("Waiting for the judges' scores…"))).to_be_visible()
    screen.evaluate("window.madrinaStayed = true")  # gone if the page were reloaded
    assert_accessible(screen)

    walker = judges["Marco"]
    visit(walker, "/judging")
    walker.get_by_role("link", name=t("Judge this round")).click()
    submit(walker, t("Start"))
    first = _shown(walker)
    checkpoint(walker, "judge goes to the first project")
    submit(walker, t("Seen: next project"))
    second = _shown(walker)
    better = max((first, second), key=lambda p: quality[p])
    _vote(walker, better, previous=first)
    expect(screen.locator(".screen-row").first).to_contain_text(better)
    assert screen.evaluate("window.madrinaStayed") is True
    shot(screen, "big screen after the first vote")

    # Undo once: the vote is gone, the same two projects are compared again.
    submit(walker, t("Undo my last vote"))
    expect(walker.get_by_role("heading", name=t("Which was better?"))).to_be_visible()
    assert _shown(walker) == second
    checkpoint(walker, "judge undid the vote")
    assert_accessible(walker)
    _vote(walker, better, previous=first)
    for _step in range(2):
        current, previous = _shown(walker), _previous(walker)
        _vote(walker, max((current, previous), key=lambda p: quality[p]), previous=previous)
    skipped = _shown(walker)
    submit(walker, t("Skip: nobody is there"))
    expect(
        walker.get_by_text(_plural("%(num)d vote given", "%(num)d votes given", 3))
    ).to_be_visible()
    if walker.get_by_role("heading", name=t("Go to this project")).count():
        assert _shown(walker) != skipped
    checkpoint(walker, "judge walked the expo")
    # A second judge walks the expo too.
    other = judges["Paola"]
    visit(other, "/judging")
    other.get_by_role("link", name=t("Judge this round")).click()
    submit(other, t("Start"))
    submit(other, t("Seen: next project"))
    current, previous = _shown(other), _previous(other)
    _vote(other, max((current, previous), key=lambda p: quality[p]), previous=previous)
    expect(
        other.get_by_text(_plural("%(num)d vote given", "%(num)d votes given", 1))
    ).to_be_visible()

    # The people's vote: a visitor votes on a phone and confirms through the e-mailed link.
    visitor, voter = open_page(phone=True), unique_email("voter")
    visit(visitor, f"/challenges/{challenge_id}")
    visitor.get_by_role("link", name=t("Vote"), exact=True).click()
    visitor.get_by_label(re.compile(re.escape(loser))).check()
    field(visitor, "Your e-mail address").fill(voter)
    submit(visitor, t("Vote"))
    expect(visitor.get_by_role("status")).to_contain_text(t("Check your e-mail"))
    visitor.goto(_vote_link(visitor, voter))
    submit(visitor, t("Confirm my vote"))
    expect(visitor.get_by_role("status")).to_have_text(
        t("Thank you: your vote is confirmed and counts.")
    )
    checkpoint(visitor, "visitor confirmed the vote")
    visit(organiser, f"/challenges/{challenge_id}/judging")
    _round_row(organiser, VOTE).get_by_role("link", name=t("Votes and flags")).click()
    expect(organiser.get_by_role("row").filter(has_text=loser)).to_contain_text("1")
    checkpoint(organiser, "organiser sees the count")

    # -- 5. Results published; the losing team's coach understands them -------------------
    visit(organiser, f"/challenges/{challenge_id}/judging")
    submit_in_row(organiser, FINAL, t("Close the round"))
    submit_in_row(organiser, VOTE, t("Close the round"))
    organiser.get_by_role("link", name=t("Rankings and results")).click()
    submit(organiser, t("Publish the results"))
    expect(organiser.get_by_role("heading", level=1)).to_have_text(t("Results"))
    how = organiser.locator("section.card").filter(
        has=organiser.get_by_role("heading", name=t("How the winners were decided"))
    )
    expect(how).to_contain_text(FINAL)
    checkpoint(organiser, "published results")
    assert_accessible(organiser)

    coach = open_page(phone=True)
    login(coach, email=emails["Maria"], next=f"/challenges/{challenge_id}")
    coach.get_by_role("link", name=loser, exact=True).first.click()
    coach.get_by_role("link", name=t("Your result and the judges' comments")).click()
    place = (
        coach.locator("section.card")
        .filter(has=coach.get_by_role("heading", name=PRESELECTION, exact=True))
        .first
    )
    expect(place).to_contain_text(t("Judge effect"))
    expect(place).to_contain_text(
        t("Place %(rank)s of %(count)s", rank=len(titles), count=len(titles))
    )
    expect(place).to_contain_text(t("first: %(title)s", title=truth))
    expect(coach.get_by_text(t(TIES_EXPLAINED))).to_be_visible()
    comments = coach.locator("li").filter(has_text="Buona idea, ma manca un piano di prova.")
    expect(comments).to_have_count(2)  # both of its judges, anonymised
    expect(comments.first).to_contain_text(t("Judge %(number)s", number=1))
    for name in judges:
        expect(coach.locator("main")).not_to_contain_text(f"{name} Giudice")
    checkpoint(coach, "losing team reads its result")
    assert_accessible(coach)


def submit_in_row(page: Page, round_name: str, button: str) -> None:
    with page.expect_navigation():
        _round_row(page, round_name).get_by_role("button", name=button, exact=True).click()


def _shown(judge: Page) -> str:
    card = judge.locator("section.card").filter(
        has=judge.get_by_role("heading", name=t("Go to this project"))
    )
    return card.locator("strong").first.inner_text().strip()


def _previous(judge: Page) -> str:
    text = judge.get_by_role(
        "button", name=re.compile(re.escape(t("The one before: %(title)s", title="")))
    ).inner_text()
    return text.split(":", 1)[1].strip()


def _vote(judge: Page, winner: str, *, previous: str) -> None:
    if winner == previous:
        label = t("The one before: %(title)s", title=winner)
    else:
        label = t("This one: %(title)s", title=winner)
    submit(judge, label)


def _api_token(page: Page) -> str:
    """A token made on the account page, as a person who scripts the API does."""
    visit(page, "/account")
    field(page, "Token name").fill("e2e")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Create token"), exact=True).click()
    return page.locator("code.token").inner_text().strip()


def _api(page: Page, token: str, method: str, path: str, **options: Any) -> Any:
    response = page.request.fetch(
        f"/api/v1{path}",
        method=method,
        headers={"Authorization": f"Bearer {token}"},
        **options,
    )
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def _api_team(
    page: Page, token: str, challenge_id: int, track_id: int, team: str, project: str
) -> None:
    """A team with one member, its project with a PDF, submitted."""
    members = [{"first_name": "Anna", "last_name": "Verdi", "is_minor": False}]
    body = {"name": team, "track_id": track_id, "class_name": "4B", "members": members}
    body |= {"institution_name": f"ITIS {team}", "institution_city": "Mantova"}
    team_id = _api(page, token, "POST", f"/challenges/{challenge_id}/teams", data=body)["id"]
    project_body = {"title": project, "summary": "Acqua piovana negli orti.", "track_id": track_id}
    project_id = _api(page, token, "PUT", f"/teams/{team_id}/project", data=project_body)["id"]
    pdf = {"name": "idea.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf(project)}
    _api(page, token, "POST", f"/projects/{project_id}/files", multipart={"file": pdf})
    _api(page, token, "POST", f"/projects/{project_id}/submit")


def _plural(singular: str, plural: str, number: int) -> str:
    with i18n.use_locale("it"):
        return i18n.ngettext(singular, plural, number) % {"num": number}


def _vote_link(page: Page, email: str) -> str:
    for _attempt in range(50):
        page.goto("/dev/mail")
        found = page.locator("section.card", has_text=email).locator("a[href*='/votes/confirm']")
        if found.count():
            return str(found.first.get_attribute("href"))
        page.wait_for_timeout(200)
    raise AssertionError(f"no vote confirmation e-mail for {email} in /dev/mail")
