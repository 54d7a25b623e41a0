"""`python -m bench.load`: a bounded load run on loopback, in the production shape.

PostgreSQL (a scratch database, created and dropped), Redis, two uvicorn workers
(`madrina serve --workers 2`) and an arq worker (`madrina worker`), holding the shared
synthetic dataset (bench/data.py) at 5,000 projects and 500 judges (`--projects`). wrk
(bench/load.lua) loads one page at a time for a fixed time: the pages of `make bench` (home,
challenge list, challenge page, JSON gallery, project pages, a judge's assignments, the
organisers' ranking) and the judges' scoring flow (open a score sheet, post the scores with
the session's CSRF token, get the 303 back), then again with 100 judges at once. It prints
requests, req/s, p50 and p99 per page and the machine's facts. It exits 1 if any answer was
not the expected one (a non-2xx/3xx status, a redirect elsewhere, a socket error or a
timeout), if a page got no answer within its run, if a score sheet answered as saved is not
in the database whole, if the worker leaves events undispatched, or if a server logged an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, text
from sqlmodel import col, select

from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import User
from app.config import Settings
from app.db import Database
from app.events.models import OutboxEvent
from app.judging.models import Assignment, Criterion, Round, Score
from app.middleware import CSRF_COOKIE
from app.migrate import upgrade
from bench import stack, wrk
from bench.data import BenchData, generate
from bench.harness import ms, quantile, table
from bench.wrk import Page, Request, Result

PROJECTS = 5000  # one project per team; a judge for every ten projects
JUDGES_AT_ONCE = 100
SAVED = "/judging?saved=1"  # where a saved score sheet sends the judge
SHEET, SCORE = "scoring: open sheet", "scoring: post score"


# The plans ----------------------------------------------------------------------------------


def visitor_cookie(seed: int) -> str:
    """A returning visitor's CSRF cookie (43 characters, as the middleware mints them)."""
    return f"{CSRF_COOKIE}={random.Random(seed).randbytes(32).hex()[:43]}"


async def logged_in(db: Database, user_ids: list[int]) -> dict[int, str]:
    """A logged-in session per person, made as the login page makes it."""
    tokens = {}
    async with db.transaction() as session:
        for user_id in user_ids:
            user = await session.get(User, user_id)
            assert user is not None
            tokens[user_id] = await accounts_service.start_session(session, user=user, days=1)
    return tokens


def session_cookie(user_id: int, token: str) -> str:
    return f"{visitor_cookie(user_id)}; {SESSION_COOKIE}={token}"


async def scoring_plan(db: Database, sessions: dict[int, str], base: str) -> list[Request]:
    """Every assignment: its sheet, then its scores posted with the CSRF token the sheet's
    form carries (read from the page, once per judge, as a browser would)."""
    async with db.read() as session:
        rows = await session.execute(
            select(Assignment.id, Assignment.judge_id).order_by(
                col(Assignment.judge_id), col(Assignment.id)
            )
        )
        assignments = [(int(a), int(j)) for a, j in rows.all()]
    forms: dict[int, tuple[str, str, list[str]]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for assignment_id, judge_id in assignments:
            if judge_id in forms:
                continue
            cookie = session_cookie(judge_id, sessions[judge_id])
            page = await client.get(
                f"/judging/assignments/{assignment_id}", headers={"cookie": cookie}
            )
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            criteria = sorted(set(re.findall(r'name="(criterion-\d+)"', page.text)))
            if page.status_code != 200 or found is None or not criteria:
                raise RuntimeError(f"judge {judge_id}'s score sheet: HTTP {page.status_code}")
            forms[judge_id] = (cookie, found.group(1), criteria)
    rng = random.Random(0)
    plan = []
    for assignment_id, judge_id in assignments:
        cookie, token, criteria = forms[judge_id]
        path = f"/judging/assignments/{assignment_id}"
        values = {"csrf_token": token, **{c: str(rng.randint(1, 5)) for c in criteria}}
        body = urlencode({**values, "comment": "Prova di carico: idea chiara."})
        plan.append(Request(SHEET, "GET", path, cookie, 200))
        plan.append(Request(SCORE, "POST", path, cookie, 303, SAVED, body))
    return plan


async def pages(db: Database, data: BenchData, base: str) -> list[Page]:
    """The pages of `make bench`, and the judges' scoring flow."""
    cookie = visitor_cookie(0)
    challenge = f"/challenges/{data.challenge_ids[0]}"
    projects = [Request("project", "GET", f"/projects/{p}", cookie, 200) for p in data.project_ids]
    sessions = await logged_in(db, [data.organiser_id, *data.judge_ids])
    organiser = session_cookie(data.organiser_id, sessions.pop(data.organiser_id))
    judges = [
        Request("judge: assignments", "GET", "/judging", session_cookie(j, token), 200)
        for j, token in sessions.items()
    ]
    # Ordered by judge: threads start spread over the plan, so on different judges.
    scoring = await scoring_plan(db, sessions, base)
    return [
        Page("home", [Request("home", "GET", "/", cookie, 200)]),
        Page("challenge list", [Request("challenge list", "GET", "/challenges", cookie, 200)]),
        Page("challenge", [Request("challenge", "GET", challenge, cookie, 200)]),
        Page(
            "gallery API", [Request("gallery API", "GET", f"/api/v1{challenge}/projects", "", 200)]
        ),
        Page("project", projects),
        Page("judge: assignments", judges),
        Page(
            "organiser: ranking",
            [Request("ranking", "GET", f"{challenge}/ranking", organiser, 200)],
        ),
        # As after any write: a query never asked before, so the organiser's kept page
        # (app.personalcache) is not there and the page is made (its ranking, memoised).
        Page(
            "organiser: ranking, made afresh",
            [
                Request(
                    "ranking, made afresh", "GET", f"{challenge}/ranking?afresh={n}", organiser, 200
                )
                for n in range(10_000)
            ],
        ),
        Page("scoring", scoring, step=2),
        # The final's rush: every connection a judge of its own, posting at once.
        Page(f"scoring, {JUDGES_AT_ONCE} judges at once", scoring, 2, JUDGES_AT_ONCE),
    ]


# The run ---------------------------------------------------------------------------------------


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)"


