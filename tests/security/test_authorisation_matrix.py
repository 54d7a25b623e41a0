"""Who may do what: every route (pages and API) tried as every kind of person.

GETs expect an exact status ("login" is a 303 to the login page). Writes carry a valid
CSRF token but an empty form, or a JSON body no endpoint accepts, so they test
authorisation only, and that it comes before the body is read: DENY means 401/403/404
(or, for a page, a 303 to the login page); OK means anything that is neither an
authorisation error nor a server error (303, 409, 422 ...).

A write that is refused, whether denied or turned down for its empty input (4xx, or a page's
303 to the login page), must leave every row of every table as it was.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import Response

from app.web import services
from tests.factories import publish, unpublish
from tests.security.conftest import WorldHolder
from tests.security.probe import app_routes, send
from tests.security.world import ROLES
from tests.snapshots import changed_tables, snapshot

OK = "ok"
DENY = "deny"
HEALTH = "health"  # 200, or 503 while no worker heartbeat is in Redis: public either way
Expected = int | str
JUDGE_ONLY = (DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY)
ORGANISERS_ONLY = (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK)
ORGANISER_PAGE = ("login", 403, 403, 403, 403, 403, 200, 403, 200)
COMPANY_PEOPLE = (DENY, DENY, DENY, DENY, DENY, OK, DENY, DENY, OK)  # its representatives
REPRESENTATIVES = (DENY, DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY)  # in the challenge
TWO_SIDES = (DENY, DENY, DENY, OK, DENY, OK, DENY, DENY, DENY)  # an adoption's coach, company
# A company's shortlist, notes and project search: its representatives only, 'not found' to
# everyone else (organisers and admins included: they are the company's private notes).
COMPANY_PAGE = ("login", 404, 404, 404, 404, 200, 404, 404, 404)
COMPANY_API = (401, 404, 404, 404, 404, 200, 404, 404, 404)
COACH_ONLY = (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY)
COMPANY_ONLY = (DENY, DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY)  # its representatives
# A page for the organisers of either of the programme's two challenges.
ORGANISER_PAGE_BOTH = ("login", 403, 403, 403, 403, 403, 200, 200, 200)

# (method, path template) -> outcome for each role, in the order of ROLES:
# anonymous, member, other_member, coach, judge, sponsor, organiser, other_organiser, admin
EXPECTED: dict[tuple[str, str], tuple[Expected, ...]] = {
    ("GET", "/"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/account"): ("login", 200, 200, 200, 200, 200, 200, 200, 200),
    # Without a token the link is not valid (400); with one, only for its own account.
    ("GET", "/account/verify"): ("login", 400, 400, 400, 400, 400, 400, 400, 400),
    # For organisers (of any challenge) and admins.
    ("GET", "/account/two-factor"): ("login", 403, 403, 403, 403, 403, 200, 200, 200),
    # Only in development (ENVIRONMENT=development): not found to everyone here.
    ("GET", "/dev/mail"): (404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/password/forgot"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/password/reset/{token}"): (400, 400, 400, 400, 400, 400, 400, 400, 400),
    ("GET", "/login/code"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/challenges"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/challenges/{challenge_id:int}/certificates"): (
        401,
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/api/v1/challenges/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/challenges/{id:int}/projects"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/challenges/{id:int}/adoptions"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/challenges/{id:int}/ranking"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/challenges/{id:int}/results"): (404, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET", "/api/v1/challenges/{id:int}/sponsors"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/judging/assignments"): (401, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/me"): (401, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/openapi.json"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/projects/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/teams/{id:int}"): (401, 200, 404, 200, 404, 404, 200, 404, 200),
    ("GET", "/api/v1/verify/{code:str}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/certificates/{code}.pdf"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/challenges"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/challenges/new"): ("login", 403, 403, 403, 403, 403, 200, 200, 200),
    ("GET", "/challenges/{challenge_id:int}/certificates"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/challenges/{challenge_id:int}/certificates/mine"): (
        "login",
        200,
        200,
        200,
        200,
        200,
        200,
        403,
        200,
    ),
    ("GET", "/challenges/{challenge_id:int}/certificates/{certificate_id:int}"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/challenges/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/challenges/{id:int}/adoptions"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    # An offer is seen by the company, the team's people and the organisers.
    ("GET", "/adoptions/{id:int}"): ("login", 200, 404, 200, 404, 200, 200, 404, 200),
    # Only the company amends; who sees the offer otherwise is not allowed.
    ("GET", "/adoptions/{id:int}/amend"): ("login", 403, 404, 403, 404, 200, 403, 404, 403),
    ("GET", "/api/v1/adoptions/{id:int}/versions"): (401, 200, 404, 200, 404, 200, 200, 404, 200),
    ("GET", "/adoptions/{id:int}/follow-up"): ("login", 200, 404, 200, 404, 200, 200, 404, 200),
    # A milestone's file: who sees the follow-up page.
    ("GET", "/adoptions/{id:int}/milestones/{milestone_id:int}/file"): (
        "login",
        200,
        404,
        200,
        404,
        200,
        200,
        404,
        200,
    ),
    ("GET", "/api/v1/adoptions/{id:int}/milestones/{milestone_id:int}/file"): (
        401,
        200,
        404,
        200,
        404,
        200,
        200,
        404,
        200,
    ),
    # Organisers of the programme's challenges (each sees the challenges they organise).
    ("GET", "/programmes/{id:int}/adoptions"): ORGANISER_PAGE_BOTH,
    ("GET", "/programmes/{id:int}/adoptions.{format}"): ORGANISER_PAGE_BOTH,
    ("GET", "/api/v1/adoptions/{id:int}/milestones"): (
        401,
        200,
        404,
        200,
        404,
        200,
        200,
        404,
        200,
    ),
    ("GET", "/api/v1/adoptions/{id:int}/progress"): (401, 200, 404, 200, 404, 200, 200, 404, 200),
    ("GET", "/challenges/{id:int}/adoption-rules"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    # Organisers only; the others see the challenge, so they are not allowed (403).
    ("GET", "/adoptions/{id:int}/refuse"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    # The rules are public to whoever sees the challenge: sponsors and teams plan by them.
    ("GET", "/api/v1/challenges/{id:int}/adoption-rules"): (
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    ("GET", "/challenges/{id:int}/edit"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/judging"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/people"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/invitations"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/challenges/{id:int}/invitations"): (
        401,
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    # Without a valid token the link is refused (400) to everyone, logged in or not.
    ("GET", "/invitations/{token}"): (
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
    ),
    ("POST", "/challenges/{id:int}/invitations"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/invitations/{invitation_id:int}/resend"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/invitations/{invitation_id:int}/revoke"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/invitations"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/invitations/{invitation_id:int}/resend"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/invitations/{invitation_id:int}/revoke"): ORGANISERS_ONLY,
    # The invitee's link: anyone may open it; the token decides (here none: 400).
    ("POST", "/invitations/{token}"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("GET", "/challenges/{id:int}/phases"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/ranking"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    # Every row of the ranking as a CSV file: authorised as the page is.
    ("GET", "/challenges/{id:int}/ranking.csv"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/results"): (404, 404, 404, 404, 404, 404, 200, 404, 200),
    ("GET", "/challenges/{id:int}/sponsor"): ("login", 403, 403, 403, 403, 200, 403, 403, 403),
    ("GET", "/challenges/{id:int}/sponsors"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    # A sponsor organisation's profile is public; its people (and admins) change it.
    ("GET", "/companies/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/companies/{id:int}/logo"): (404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/companies/{id:int}/edit"): ("login", 403, 403, 403, 403, 200, 403, 403, 200),
    ("GET", "/api/v1/companies/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/challenges/{id:int}/sponsors/join"): ORGANISER_PAGE,
    ("GET", "/sponsor"): ("login", 200, 200, 200, 200, 200, 200, 200, 200),
    # The company's own track: proposed by its people, accepted by the organisers.
    ("GET", "/challenges/{id:int}/sponsors/{sponsor_id:int}/track"): (
        "login",
        403,
        403,
        403,
        403,
        200,
        403,
        403,
        403,
    ),
    ("GET", "/api/v1/sponsor/dashboard"): (401, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/challenges/{id:int}/teams/new"): ("login", 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/challenges/{id:int}/tracks"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/tracks/{track_id:int}/edit"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/challenges/{id:int}/judges/{judge_id:int}/remove"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/rounds/{id:int}/assignments"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    # Live results: the page, the big-screen view and their stream (without
    # `Accept: text/event-stream` the stream answers the board once and ends).
    ("GET", "/rounds/{id:int}/live"): ORGANISER_PAGE,
    ("GET", "/rounds/{id:int}/live/stream"): ORGANISER_PAGE,
    ("GET", "/rounds/{id:int}/screen"): ORGANISER_PAGE,
    ("GET", "/rounds/{id:int}/settings"): ORGANISER_PAGE,
    ("POST", "/rounds/{id:int}/settings"): ORGANISERS_ONLY,
    ("GET", "/api/v1/rounds/{id:int}"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("PUT", "/api/v1/rounds/{id:int}/settings"): ORGANISERS_ONLY,
    ("GET", "/api/v1/challenges/{id:int}/rounds"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/challenges/{id:int}/rubrics"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/rubrics/{id:int}"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/challenges/{id:int}/judges"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    # Only the judge whose sheet it is, and only as the round allows (here: never, 403).
    ("GET", "/api/v1/assignments/{id:int}/others"): (401, 404, 404, 404, 403, 404, 404, 404, 404),
    # The team's own coach and members; nobody else, organisers included.
    ("GET", "/projects/{id:int}/feedback"): ("login", 200, 404, 200, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/projects/{id:int}/feedback"): (401, 200, 404, 200, 404, 404, 404, 404, 404),
    # The people's choice (world.vote_round, an open public vote of challenge A): anyone votes;
    # the count and the flagged votes are the organisers'.
    ("GET", "/challenges/{id:int}/votes/new"): ORGANISER_PAGE,
    ("POST", "/challenges/{id:int}/votes/new"): ORGANISERS_ONLY,
    ("GET", "/rounds/{id:int}/vote"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/rounds/{id:int}/vote"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("GET", "/rounds/{id:int}/votes"): ORGANISER_PAGE,
    ("POST", "/rounds/{id:int}/votes/void"): ORGANISERS_ONLY,
    ("GET", "/api/v1/rounds/{id:int}/votes"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("POST", "/api/v1/rounds/{id:int}/votes"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/api/v1/rounds/{id:int}/votes/void"): ORGANISERS_ONLY,
    # Without a token the link is not valid (409); the confirmation is the link's, not a login's.
    ("GET", "/votes/confirm"): (409, 409, 409, 409, 409, 409, 409, 409, 409),
    ("POST", "/votes/confirm"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/api/v1/votes/confirm"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("GET", "/api/v1/rounds/{id:int}/design"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/judging/conflicts"): (
        "login",
        403,
        403,
        403,
        200,
        403,
        403,
        403,
        403,
    ),
    ("POST", "/challenges/{id:int}/judging/conflicts"): JUDGE_ONLY,
    ("POST", "/challenges/{id:int}/judging/conflicts/withdraw"): JUDGE_ONLY,
    ("POST", "/judging/assignments/{id:int}/recuse"): JUDGE_ONLY,
    ("POST", "/rounds/{id:int}/aggregation"): ORGANISERS_ONLY,
    ("PUT", "/api/v1/rounds/{id:int}/aggregation"): ORGANISERS_ONLY,
    ("GET", "/api/v1/challenges/{id:int}/conflicts"): (401, 403, 403, 403, 200, 403, 200, 403, 200),
    ("POST", "/api/v1/challenges/{id:int}/conflicts"): JUDGE_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/conflicts/withdraw"): JUDGE_ONLY,
    ("POST", "/api/v1/assignments/{id:int}/recuse"): JUDGE_ONLY,
    ("GET", "/api/v1/rounds/{id:int}/assignments"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("POST", "/challenges/{id:int}/judges/{judge_id:int}/remove"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/judges/{judge_id:int}/remove"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/assignments/{id:int}/remove"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/assignments/{id:int}/reassign"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("PUT", "/api/v1/assignments/{id:int}/judge"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("DELETE", "/api/v1/assignments/{id:int}"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("GET", "/admin/creators"): ("login", 403, 403, 403, 403, 403, 403, 403, 200),
    ("POST", "/admin/creators"): (DENY, DENY, DENY, DENY, DENY, DENY, DENY, DENY, OK),
    ("POST", "/admin/creators/{id:int}/revoke"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
    ),
    ("GET", "/challenges/{id:int}/audit"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/notifications"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/account/notifications"): ("login", 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/admin/audit"): ("login", 403, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "/challenges/{id:int}/exports"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/challenges/{id:int}/exports/{name}"): (
        "login",
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/challenges/{id:int}/calendar.ics"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/challenges/{id:int}/audit"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/audit"): (401, 403, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/challenges/{id:int}/exports/{name:str}"): (
        401,
        403,
        403,
        403,
        403,
        403,
        200,
        403,
        200,
    ),
    ("GET", "/challenges/{id:int}/dashboard"): ("login", 403, 403, 403, 403, 403, 200, 403, 200),
    # Editions, covers, promotion and the API's organiser writes (issue 8).
    ("GET", "/challenges/{id:int}/cover"): (404,) * 9,  # the world's challenge has no cover
    ("GET", "/challenges/{id:int}/cover/edit"): ORGANISER_PAGE,
    ("GET", "/challenges/{id:int}/next-edition"): ORGANISER_PAGE,
    ("GET", "/challenges/{id:int}/promote"): ORGANISER_PAGE,
    ("GET", "/projects/{id:int}/history"): (200,) * 9,
    ("GET", "/api/v1/projects/{id:int}/history"): (200,) * 9,
    ("GET", "/api/v1/challenges/{id:int}/people"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/programmes"): (200,) * 9,
    ("GET", "/api/v1/programmes/{id:int}"): (200,) * 9,
    ("POST", "/api/v1/programmes"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, OK, OK),
    ("POST", "/api/v1/programmes/{id:int}/stages"): ORGANISERS_ONLY,
    ("DELETE", "/api/v1/programmes/{id:int}/stages/{challenge_id:int}"): ORGANISERS_ONLY,
    ("PUT", "/api/v1/challenges/{id:int}"): ORGANISERS_ONLY,
    ("PUT", "/api/v1/challenges/{id:int}/archived"): ORGANISERS_ONLY,
    ("PUT", "/api/v1/challenges/{id:int}/cover"): ORGANISERS_ONLY,
    ("DELETE", "/api/v1/challenges/{id:int}/cover"): ORGANISERS_ONLY,
    ("PUT", "/api/v1/challenges/{id:int}/tracks/{track_id:int}"): ORGANISERS_ONLY,
    ("DELETE", "/api/v1/challenges/{id:int}/tracks/{track_id:int}"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/people"): ORGANISERS_ONLY,
    ("DELETE", "/api/v1/challenges/{id:int}/people/{role_id:int}"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/next-edition"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/promotions"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/publish"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/unpublish"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/archive"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/sponsors/join"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/sponsors/join"): ORGANISERS_ONLY,
    ("POST", "/companies/{id:int}/edit"): COMPANY_PEOPLE,
    ("POST", "/companies/{id:int}/logo/edit"): COMPANY_PEOPLE,
    ("POST", "/companies/{id:int}/logo/remove"): COMPANY_PEOPLE,
    ("PUT", "/api/v1/companies/{id:int}"): COMPANY_PEOPLE,
    ("PUT", "/api/v1/companies/{id:int}/logo"): COMPANY_PEOPLE,
    ("DELETE", "/api/v1/companies/{id:int}/logo"): COMPANY_PEOPLE,
    # Its representatives find ideas across its challenges: 'not found' to everyone else.
    ("GET", "/companies/{id:int}/ideas"): COMPANY_PAGE,
    ("GET", "/api/v1/companies/{id:int}/ideas"): COMPANY_API,
    # Its representatives invite their colleagues: 'not found' to everyone else.
    ("GET", "/companies/{id:int}/representatives"): COMPANY_PAGE,
    ("GET", "/api/v1/companies/{id:int}/representatives"): COMPANY_API,
    ("POST", "/companies/{id:int}/representatives"): COMPANY_ONLY,
    ("POST", "/companies/{id:int}/representatives/invitations/{invitation_id:int}/resend"): (
        COMPANY_ONLY
    ),
    ("POST", "/companies/{id:int}/representatives/invitations/{invitation_id:int}/revoke"): (
        COMPANY_ONLY
    ),
    ("POST", "/api/v1/companies/{id:int}/representatives/invitations"): COMPANY_ONLY,
    (
        "POST",
        "/api/v1/companies/{id:int}/representatives/invitations/{invitation_id:int}/resend",
    ): COMPANY_ONLY,
    (
        "POST",
        "/api/v1/companies/{id:int}/representatives/invitations/{invitation_id:int}/revoke",
    ): COMPANY_ONLY,
    ("POST", "/challenges/{id:int}/sponsors/{sponsor_id:int}/track"): REPRESENTATIVES,
    ("PUT", "/api/v1/challenges/{id:int}/sponsors/{sponsor_id:int}/track"): REPRESENTATIVES,
    ("POST", "/challenges/{id:int}/sponsors/{sponsor_id:int}/track/accept"): ORGANISERS_ONLY,
    ("POST", "/api/v1/challenges/{id:int}/sponsors/{sponsor_id:int}/track/accept"): (
        ORGANISERS_ONLY
    ),
    ("POST", "/challenges/{id:int}/cover/edit"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/cover/remove"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/next-edition"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/promote"): ORGANISERS_ONLY,
    ("GET", "/healthz"): (HEALTH,) * 9,
    ("GET", "/judging"): ("login", 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/judging/assignments/{id:int}"): ("login", 404, 404, 404, 200, 404, 404, 404, 404),
    ("GET", "/login"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/programmes"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/programmes/new"): ("login", 403, 403, 403, 403, 403, 200, 200, 200),
    ("GET", "/programmes/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/projects/{id:int}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/projects/{id:int}/adopt"): ("login", 403, 403, 403, 403, 200, 403, 403, 403),
    ("GET", "/projects/{id:int}/files/{file_id:int}"): (
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    ("GET", "/register"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/teams/{id:int}"): (303, 200, 303, 200, 303, 303, 200, 303, 200),
    ("GET", "/teams/{id:int}/adoptions"): ("login", 200, 404, 200, 404, 404, 200, 404, 200),
    # What an adopting company sees of each member: the coach's form; who else sees the team
    # may not change it.
    ("GET", "/teams/{id:int}/member-names"): ("login", 403, 404, 200, 404, 404, 403, 404, 403),
    ("POST", "/teams/{id:int}/member-names"): COACH_ONLY,
    ("GET", "/api/v1/teams/{id:int}/member-names"): (401, 403, 404, 200, 404, 404, 403, 404, 403),
    ("PUT", "/api/v1/teams/{id:int}/member-names"): COACH_ONLY,
    ("GET", "/sponsors/{id:int}/projects"): COMPANY_PAGE,
    ("GET", "/sponsors/{id:int}/shortlist"): COMPANY_PAGE,
    ("POST", "/sponsors/{id:int}/shortlist/add"): COMPANY_ONLY,
    ("POST", "/sponsors/{id:int}/shortlist/{project_id:int}/remove"): COMPANY_ONLY,
    ("POST", "/sponsors/{id:int}/projects/{project_id:int}/notes"): COMPANY_ONLY,
    ("POST", "/sponsors/{id:int}/notes/{note_id:int}/delete"): COMPANY_ONLY,
    ("GET", "/api/v1/sponsors/{id:int}/projects"): COMPANY_API,
    ("GET", "/api/v1/sponsors/{id:int}/shortlist"): COMPANY_API,
    ("PUT", "/api/v1/sponsors/{id:int}/shortlist/{project_id:int}"): COMPANY_ONLY,
    ("DELETE", "/api/v1/sponsors/{id:int}/shortlist/{project_id:int}"): COMPANY_ONLY,
    ("GET", "/api/v1/sponsors/{id:int}/projects/{project_id:int}/notes"): COMPANY_API,
    ("POST", "/api/v1/sponsors/{id:int}/projects/{project_id:int}/notes"): COMPANY_ONLY,
    ("DELETE", "/api/v1/sponsors/{id:int}/notes/{note_id:int}"): COMPANY_ONLY,
    # The world's offer waits for an answer: whoever sees it is told the team's people are
    # shown once it is accepted (409).
    ("GET", "/api/v1/adoptions/{id:int}/team"): (401, 409, 404, 409, 404, 409, 409, 404, 409),
    ("GET", "/teams/{id:int}/edit"): ("login", 403, 404, 200, 404, 404, 403, 404, 403),
    ("GET", "/teams/{id:int}/project"): ("login", 403, 404, 200, 404, 404, 403, 404, 403),
    ("GET", "/verify"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/verify/{code}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/account/sessions/{id:int}/revoke"): (
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/account/tokens"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/account/notifications"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/account/password"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/account/verify"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/account/verify/send"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/account/two-factor"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, OK, OK),
    # Turning off what is not on is refused (403) to everyone in this world.
    ("POST", "/account/two-factor/disable"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/account/tokens/{id:int}/revoke"): (
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/adoptions/{id:int}/accept"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/adoptions/{id:int}/decline"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/adoptions/{id:int}/withdraw"): (DENY, DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY),
    # The world's offer waits for the team, not for an organiser: organisers get 409.
    ("POST", "/adoptions/{id:int}/confirm"): ORGANISERS_ONLY,
    # The follow-up is written by its two sides: the team's coach and the company.
    ("POST", "/adoptions/{id:int}/milestones"): TWO_SIDES,
    ("POST", "/adoptions/{id:int}/milestones/{milestone_id:int}/confirm"): TWO_SIDES,
    ("POST", "/adoptions/{id:int}/close"): TWO_SIDES,
    ("POST", "/adoptions/{id:int}/milestones/{milestone_id:int}/file"): TWO_SIDES,
    ("PUT", "/api/v1/adoptions/{id:int}/milestones/{milestone_id:int}/file"): TWO_SIDES,
    # Whether the project names the company is the company's choice alone.
    ("POST", "/adoptions/{id:int}/recognition"): COMPANY_ONLY,
    ("PUT", "/api/v1/adoptions/{id:int}/recognition"): COMPANY_ONLY,
    ("POST", "/api/v1/adoptions/{id:int}/milestones"): TWO_SIDES,
    ("POST", "/api/v1/adoptions/{id:int}/milestones/{milestone_id:int}/confirm"): TWO_SIDES,
    ("POST", "/api/v1/adoptions/{id:int}/close"): TWO_SIDES,
    ("POST", "/adoptions/{id:int}/amend"): (DENY, DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY),
    ("POST", "/adoptions/{id:int}/reply"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/api/v1/adoptions/{id:int}/amend"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/adoptions/{id:int}/reply"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/adoptions/{id:int}/refuse"): ORGANISERS_ONLY,
    ("POST", "/api/v1/adoptions/{id:int}/confirm"): ORGANISERS_ONLY,
    ("POST", "/api/v1/adoptions/{id:int}/refuse"): ORGANISERS_ONLY,
    ("POST", "/challenges/{id:int}/adoption-rules"): ORGANISERS_ONLY,
    ("PUT", "/api/v1/challenges/{id:int}/adoption-rules"): ORGANISERS_ONLY,
    ("POST", "/api/v1/adoptions/{id:int}/accept"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/adoptions/{id:int}/decline"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/adoptions/{id:int}/withdraw"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
    ),
    ("PUT", "/api/v1/assignments/{id:int}/scores"): (
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/certificates/{certificate_id:int}/revoke"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, OK, OK),
    ("PUT", "/api/v1/challenges/{id:int}/phases"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/teams"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/api/v1/challenges/{id:int}/tracks"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/judges"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/results/publish"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/rounds"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/rubrics"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/sponsors"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/challenges/{id:int}/sponsors/{sponsor_id:int}/representatives"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/api/v1/projects/{id:int}/files"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/projects/{id:int}/submit"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/projects/{id:int}/withdraw"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/projects/{id:int}/adoptions"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/api/v1/rounds/{id:int}/assign"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/api/v1/rounds/{id:int}/close"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/api/v1/rounds/{id:int}/open"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("PUT", "/api/v1/teams/{id:int}/project"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/challenges/new"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, OK, OK),
    ("POST", "/challenges/{challenge_id:int}/certificates/{certificate_id:int}/reissue"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{challenge_id:int}/certificates/{certificate_id:int}/revoke"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{id:int}/edit"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/judging/judges"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{id:int}/people"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/people/{role_id:int}/remove"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{id:int}/phases"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/publish"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/results/publish"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{id:int}/rounds"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/rubrics"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/sponsors"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/sponsors/representatives"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{id:int}/teams/new"): (DENY, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/challenges/{id:int}/tracks"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/challenges/{id:int}/tracks/{track_id:int}/delete"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/challenges/{id:int}/tracks/{track_id:int}/edit"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/judging/assignments/{id:int}"): (DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY),
    ("POST", "/login"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/login/code"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/password/forgot"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/password/reset/{token}"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/logout"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/programmes/new"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, OK, OK),
    ("POST", "/programmes/{id:int}/stages"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/programmes/{id:int}/stages/{challenge_id:int}/remove"): (
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        OK,
    ),
    ("POST", "/projects/{id:int}/adopt"): (DENY, DENY, DENY, DENY, DENY, OK, DENY, DENY, DENY),
    ("POST", "/projects/{id:int}/files"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/projects/{id:int}/files/{file_id:int}/delete"): (
        DENY,
        DENY,
        DENY,
        OK,
        DENY,
        DENY,
        DENY,
        DENY,
        DENY,
    ),
    ("POST", "/projects/{id:int}/submit"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/projects/{id:int}/withdraw"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/register"): (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/rounds/{id:int}/assign"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/rounds/{id:int}/close"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    ("POST", "/rounds/{id:int}/open"): (DENY, DENY, DENY, DENY, DENY, DENY, OK, DENY, OK),
    # Pairwise (expo) rounds: a judge's walk is the judge's; the board is the organisers'.
    ("GET", "/pairwise/{id:int}"): ("login", 403, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/pairwise/{id:int}/board"): ORGANISER_PAGE,
    ("GET", "/pairwise/{id:int}/votes.csv"): ORGANISER_PAGE,
    ("POST", "/pairwise/{id:int}/start"): JUDGE_ONLY,
    ("POST", "/pairwise/{id:int}/seen"): JUDGE_ONLY,
    ("POST", "/pairwise/{id:int}/vote"): JUDGE_ONLY,
    ("POST", "/pairwise/{id:int}/skip"): JUDGE_ONLY,
    ("POST", "/pairwise/{id:int}/undo"): JUDGE_ONLY,
    ("POST", "/pairwise/{id:int}/void"): ORGANISERS_ONLY,
    ("POST", "/pairwise/{id:int}/import"): ORGANISERS_ONLY,
    ("GET", "/api/v1/pairwise/{id:int}"): (401, 403, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/api/v1/pairwise/{id:int}/ranking"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/pairwise/{id:int}/votes"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/api/v1/pairwise/{id:int}/votes.csv"): (401, 403, 403, 403, 403, 403, 200, 403, 200),
    ("POST", "/api/v1/pairwise/{id:int}/start"): JUDGE_ONLY,
    ("POST", "/api/v1/pairwise/{id:int}/seen"): JUDGE_ONLY,
    ("POST", "/api/v1/pairwise/{id:int}/votes"): JUDGE_ONLY,
    ("POST", "/api/v1/pairwise/{id:int}/skip"): JUDGE_ONLY,
    ("POST", "/api/v1/pairwise/{id:int}/undo"): JUDGE_ONLY,
    ("POST", "/api/v1/pairwise/{id:int}/judges/{judge_id:int}/void"): ORGANISERS_ONLY,
    ("POST", "/api/v1/pairwise/{id:int}/votes.csv"): ORGANISERS_ONLY,
    ("POST", "/teams/{id:int}/edit"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
    ("POST", "/teams/{id:int}/project"): (DENY, DENY, DENY, OK, DENY, DENY, DENY, DENY, DENY),
}


def _cases() -> list[Any]:
    ordered = sorted(EXPECTED, key=lambda key: (key[0] != "GET", key[1], key[0]))
    return [
        pytest.param(method, path, role, expected, id=f"{method} {path} {role}")
        for method, path in ordered
        for role, expected in zip(ROLES, EXPECTED[(method, path)], strict=True)
    ]


def _is_login_redirect(response: Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_expected_table_covers_every_route(world_holder: WorldHolder) -> None:
    routes = app_routes(world_holder.app)
    missing = sorted(routes - set(EXPECTED))
    assert missing == [], "routes missing from EXPECTED:\n" + "\n".join(map(str, missing))
    assert sorted(set(EXPECTED) - routes) == [], "stale entries in EXPECTED"
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(("method", "path", "role", "expected"), _cases())
async def test_route_as_role_gets_expected_outcome(
    world_holder: WorldHolder, method: str, path: str, role: str, expected: Expected
) -> None:
    world = await world_holder.get()
    db = services(world_holder.app).db
    is_write = method != "GET"
    before = await world_holder.rows() if is_write else {}
    response = await send(world, method, path, role)
    status = response.status_code
    refused = status >= 400 or _is_login_redirect(response)
    if is_write and refused:
        assert changed_tables(before, await snapshot(db)) == [], "a refused write wrote"
    else:
        world_holder.pristine = False  # a read may write too (a session's last visit)
        # The write may have changed the world: put it back for the next test.
        world_holder.dirty = world_holder.dirty or is_write
    if expected == HEALTH:
        assert status in (200, 503)
        return
    assert status < 500, f"server error {status}"
    if expected == "login":
        assert _is_login_redirect(response), status
    elif expected == DENY:
        assert status in (401, 403, 404) or (
            not path.startswith("/api/") and _is_login_redirect(response)
        ), f"not denied: {status}"
    elif expected == OK:
        assert status not in (401, 403, 404), f"denied: {status}"
        assert not _is_login_redirect(response)
    else:
        assert status == expected


# The other half of the rule: a draft challenge does not exist for anyone but its organisers
# (and admins), so every route about it answers "not found", whatever role they hold in it.
DRAFT_PREFIXES = (
    "/challenges/{id:int}/",
    "/challenges/{challenge_id:int}/",
    "/api/v1/challenges/{id:int}",
    "/api/v1/challenges/{challenge_id:int}/",
)
OUTSIDERS_OF_A_DRAFT = ("member", "coach", "judge", "sponsor", "other_organiser")


def _draft_cases() -> list[Any]:
    about_a_challenge = sorted(
        (method, path)
        for method, path in EXPECTED
        if path.startswith(DRAFT_PREFIXES) or path == "/challenges/{id:int}"
    )
    return [
        pytest.param(method, path, role, id=f"{method} {path} {role}")
        for method, path in about_a_challenge
        for role in OUTSIDERS_OF_A_DRAFT
    ]


@pytest.mark.parametrize(("method", "path", "role"), _draft_cases())
async def test_route_of_a_draft_challenge_is_not_found_but_to_its_organisers(
    world_holder: WorldHolder, method: str, path: str, role: str
) -> None:
    world = await world_holder.get()
    db = services(world_holder.app).db
    world_holder.pristine = False
    await unpublish(db, world.challenge)
    try:
        response = await send(world, method, path, role)
    finally:
        await publish(db, world.challenge)
    if response.status_code != 404:
        world_holder.dirty = True  # whatever it did: start the next test afresh

    assert response.status_code == 404, response.text[:300]


# A company follows the same rule: while its only challenge (the world's) is a draft, its
# page, API and edit form are not found but to its representatives, the challenge's
# organisers and admins (the rest of the time they are public: see EXPECTED).
COMPANY_OF_A_DRAFT: dict[str, tuple[Expected, ...]] = {
    "/companies/{id:int}": (404, 404, 404, 404, 404, 200, 200, 404, 200),
    "/api/v1/companies/{id:int}": (404, 404, 404, 404, 404, 200, 200, 404, 200),
    "/companies/{id:int}/edit": ("login", 404, 404, 404, 404, 200, 403, 404, 200),
}


@pytest.mark.parametrize(
    ("path", "role", "expected"),
    [
        pytest.param(path, role, expected, id=f"{path} {role}")
        for path, row in COMPANY_OF_A_DRAFT.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
async def test_company_of_a_draft_challenge_is_not_found_but_to_its_people(
    world_holder: WorldHolder, path: str, role: str, expected: Expected
) -> None:
    world = await world_holder.get()
    db = services(world_holder.app).db
    await unpublish(db, world.challenge)
    try:
        response = await send(world, "GET", path, role)
    finally:
        await publish(db, world.challenge)
    if expected == "login":
        assert _is_login_redirect(response), response.status_code
    else:
        assert response.status_code == expected, response.text[:300]
