"""The organisers' programme-wide adoption report (app.reports.adoptions) with 500 adoptions
and 5,000 milestones, through the real app and an organiser's login: statements per page
(the same for one adoption as for 500), p50/p99 of the page and of its CSV and XLSX files.

The programme has two stages and an earlier edition of the first: the 500 adoptions are
spread over the three challenges and 40 companies, each with 10 milestones (most
confirmed, mentoring hours, internships and payments among them). A second programme with
one adoption and one milestone gives the count to compare with.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from httpx import ASGITransport, AsyncClient
from sqlalchemy import insert, select

from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge, Programme
from app.db import Database, utcnow
from app.main import create_app
from app.migrate import upgrade
from app.sponsors.models import Adoption, AdoptionMilestone, AdoptionStatus, MilestoneKind, Sponsor
from app.teams.models import Project, ProjectStatus, Team
from app.web import services
from bench.harness import BASE_URL, QueryCounter, bench_settings, ms, quantile, table

ADOPTIONS = 500
MILESTONES_EACH = 10  # 5,000 in all
COMPANIES = 40
QUICK_ADOPTIONS = 60
KINDS = (
    MilestoneKind.KICKOFF,
    MilestoneKind.MENTORING,
    MilestoneKind.MENTORING,
    MilestoneKind.INTERNSHIP_STARTED,
    MilestoneKind.MENTORING,
    MilestoneKind.FUNDING_PAID,
    MilestoneKind.MENTORING,
    MilestoneKind.PROTOTYPE_DELIVERED,
    MilestoneKind.MENTORING,
    MilestoneKind.INTERNSHIP_ENDED,
)


async def _ids(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows of a table and return their ids, in order."""
    table_ = model.__table__
    result = await session.execute(insert(table_).returning(table_.c.id), rows)
    return [row[0] for row in result.all()]