def row(name: str, samples: list[float], seconds: float, errors: int) -> list[object]:
    p50, p99 = ms(quantile(samples, 0.5)), ms(quantile(samples, 0.99))
    return [name, len(samples), len(samples) / seconds, p50, p99, errors]


def rows(page: Page, result: Result) -> list[list[object]]:
    """A row per kind of request; for a flow, one more for its steps together."""
    kinds = list(dict.fromkeys(r.kind for r in page.plan))
    if len(kinds) == 1:
        return [row(kinds[0], result.latencies.get(kinds[0], []), result.seconds, result.failures)]
    out = [
        row(kind, result.latencies.get(kind, []), result.seconds, result.unexpected.get(kind, 0))
        for kind in kinds
    ]
    every = [s for kind in kinds for s in result.latencies.get(kind, [])]
    out.append(row(f"{page.name}: both steps", every, result.seconds, result.failures))
    return out


async def drained(db: Database, seconds: float) -> tuple[dict[str, int], int, float]:
    """Events by type, those the worker has not dispatched yet, and the seconds waited."""
    started = time.monotonic()
    while True:
        async with db.read() as session:
            counts = await session.execute(
                select(OutboxEvent.type, func.count()).group_by(col(OutboxEvent.type))
            )
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(col(OutboxEvent.dispatched_at).is_(None))
            )
        waited = time.monotonic() - started
        if not waiting or waited > seconds:
            return {kind: int(n) for kind, n in counts.all()}, waiting or 0, waited
        await asyncio.sleep(0.5)


