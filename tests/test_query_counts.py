"""Every list page and list API sends as many SQL statements for one item as for many.

Each case builds its world with one listed thing, asks for the page as the person who sees
it and counts the statements; then empties the database, builds the world again with many
and counts again. The counts must be equal: a query per listed row (N+1) makes them differ.
The page must also show every thing it lists, so a page that lists nothing cannot pass.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from app.db import Database
from app.teams.views import GALLERY_PAGE_SIZE
from tests.cleanup import empty_database
from tests.factories import Actors
from tests.listings import (
    MANY,
    Visit,
    accounts,
    certificates,
    challenges,
    editions,
    invitations,
    judging,
    notifications,
    sponsors,
    teams,
    voting,
)
from tests.queries import sql_statements

ITEM = re.compile(r"Item-\d+")


@dataclass(frozen=True)
class Case:
    build: Callable[[Database, Actors, int], Awaitable[Visit]]
    many: int = MANY
    # How many of n things the page shows, and how to find them in it.
    shown: Callable[[int], int] = lambda n: n
    pattern: re.Pattern[str] = ITEM
    # Pages whose reads were folded into joins keep to this many statements.
    most: int | None = None


GALLERY = Case(
    challenges.challenge_page,
    many=GALLERY_PAGE_SIZE + 6,
    shown=lambda n: min(n, GALLERY_PAGE_SIZE),
    # The page's slice and the gallery's size in one statement; one more for the public votes
    # open now (the page invites everybody to vote).
    most=8,
)
VERSION_LINKS = re.compile(r'href="/challenges/\d+/certificates/(\d+)"')
INVITED = re.compile(r"item-\d+@example\.org")
VOTED_PROJECTS = re.compile(r'"project_title":"(Item-\d+)"')
ADOPTED_PROJECTS = re.compile(r'"project_id":(\d+)')  # the report's rows carry ids, no names

CASES: dict[str, Case] = {
    "GET / (anonymous)": Case(challenges.home),
    "GET /challenges (anonymous)": Case(challenges.challenges),
    "GET /challenges/{id} gallery (coach of every team)": GALLERY,
    "GET /challenges/new programmes (anyone logged in)": Case(challenges.new_challenge),
    "GET /challenges/{id}/edit programmes (organiser)": Case(challenges.edit_challenge),
    "GET /challenges/{id}/tracks (organiser)": Case(challenges.tracks),
    "GET /challenges/{id}/people (organiser)": Case(challenges.people),
    "GET /challenges/{id}/invitations (organiser)": Case(invitations.invitations, pattern=INVITED),
    "GET /api/v1/challenges/{id}/invitations (organiser)": Case(
        invitations.invitations_api, pattern=INVITED
    ),
    "GET /programmes (anonymous)": Case(challenges.programmes),
    "GET /challenges/{id}/promote teams (organiser of both stages)": Case(editions.promote_page),
    "GET /programmes/{id} (organiser of the stages)": Case(challenges.programme_page),
    "GET /challenges/{id}/teams/new institutions (anyone logged in)": Case(teams.register_team),
    "GET /teams/{id} members (coach)": Case(teams.team_page),
    "GET /teams/{id}/edit members (coach)": Case(teams.edit_team),
    "GET /teams/{id}/project tracks (coach)": Case(teams.edit_project),
    "GET /projects/{id} files (anonymous)": Case(teams.project_page, most=2),
    "GET /challenges/{id}/sponsors (organiser)": Case(sponsors.sponsors),
    "GET /challenges/{id}/sponsor dashboard (representative)": Case(sponsors.sponsor_dashboard),
    "GET /projects/{id}/adopt offers (representative)": Case(sponsors.propose),
    "GET /sponsor challenges and adoptions (representative)": Case(sponsors.company_dashboard),
    "GET /companies/{id} adopted projects (anonymous)": Case(sponsors.company_page),
    "GET /challenges/{id}/sponsors/join search (organiser)": Case(sponsors.join_company),
    "GET /challenges/{id}/adoptions (organiser)": Case(sponsors.adoptions),
    "GET /teams/{id}/adoptions (coach)": Case(sponsors.team_adoptions),
    "GET /adoptions/{id}/follow-up milestones (coach)": Case(sponsors.follow_up),
    "GET /challenges/{id}/judging (organiser)": Case(judging.judging),
    # No pairwise round, so no statement for its votes; the lookup included. The sheets'
    # totals and the panels come in one statement.
    "GET /challenges/{id}/ranking (organiser)": Case(judging.ranking, most=9),
    "GET /challenges/{id}/results preview (organiser)": Case(
        judging.results_preview, shown=lambda n: min(n, 3)
    ),
    # The awards with their projects, and the decision fixed at publication: no ranking.
    "GET /challenges/{id}/results published (anonymous)": Case(judging.results, most=5),
    "GET /judging (judge)": Case(judging.my_assignments),
    "GET /rounds/{id}/settings shortlist choices (organiser)": Case(judging.round_settings),
    # The places fixed at publication are read, not ranked again (16 statements before).
    "GET /projects/{id}/feedback comments (coach)": Case(judging.feedback, most=9),
    "GET /rounds/{id}/vote projects (anonymous)": Case(voting.ballot),
    "GET /rounds/{id}/votes tally and flags (organiser)": Case(voting.votes),
    "GET /rounds/{id}/live people's count (organiser)": Case(voting.live_count),
    "GET /rounds/{id}/screen people's count (organiser)": Case(voting.screen_count),
    # The sheet's rows in one join, the criteria with the judge's scores in another.
    "GET /judging/assignments/{id} criteria (judge)": Case(judging.score_sheet, most=3),
    "GET /challenges/{id}/certificates (organiser)": Case(certificates.certificates),
    "GET /challenges/{id}/certificates/mine (coach)": Case(certificates.my_certificates),
    "GET /challenges/{id}/certificates/{id} versions (organiser)": Case(
        certificates.certificate_versions,
        # Links to the other versions; a single version shows no list.
        shown=lambda n: n - 1,
        pattern=VERSION_LINKS,
    ),
    "GET /challenges/{id}/notifications (organiser)": Case(notifications.notification_log),
    "GET /account sessions and tokens (the person)": Case(accounts.account, shown=lambda n: 2 * n),
    "GET /api/v1/challenges (anonymous)": Case(challenges.challenges_api),
    "GET /api/v1/challenges/{id} tracks (anonymous)": Case(challenges.challenge_api),
    "GET /api/v1/challenges/{id}/projects (anonymous)": Case(teams.projects_api),
    "GET /api/v1/teams/{id} members (coach)": Case(teams.team_api),
    "GET /api/v1/projects/{id} files (anonymous)": Case(teams.project_api),
    "GET /api/v1/challenges/{id}/sponsors (organiser)": Case(sponsors.sponsors_api),
    "GET /api/v1/challenges/{id}/adoptions (organiser)": Case(
        sponsors.adoptions_api, pattern=ADOPTED_PROJECTS
    ),
    "GET /api/v1/adoptions/{id}/milestones (coach)": Case(sponsors.milestones_api),
    "GET /api/v1/sponsor/dashboard (representative)": Case(sponsors.company_dashboard_api),
    "GET /api/v1/challenges/{id}/ranking (organiser)": Case(judging.ranking_api),
    "GET /api/v1/challenges/{id}/results (anonymous)": Case(judging.results_api),
    "GET /api/v1/judging/assignments (judge)": Case(judging.my_assignments_api),
    "GET /api/v1/challenges/{id}/rubrics (organiser)": Case(judging.rubrics_api),
    "GET /api/v1/challenges/{id}/rounds (organiser)": Case(judging.rounds_api),
    "GET /api/v1/challenges/{id}/judges (organiser)": Case(judging.judges_api),
    "GET /api/v1/rounds/{id}/votes tally and flags (organiser)": Case(
        voting.votes_api, pattern=VOTED_PROJECTS
    ),
    "GET /api/v1/challenges/{id}/certificates (organiser)": Case(certificates.certificates_api),
}


async def _statements_for(db: Database, actors: Actors, case: Case, n: int) -> int:
    """Build the world with n things and count what one request for the page sends."""
    await empty_database(db)
    visit = await case.build(db, actors, n)
    async with visit.http as http:
        with sql_statements(db) as sent:
            response = await http.get(visit.path)

    assert response.status_code == 200, response.text[:500]
    assert len(set(case.pattern.findall(response.text))) == case.shown(n)
    return len(sent)


@pytest.mark.parametrize("name", list(CASES))
async def test_list_sends_as_many_statements_for_one_item_as_for_many(
    db: Database, actors: Actors, name: str
) -> None:
    case = CASES[name]

    one = await _statements_for(db, actors, case, 1)
    many = await _statements_for(db, actors, case, case.many)

    print(f"\n{name}: {one} statements for 1, {many} for {case.many}")
    assert many == one
    if case.most is not None:
        assert many <= case.most