async def _programme(db: Database, organiser_id: int, *, slug: str, adoptions: int) -> int:
    """A programme (two stages and an earlier edition) with `adoptions` accepted adoptions
    and MILESTONES_EACH milestones each (1 milestone when there is one adoption)."""
    now = utcnow()
    day = timedelta(days=1)
    async with db.transaction() as session:
        (programme_id,) = await _ids(
            session, Programme, [{"slug": slug, "name": slug, "created_at": now, "description": ""}]
        )
        earlier = (await _ids(session, Challenge, [_challenge(f"{slug}-2025", None, 1, None)]))[0]
        stages = await _ids(
            session,
            Challenge,
            [
                _challenge(f"{slug}-climathon", programme_id, 1, earlier),
                _challenge(f"{slug}-hackathon", programme_id, 2, None),
            ],
        )
        challenges = [*stages, earlier]
        await session.execute(
            insert(Role.__table__),  # type: ignore[attr-defined]
            [
                {"user_id": organiser_id, "challenge_id": c, "kind": RoleKind.ORGANISER.value,
                 "created_at": now}
                for c in challenges
            ],
        )  # fmt: skip
        sponsors = await _ids(
            session,
            Sponsor,
            [
                {"challenge_id": c, "name": f"Impresa {k:02d}", "website": "", "description": "",
                 "created_at": now}
                for c in challenges
                for k in range(min(COMPANIES, adoptions))
            ],
        )  # fmt: skip
        per_challenge = len(sponsors) // len(challenges)
        teams = await _ids(
            session,
            Team,
            [
                {"challenge_id": challenges[n % 3], "name": f"Squadra {n}",
                 "coach_id": organiser_id, "class_name": "4B", "created_at": now}
                for n in range(adoptions)
            ],
        )  # fmt: skip
        projects = await _ids(
            session,
            Project,
            [
                {"challenge_id": challenges[n % 3], "team_id": teams[n],
                 "title": f"Idea {n}", "summary": "", "description": "",
                 "status": ProjectStatus.SUBMITTED.value, "version": 1,
                 "created_at": now, "updated_at": now, "submitted_at": now}
                for n in range(adoptions)
            ],
        )  # fmt: skip
        adoption_ids = await _ids(
            session,
            Adoption,
            [
                {"challenge_id": challenges[n % 3],
                 "sponsor_id": sponsors[(n % 3) * per_challenge + (n // 3) % per_challenge],
                 "project_id": projects[n], "status": AdoptionStatus.ACCEPTED.value,
                 "mentoring_hours": 20, "internships": 2, "funding_eur": 1000,
                 "materials": "", "contact_person": "", "message": "", "version": 1,
                 "team_message": "", "proposed_by": organiser_id, "proposed_at": now - 90 * day,
                 "decided_by": organiser_id, "decided_at": now - 80 * day,
                 "declined_automatically": False, "reason": "", "public_recognition": True}
                for n in range(adoptions)
            ],
        )  # fmt: skip
        each = MILESTONES_EACH if adoptions > 1 else 1
        await session.execute(
            insert(AdoptionMilestone.__table__),  # type: ignore[attr-defined]
            [
                {"adoption_id": a, "kind": KINDS[m].value,
                 "happened_on": (now - (70 - 6 * m) * day).date(),
                 "hours": 2 if KINDS[m] == MilestoneKind.MENTORING else 0,
                 "amount_eur": 250 if KINDS[m] == MilestoneKind.FUNDING_PAID else 0,
                 "note": "", "proposed_side": "sponsor", "proposed_by": organiser_id,
                 "proposed_at": now - 60 * day,
                 "confirmed_by": organiser_id if m < 8 else None,
                 "confirmed_at": now - 50 * day if m < 8 else None,
                 "file_name": "", "file_type": "", "file_size": 0, "file_sha256": ""}
                for a in adoption_ids
                for m in range(each)
            ],
        )  # fmt: skip
    return programme_id


def _challenge(
    slug: str, programme_id: int | None, stage: int, previous: int | None
) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": slug,
        "summary": "",
        "description": "",
        "rules": "",
        "is_published": True,
        "programme_id": programme_id,
        "stage": stage,
        "previous_edition_id": previous,
        "created_at": utcnow(),
    }


async def _organiser(db: Database) -> tuple[int, str]:
    async with db.transaction() as session:
        user = User(
            email="organiser@example.org",
            name="Olga Organizzatrice",
            password_hash="x",  # noqa: S106 - never logs in with a password: a session
        )
        session.add(user)
        await session.flush()
        token = await accounts_service.start_session(session, user=user, days=1)
        assert user.id is not None
        return user.id, token


async def _time(http: AsyncClient, path: str, n: int) -> list[float]:
    await http.get(path)  # warm
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = await http.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return samples


async def run(quick: bool) -> None:
    adoptions = QUICK_ADOPTIONS if quick else ADOPTIONS
    repeats = 5 if quick else 40
    directory = Path(tempfile.mkdtemp(prefix="madrina-bench-adoptions-"))
    try:
        settings = bench_settings(directory)
        await asyncio.to_thread(upgrade, settings.database_url)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            db: Database = services(app).db
            organiser_id, token = await _organiser(db)
            started = time.perf_counter()
            big = await _programme(db, organiser_id, slug="grande", adoptions=adoptions)
            small = await _programme(db, organiser_id, slug="piccolo", adoptions=1)
            seconds = time.perf_counter() - started
            async with db.read() as session:
                milestones = len(list((await session.execute(select(AdoptionMilestone.id))).all()))
            counter = QueryCounter(db)
            async with AsyncClient(
                transport=ASGITransport(app=app),
                base_url=BASE_URL,
                cookies={SESSION_COOKIE: token},
                headers={"accept-encoding": "identity"},
            ) as http:
                statements = {}
                for name, programme in (("one", small), ("many", big)):
                    await http.get(f"/programmes/{programme}/adoptions")  # warm
                    before = counter.count
                    page = await http.get(f"/programmes/{programme}/adoptions")
                    assert page.status_code == 200
                    statements[name] = counter.count - before
                rows = []
                for label, suffix in (("page", ""), ("CSV", ".csv"), ("XLSX", ".xlsx")):
                    path = f"/programmes/{big}/adoptions{suffix}"
                    samples = await _time(http, path, repeats)
                    rows.append(
                        [
                            label,
                            statements["many"] if not suffix else "-",
                            ms(quantile(samples, 0.5)),
                            ms(quantile(samples, 0.99)),
                        ]
                    )
        print(
            table(
                f"Programme adoption report: {adoptions:,} adoptions, {milestones - 1:,} "
                f"milestones, 3 challenges (data made in {seconds:.1f}s; {repeats} requests)",
                ["what", "statements", "p50 ms", "p99 ms"],
                rows,
            ),
            flush=True,
        )
        same = "the same" if statements["one"] == statements["many"] else "NOT the same"
        print(
            f"statements per page: {statements['one']} for 1 adoption, "
            f"{statements['many']} for {adoptions:,} ({same})",
            flush=True,
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.adoptions")
    parser.add_argument("--quick", action="store_true")
    asyncio.run(run(parser.parse_args().quick))