async def run(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        raise stack.StackError("wrk is missing: `apt-get install -y wrk` (make load does it)")
    print(f"Madrina load run: {machine()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="madrina-load-"))
    try:
        async with (
            stack.scratch_database(args.database_url, args.database) as database_url,
            stack.redis(args.redis_url, work / "redis") as redis_url,
        ):
            return await measure(args, work, database_url, redis_url)
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def measure(args: argparse.Namespace, work: Path, database_url: str, redis_url: str) -> int:
    started = time.perf_counter()
    settings = Settings(_env_file=None, database_url=database_url, storage_dir=work / "storage")
    await asyncio.to_thread(upgrade, database_url)
    db = Database(settings)
    try:
        data = await generate(db, teams=args.projects, judges=max(3, args.projects // 10))
        seconds = time.perf_counter() - started
        print(
            f"Dataset: {len(data.project_ids):,} projects, {len(data.judge_ids)} judges, "
            f"{data.total_rows:,} rows in {seconds:.1f}s",
            flush=True,
        )
        port = stack.free_port()
        env = stack.child_environment(
            database_url=database_url,
            redis_url=redis_url,
            base_url=f"http://127.0.0.1:{port}",
            storage=settings.storage_dir,
        )
        async with stack.servers(env, port, work) as base:
            plan = await pages(db, data, base)
            results = []
            for page in plan:
                print(f"  {page.name}: {args.warmup:g}s warm-up, {args.duration:g}s", flush=True)
                runs = [
                    await asyncio.to_thread(
                        wrk.run,
                        base,
                        page,
                        seconds=s,
                        connections=page.connections or args.connections,
                        work=work,
                    )
                    for s in (args.warmup, args.duration)
                ]
                warm, measured = runs
                results.append((page, warm, measured))
            events, waiting, waited = await drained(db, args.drain)
            acknowledged = {
                int(path.rsplit("/", 1)[1])
                for _page, *runs in results
                for result in runs
                for path in result.acknowledged.get(SCORE, [])
            }
            stored = await stored_sheets(db, acknowledged)
        logged = stack.logged_errors(work)  # the servers have stopped: their logs are whole
        if args.logs:
            _keep_logs(work, args.logs)
        version = await _postgres_version(db)
    finally:
        await db.dispose()
    return report(args, results, events, waiting, waited, acknowledged, stored, logged, version)


async def stored_sheets(db: Database, acknowledged: set[int]) -> int:
    """How many of the score sheets answered as saved are submitted in the database with a
    score for each of their rubric's criteria, no more, no fewer (a lost or a doubled write
    both miss)."""
    if not acknowledged:
        return 0
    per_sheet = (
        select(Score.assignment_id, func.count().label("scores"))
        .where(col(Score.assignment_id).in_(acknowledged))
        .group_by(col(Score.assignment_id))
        .subquery()
    )
    criteria = (
        select(Criterion.rubric_id, func.count().label("criteria"))
        .group_by(col(Criterion.rubric_id))
        .subquery()
    )
    async with db.read() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(per_sheet, per_sheet.c.assignment_id == Assignment.id)
            .join(Round, col(Round.id) == Assignment.round_id)
            .join(criteria, criteria.c.rubric_id == Round.rubric_id)
            .where(
                col(Assignment.submitted_at).is_not(None),
                per_sheet.c.scores == criteria.c.criteria,
            )
        )
    return int(stored or 0)


def _keep_logs(work: Path, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for log in work.glob("*.log"):
        shutil.copy(log, directory / log.name)


async def _postgres_version(db: Database) -> str:
    async with db.read() as session:
        version = str(await session.scalar(text("SHOW server_version")))
    return version.split()[0]


def report(
    args: argparse.Namespace,
    results: list[tuple[Page, Result, Result]],
    events: dict[str, int],
    waiting: int,
    waited: float,
    acknowledged: set[int],
    stored: int,
    logged: stack.Logged,
    postgres: str,
) -> int:
    table_rows = [row for page, _warm, measured in results for row in rows(page, measured)]
    print(
        table(
            f"Load on loopback: wrk, {args.connections} connections, {args.duration:g}s per page "
            f"(after {args.warmup:g}s warm-up); 2 uvicorn workers + 1 arq worker",
            ["page", "requests", "req/s", "p50 ms", "p99 ms", "errors"],
            table_rows,
        )
    )
    print(
        f"project: the {args.projects:,} project pages in turn; judge: assignments: "
        "every judge in turn; ranking: the organiser's kept page; made afresh: a query never\n"
        "asked before each time, as after a write; scoring: every assignment in turn, its sheet "
        "then its scores\n(expected: 303 to /judging?saved=1). errors: any other status or "
        f"redirect, socket errors, answers slower than {wrk.TIMEOUT}."
    )
    posted = sum(len(r.acknowledged.get(SCORE, [])) for _p, warm, m in results for r in (warm, m))
    print(
        f"Score posts answered as saved (303): {posted:,}, on {len(acknowledged):,} score sheets "
        f"(a sheet met again is saved again); in the database, submitted with one score per "
        f"criterion: {stored:,} of those {len(acknowledged):,}."
    )
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(events.items()))
    print(f"Outbox: {kinds or 'no events'}; undispatched {waited:.1f}s after the load: {waiting}.")
    redis_kind = "REDIS_URL" if args.redis_url else "embedded"
    print(f"Machine: {machine()}")
    print(f"Python {platform.python_version()}, PostgreSQL {postgres}, Redis ({redis_kind})")
    problems = []
    for page, warm, measured in results:
        if not any(measured.latencies.values()):  # every request took longer than the run
            problems.append(f"{page.name}: no answer within the {args.duration:g}s run")
        for name, result in (("warm-up", warm), ("run", measured)):
            if result.failures:
                sockets = ", ".join(f"{k} {v}" for k, v in result.socket_errors.items() if v)
                problems.append(
                    f"{page.name} ({name}): {result.failures} failed requests "
                    f"[{sockets or 'no socket errors'}] {result.first_unexpected}"
                )
    if stored < len(acknowledged):
        problems.append(
            f"only {stored} of the {len(acknowledged)} score sheets answered as saved are "
            "stored whole in the database"
        )
    if waiting:
        problems.append(f"the arq worker left {waiting} events undispatched after {waited:.0f}s")
    if logged.disconnects:
        print(
            f"Logged: {logged.disconnects} ClientDisconnect tracebacks, from posts whose client "
            "left before the app read the body (wrk closes its connections when time is up)."
        )
    problems += logged.errors
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


def main() -> None:
    summary = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=summary)
    parser.add_argument(
        "--projects", type=int, default=PROJECTS, help=f"projects in the dataset ({PROJECTS:,})"
    )
    parser.add_argument("--duration", type=float, default=12, help="seconds per page (12)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before each page (2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server to create the scratch database on (default: $DATABASE_URL; "
        "its own database is only used to connect)",
    )
    parser.add_argument("--database", default="madrina_load", help="scratch database's name")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", ""),
        help="Redis for the queue (default: $REDIS_URL, else a private embedded one)",
    )
    parser.add_argument(
        "--drain", type=float, default=60, help="seconds to wait for the worker after (60)"
    )
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this directory")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit(
            "bench.load needs PostgreSQL: set DATABASE_URL or pass --database-url, e.g. "
            "postgresql://postgres@127.0.0.1:5432/postgres (`make load` uses that by default). "
            "It creates the database madrina_load there and drops it afterwards."
        )
    try:
        sys.exit(asyncio.run(run(args)))
    except stack.StackError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
