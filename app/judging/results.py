"""Rankings from the scores, publishing the results as awards, and the results page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenges_queries
from app.challenges import service as challenges_service
from app.challenges.models import Challenge, Track
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy, use_locale
from app.judging import agreement as stats
from app.judging import charts, events, pairwise_admin, permissions, queries, ranking, voting
from app.judging.models import (
    Aggregation,
    Award,
    PublishedPlace,
    Round,
    RoundKind,
    RoundStatus,
)
from app.teams.models import Project, Team

PODIUM_PLACES = 3
PAIRWISE_METHOD = "bradley_terry"  # how a pairwise round decides: a fit of its votes


class RoundsStillOpen(Conflict):
    code = "rounds_still_open"
    message = lazy("Results can be published once every judging round is closed.")


class NothingToPublish(Conflict):
    code = "nothing_to_publish"
    message = lazy("There are no submitted scores to rank yet.")


class ResultsNotPublished(NotFound):
    code = "results_not_published"
    message = lazy("The results of this challenge are not published yet.")


@dataclass(frozen=True)
class RankedProject:
    project: queries.ProjectLabel
    team: queries.TeamLabel
    ranking: ranking.ProjectRanking
    # The mean of each independent criterion (scored and shown, not in the total).
    independent: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundResult:
    round: Round
    rows: list[RankedProject]
    leniency: dict[int, float]
    judge_names: dict[int, str] = field(default_factory=dict)
    z_notes: dict[int, ranking.ZNote] = field(default_factory=dict)
    agreement: stats.Agreement | None = None
    distributions: list[stats.Distribution] = field(default_factory=list)
    recommendation: stats.Recommendation | None = None

    @property
    def method(self) -> Aggregation:
        return self.round.aggregation

    @property
    def interval_chart(self) -> charts.Chart:
        return charts.intervals(
            [
                (
                    row.project.title,
                    row.ranking.interval_low,
                    row.ranking.score,
                    row.ranking.interval_high,
                    row.ranking.tied_with_better,
                )
                for row in self.rows
            ]
        )

    @property
    def judge_chart(self) -> charts.Chart:
        return charts.dots(
            [
                (self.judge_names.get(d.judge_id, f"#{d.judge_id}"), d.values, d.mean)
                for d in self.distributions
            ]
        )


RANKING_PAGE_SIZE = 100  # rows of each round's table a page of the organisers' ranking shows


@dataclass(frozen=True)
class RowsShown:
    """The rows of a round's ranking one page shows; every figure is the whole round's."""

    rows: list[RankedProject]
    first: int  # the position of the first row shown, from 1
    total: int
    page: int
    pages: int

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


@dataclass(frozen=True)
class RankingPage:
    challenge: Challenge
    rounds: list[RoundResult]
    all_closed: bool
    page: int = 1  # one page number for every round's table

    def shown(self, result: RoundResult) -> RowsShown:
        """The round's rows of this page (past its last page: its last)."""
        pages = max(1, -(-len(result.rows) // RANKING_PAGE_SIZE))
        page = min(self.page, pages)
        start = (page - 1) * RANKING_PAGE_SIZE
        rows = result.rows[start : start + RANKING_PAGE_SIZE]
        return RowsShown(rows, start + 1, len(result.rows), page, pages)


# An award's project and team: ORM rows (stored awards, the people's choice) or a ranking's
# labels (the jury's awards, made from the ranking).
AwardMade = tuple[Award, Project | queries.ProjectLabel, Team | queries.TeamLabel]


@dataclass(frozen=True)
class AwardRow:
    award: Award
    project: Project | queries.ProjectLabel
    team: Team | queries.TeamLabel
    track_name: str | None


@dataclass(frozen=True)
class Decision:
    """The round whose ranking decided the jury's awards, told in plain words on the page."""

    round: Round
    projects: int
    ties: bool  # some projects are statistically tied with the one above them

    @property
    def method(self) -> str:
        if self.round.kind == RoundKind.PAIRWISE:
            return PAIRWISE_METHOD
        return str(self.round.aggregation)


def _decision(result: RoundResult | None) -> Decision | None:
    if result is None:
        return None
    return Decision(
        result.round,
        len(result.rows),
        any(row.ranking.tied_with_better for row in result.rows),
    )


@dataclass(frozen=True)
class ResultsPage:
    challenge: Challenge
    published_at: datetime | None
    awards: list[AwardRow]
    is_preview: bool
    decision: Decision | None = None


async def round_results(
    session: AsyncSession, challenge_id: int, *, only: int | None = None
) -> list[RoundResult]:
    """Every round's three rankings from its submitted assignments, newest round first (with
    `only`, that round's alone: a shortlist needs no other round's bootstrap or refit)."""
    round_list = [
        r for r in await queries.rounds(session, challenge_id) if only is None or r.id == only
    ]
    by_track = await queries.track_rubrics(session, [r.id for r in round_list if r.id])
    # A track's own rubric in a round weighs its projects' sheets by its own criteria.
    rubric_ids = sorted(
        {r.rubric_id for r in round_list if r.rubric_id is not None}
        | {rubric_id for tracks in by_track.values() for rubric_id in tracks.values()}
    )
    criteria = [
        c for group in (await queries.criteria(session, rubric_ids)).values() for c in group
    ]
    independent_names = {c.id: c.name for c in criteria if c.independent and c.id is not None}
    # Each sheet's weighted total comes summed by the database (an independent criterion
    # weighs 0), as ranking.weighted_score would sum it: sum(weight * value) / 100.
    sheets = await queries.ranking_sheets(
        session,
        [r.id for r in round_list if r.id],
        counted=[c.id for c in criteria if c.id is not None],
        independent=list(independent_names),
    )
    independent: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for round_id, _judge_id, project_id, criterion_id, value in sheets.independent:
        independent[(round_id, project_id)][independent_names[criterion_id]].append(value)
    per_round: dict[int, list[ranking.JudgeScore]] = defaultdict(list)
    for round_id, judge_id, project_id, total in sheets.totals:
        per_round[round_id].append(ranking.JudgeScore(project_id, judge_id, total / 100))
    # Pairwise rounds are ranked by a Bradley-Terry fit of their valid votes instead.
    compared = await pairwise_admin.project_rankings(
        session, [r for r in round_list if r.kind == RoundKind.PAIRWISE]
    )
    ranked_ids = {project_id for _r, _j, project_id, _t in sheets.totals} | {
        row.project_id for rows in compared.values() for row in rows
    }
    names = {
        pid: found
        for pid, found in (await queries.submitted_labels(session, challenge_id)).items()
        if pid in ranked_ids
    }
    judges = await queries.judge_names(session, challenge_id)
    results = []
    for judging_round in reversed(round_list):
        round_id = judging_round.id or 0
        # A project withdrawn since it was scored is out of the competition: not ranked.
        scores = [s for s in per_round.get(round_id, []) if s.project_id in names]
        # Made again only when the round's scores or method changed (ranking.RankingMemo).
        ranked = await ranking.memo.rank(scores, method=judging_round.aggregation, seed=round_id)
        if judging_round.kind == RoundKind.PAIRWISE:
            ranked = ranking.RoundRanking(compared.get(round_id, []), {})
        rows = [
            RankedProject(
                *names[row.project_id],
                row,
                {
                    name: sum(found) / len(found)
                    for name, found in independent.get((round_id, row.project_id), {}).items()
                },
            )
            for row in ranked.rows
            if row.project_id in names
        ]
        agreement, distributions = _judges_figures(ranked, scores)
        results.append(
            RoundResult(
                judging_round,
                rows,
                ranked.leniency,
                judges,
                ranked.z_notes,
                agreement,
                distributions,
                stats.recommend(sheets.panels.get(round_id, {})),
            )
        )
    return results


def _judges_figures(
    ranked: ranking.RoundRanking, scores: list[ranking.JudgeScore]
) -> tuple[stats.Agreement | None, list[stats.Distribution]]:
    """The judges' agreement and distributions, made once per ranking: they read nothing
    but its scores and leniencies, so a ranking from the memo (same key, same scores)
    holds them from the view that made them (at 5,000 projects, a tenth of a view)."""
    found = ranked.figures.get("judges")
    if found is None:
        found = ranked.figures["judges"] = (
            stats.agreement(scores, ranked.leniency) if scores else None,
            stats.distributions(scores),
        )
    return cast(tuple[stats.Agreement | None, list[stats.Distribution]], found)


async def ranking_page(
    session: AsyncSession, *, user: User, challenge_id: int, page: int = 1
) -> RankingPage:
    """The organisers' view of every round's rankings, `page` of each round's table (from 1;
    past the last: the last)."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    rounds = await round_results(session, challenge_id)
    all_closed = bool(rounds) and all(r.round.status == RoundStatus.CLOSED for r in rounds)
    pages = max([-(-len(r.rows) // RANKING_PAGE_SIZE) for r in rounds] + [1])
    return RankingPage(access.challenge, rounds, all_closed, min(max(page, 1), pages))


def _awards(challenge_id: int, result: RoundResult, tracks: dict[int, Track]) -> list[AwardMade]:
    """Places 1-3 by the way the round decides (the first is the best idea), and the best of
    each track.

    Ties share the place: two projects equal at the top are both the best idea.
    """
    by_id = {row.project.id: row for row in result.rows}
    made: list[AwardMade] = []

    def add(name: str, track_id: int | None, project_id: int, rank: int) -> None:
        row = by_id[project_id]
        award = Award(
            challenge_id=challenge_id,
            project_id=project_id,
            track_id=track_id,
            name=name,
            rank=rank,
            score=round(row.ranking.score, 4),
        )
        made.append((award, row.project, row.team))

    overall = {pid: row.ranking.score for pid, row in by_id.items() if pid is not None}
    # The name says the place, as certificates print the name and not the rank.
    places = {1: _("Best idea"), 2: _("Second place"), 3: _("Third place")}
    for project_id, rank in ranking.podium(overall, places=PODIUM_PLACES):
        add(places[rank], None, project_id, rank)
    for track_id, track in sorted(tracks.items(), key=lambda item: (item[1].position, item[0])):
        in_track = {
            pid: mean for pid, mean in overall.items() if by_id[pid].project.track_id == track_id
        }
        for project_id, rank in ranking.podium(in_track, places=1):
            add(_("Best idea: %(track)s") % {"track": track.name}, track_id, project_id, rank)
    return made


def _deciding(ranked: list[RoundResult]) -> RoundResult | None:
    """The newest round with scores decides the jury's awards (e.g. the final after a
    pre-selection); None when no round has any (a challenge may award only the people's
    choice)."""
    return next((result for result in ranked if result.rows), None)


async def _jury_round(session: AsyncSession, challenge_id: int) -> RoundResult | None:
    return _deciding(await round_results(session, challenge_id))


def places(result: RoundResult) -> list[PublishedPlace]:
    """Every ranked project's place in the round, as publishing fixes it."""
    rows = result.rows
    assert result.round.id is not None
    return [
        PublishedPlace(
            round_id=result.round.id,
            project_id=row.project.id,
            rank=row.ranking.rank,
            projects=len(rows),
            score=row.ranking.score,
            interval_low=row.ranking.interval_low,
            interval_high=row.ranking.interval_high,
            tied_above=row.ranking.tied_with_better,
            tied_below=i + 1 < len(rows) and rows[i + 1].ranking.tied_with_better,
            winner_id=rows[0].project.id,
        )
        for i, row in enumerate(rows)
    ]


async def publish_results(
    session: AsyncSession, *, user: User, challenge_id: int, locale: str
) -> list[Award]:
    """Fix the awards, mark the results published and announce it; only once (the
    challenge's row lock makes a second publisher wait, then see it published)."""
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=challenge_id, lock=True
    )
    challenge = access.challenge
    if challenge.results_published_at is not None:
        # Published already (a double click, or two organisers at once): the awards stand.
        return await queries.awards(session, challenge_id)
    round_list = await queries.rounds(session, challenge_id)
    if not round_list or any(r.status != RoundStatus.CLOSED for r in round_list):
        raise RoundsStillOpen(_(RoundsStillOpen.message))
    ranked = await round_results(session, challenge_id)
    result = _deciding(ranked)
    tracks = {t.id: t for t in await challenges_queries.tracks(session, challenge_id) if t.id}
    # Award names are kept in the platform's language: certificates print them as stored.
    with use_locale(locale):
        made: list[AwardMade] = _awards(challenge_id, result, tracks) if result else []
        made += await voting.people_choice_awards(
            session, challenge_id=challenge_id, rounds=round_list
        )
    if not made:
        raise NothingToPublish(_(NothingToPublish.message))
    awards = [award for award, _project, _team in made]
    session.add_all(awards)
    # Every round is closed now, so its ranking no longer changes: the pages read it as fixed.
    session.add_all(place for round_result in ranked for place in places(round_result))
    await challenges_service.record_results_published(
        session, challenge_id=challenge_id, at=utcnow()
    )
    await session.flush()
    log_action(
        session,
        actor_id=user.id,
        action=events.RESULTS_PUBLISHED,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
        data={"round_id": result.round.id if result else None, "awards": len(awards)},
    )
    emit(session, events.ResultsPublished(challenge_id=challenge_id))
    return awards


async def _published_decision(session: AsyncSession, challenge_id: int) -> Decision | None:
    """How the published awards were decided, from the places fixed with them; results
    published before places were stored (or without a jury round) rank the rounds again."""
    fixed = await queries.published_decision(session, challenge_id)
    if fixed is None:
        return _decision(await _jury_round(session, challenge_id))
    return Decision(*fixed)


async def results_page(
    session: AsyncSession, *, user: User | None, challenge_id: int, locale: str
) -> ResultsPage:
    """The published awards for everybody; before publication, a preview for organisers."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    challenge = access.challenge
    if not permissions.can_see_results(access, challenge):
        raise ResultsNotPublished(_(ResultsNotPublished.message))
    tracks = {t.id: t for t in await challenges_queries.tracks(session, challenge_id) if t.id}
    if challenge.results_published_at is not None:
        stored = await queries.awards(session, challenge_id)
        names = await queries.project_names(session, sorted({a.project_id for a in stored}))
        made: list[AwardMade] = [(a, *names[a.project_id]) for a in stored if a.project_id in names]
        decision = await _published_decision(session, challenge_id)
    else:
        result = await _jury_round(session, challenge_id)
        decision = _decision(result)
        with use_locale(locale):
            made = _awards(challenge_id, result, tracks) if result else []
            made += await voting.people_choice_awards(
                session,
                challenge_id=challenge_id,
                rounds=await queries.rounds(session, challenge_id),
            )
    rows = [
        AwardRow(award, project, team, tracks[award.track_id].name if award.track_id else None)
        for award, project, team in made
    ]
    rows.sort(
        key=lambda row: (
            tracks[row.award.track_id].position if row.award.track_id else -1,
            row.award.rank,
            row.project.title,
        )
    )
    return ResultsPage(
        challenge=challenge,
        published_at=challenge.results_published_at,
        awards=rows,
        is_preview=challenge.results_published_at is None,
        decision=decision,
    )
