"""Page serving: our full stack against bare Starlette + Jinja2 giving the same bytes.

Three ways to answer each page, timed interleaved in the same run:

- ours: the real app (middleware, session lookup, services, SQL, template);
- tmpl: a bare Starlette endpoint rendering the same template from the context our page
  rendered (captured once): the template's own cost, without middleware or database;
- bare: a bare Starlette endpoint rendering the captured page through a trivial Jinja2
  template: the floor for a response of that size;
- miss (HTML pages): ours with a query string never asked before, so the page caches
  (app.caching for anonymous people, app.personalcache for a logged-in browser) miss and
  the page is made afresh and stored: what the first visit after a write pays. "ours" on
  those pages is what a visit gets while nothing is written.

ours/tmpl is the cost of our middleware, queries and services; ours/bare adds the template.
SQL statements per page (of a miss) are counted at N and 10N: equal counts mean no N+1.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jinja2
from httpx import ASGITransport, AsyncClient
from markupsafe import Markup
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from app import i18n, templating
from app.judging.models import Assignment
from bench import loopback
from bench.harness import (
    ANONYMOUS,
    BASE_URL,
    COACH,
    EXPO_JUDGE,
    JUDGE,
    ORGANISER,
    REPRESENTATIVE,
    BenchApp,
    Timing,
    bench_app,
    ms,
    table,
    time_calls,
)


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # placeholders: page_urls' values
    who: str
    constant_size: bool  # the page shows a fixed amount whatever the challenge's size


PAGES = (
    Page("home", "/", ANONYMOUS, True),
    Page("challenge list", "/challenges", ANONYMOUS, True),
    Page("challenge + gallery", "/challenges/{challenge}", ANONYMOUS, False),
    Page("gallery API (JSON)", "/api/v1/challenges/{challenge}/projects", ANONYMOUS, False),
    Page("project", "/projects/{project}", ANONYMOUS, True),
    Page("judge: assignments", "/judging", JUDGE, True),
    Page("judge: score sheet", "/judging/assignments/{assignment}", JUDGE, True),
    Page("organiser: ranking", "/challenges/{challenge}/ranking", ORGANISER, False),
    # Issues 9 and 10's pages (bench.data.Extras).
    Page("results (published)", "/challenges/{results}/results", ANONYMOUS, True),
    Page("certificate check", "/verify/{code}", ANONYMOUS, True),
    Page("people's vote: ballot", "/rounds/{vote_round}/vote", ANONYMOUS, False),
    Page("coach: feedback", "/projects/{feedback_project}/feedback", COACH, True),
    Page("judge: pairwise walk", "/pairwise/{pairwise_round}", EXPO_JUDGE, True),
    Page("company: ideas", "/companies/{company}/ideas", REPRESENTATIVE, True),
    Page("adoption follow-up", "/adoptions/{adoption}/follow-up", REPRESENTATIVE, True),
)


@dataclass
class Captured:
    """One real response, with what it took and what its template was given."""

    page: Page
    url: str
    body: bytes
    content_type: str
    seconds: float
    queries: int
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def kb(self) -> float:
        return len(self.body) / 1024


async def page_urls(env: BenchApp) -> dict[str, str]:
    """Every page's URL in this dataset: its challenge, a project, a judge's assignment, and
    the extras' challenge, rounds, certificate, company and adoption."""
    judge_id = env.data.judge_ids[0]
    extras = env.data.extras
    assert extras is not None, "the pages benchmark needs a dataset made with extras"
    async with env.db.read() as session:
        assignment_id = await session.scalar(
            select(Assignment.id)
            .where(col(Assignment.judge_id) == judge_id)
            .order_by(col(Assignment.id))
        )
    values = {
        "challenge": env.data.challenge_ids[0],
        "project": env.data.project_ids[len(env.data.project_ids) // 2],
        "assignment": assignment_id,
        "results": extras.results_challenge_id,
        "code": extras.certificate_code,
        "vote_round": extras.vote_round_id,
        "feedback_project": extras.feedback_project_id,
        "pairwise_round": extras.pairwise_round_id,
        "company": extras.company_id,
        "adoption": extras.adoption_id,
    }
    return {page.name: page.path.format(**values) for page in PAGES}


@contextmanager
def recording_templates() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Record the name and context of every template rendered from the top (not includes)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    original = jinja2.Template.render

    def render(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        context = dict(*args, **kwargs)
        seen.append((self.name or "", context))
        return original(self, context)

    jinja2.Template.render = render  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        jinja2.Template.render = original  # type: ignore[method-assign]


class Clients:
    """One in-process client per identity, kept for the whole run (cookies included)."""

    def __init__(self, env: BenchApp) -> None:
        self.env = env
        self.clients: dict[str, AsyncClient] = {}

    def __call__(self, who: str) -> AsyncClient:
        if who not in self.clients:
            self.clients[who] = self.env.client(self.env.user_id(who))
        return self.clients[who]

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()


async def get_ok(client: AsyncClient, url: str) -> bytes:
    response = await client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response.content


async def capture(env: BenchApp) -> list[Captured]:
    """Ask for every page once: body, SQL statements, time, template and context."""
    clients = Clients(env)
    try:
        return await _capture(env, clients)
    finally:
        await clients.aclose()


async def _capture(env: BenchApp, clients: Clients) -> list[Captured]:
    urls = await page_urls(env)
    captured = []
    for page in PAGES:
        client = clients(page.who)
        await client.get("/healthz")  # sets the CSRF cookie, as a browser would have it
        before = env.queries.count
        with recording_templates() as seen:
            started = time.perf_counter()
            response = await client.get(urls[page.name])
            seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {urls[page.name]} answered {response.status_code}")
        item = Captured(
            page,
            urls[page.name],
            response.content,
            response.headers["content-type"],
            seconds,
            env.queries.count - before,
        )
        if seen:
            item.template, item.context = seen[0]
        captured.append(item)
    return captured


def baseline_app(captured: list[Captured]) -> Starlette:
    """Bare Starlette: /template/i renders page i's template from its captured context;
    /bare/i renders page i's captured body through a one-line Jinja2 template."""
    trivial = jinja2.Environment(autoescape=True).from_string("{{ body }}")
    # Our own page, captured a moment ago: it is HTML already.
    bodies = [Markup(c.body.decode()) for c in captured]  # noqa: S704

    async def tmpl(request: Request) -> Response:
        item = captured[request.path_params["i"]]
        assert item.template is not None
        with i18n.use_locale("it"):
            html = templating.env.get_template(item.template).render(item.context)
        return HTMLResponse(html)

    async def bare(request: Request) -> Response:
        i = request.path_params["i"]
        item = captured[i]
        if item.template is None:  # JSON: the same bytes, nothing to render
            return Response(item.body, media_type=item.content_type)
        return HTMLResponse(trivial.render(body=bodies[i]))

    return Starlette(
        routes=[Route("/template/{i:int}", tmpl), Route("/bare/{i:int}", bare)],
    )


def _getter(client: AsyncClient, url: str) -> Callable[[], Awaitable[bytes]]:
    async def call() -> bytes:
        return await get_ok(client, url)

    return call


def _missing(client: AsyncClient, url: str) -> Callable[[], Awaitable[bytes]]:
    """Each call with a new query string (which the pages ignore): never in the cache."""
    count = itertools.count()

    async def call() -> bytes:
        return await get_ok(client, f"{url}?bench-miss={next(count)}")

    return call


async def compare(
    env: BenchApp, clients: Clients, captured: list[Captured], *, runs: int, per_run: int
) -> dict[str, dict[str, Timing]]:
    """Time ours, tmpl and bare for every page, interleaved."""
    base = AsyncClient(transport=ASGITransport(app=baseline_app(captured)), base_url=BASE_URL)
    results: dict[str, dict[str, Timing]] = {}
    try:
        for i, item in enumerate(captured):
            # Check once that the baselines give the page we captured (give or take the
            # CSRF token, which differs per browser).
            tmpl_size = len(await get_ok(base, f"/template/{i}")) if item.template else None
            bare_size = len(await get_ok(base, f"/bare/{i}"))
            if bare_size != len(item.body) or (tmpl_size and abs(tmpl_size - bare_size) > 64):
                raise RuntimeError(f"{item.page.name}: baseline sizes {tmpl_size}, {bare_size}")
            calls = {"ours": _getter(clients(item.page.who), item.url)}
            if item.template:
                calls["miss"] = _missing(clients(item.page.who), item.url)
            if item.template:
                calls["tmpl"] = _getter(base, f"/template/{i}")
            calls["bare"] = _getter(base, f"/bare/{i}")
            results[item.page.name] = await time_calls(calls, runs=runs, per_run=per_run)
    finally:
        await base.aclose()
    return results


def print_comparison(env: BenchApp, captured: list[Captured], timings: dict[str, Any]) -> None:
    rows = []
    for item in captured:
        t = timings[item.page.name]
        ours, bare = t["ours"], t["bare"]
        tmpl, miss = t.get("tmpl"), t.get("miss")
        rows.append(
            [
                item.page.name,
                item.kb,
                item.queries,
                ours.per_second,
                ms(ours.median),
                ms(ours.p90),
                tmpl.per_second if tmpl else float("nan"),
                bare.per_second,
                ours.median / tmpl.median if tmpl else float("nan"),
                ours.median / bare.median,
                miss.median / tmpl.median if miss and tmpl else float("nan"),
                ours.cpu / tmpl.cpu if tmpl else float("nan"),
                miss.cpu / tmpl.cpu if miss and tmpl else float("nan"),
            ]
        )
    d = env.data
    print(
        table(
            f"Pages in-process (httpx ASGITransport, one request at a time): "
            f"{len(d.project_ids)} projects, {len(d.judge_ids)} judges",
            [
                "page",
                "KB",
                "SQL",
                "ours/s",
                "p50 ms",
                "p90 ms",
                "tmpl/s",
                "bare/s",
                "ours/tmpl",
                "ours/bare",
                "miss/tmpl",
                "CPU ours/tmpl",
                "CPU miss/tmpl",
            ],
            rows,
        )
    )
    print(
        "ours = full app; tmpl = bare Starlette rendering the same template from the same "
        "context;\nbare = bare Starlette + Jinja2 returning the same bytes. Ratios are time "
        "per request\n(ours/bare 5.0 = our page takes 5x as long); p50/p90 over every request.\n"
        "Pages come from the page caches (anonymous: app.caching; logged in: the browser's own,\n"
        "app.personalcache); miss = the same page made afresh (a query string never asked\n"
        "before), as the first visit after any write gets it.\n"
        "CPU columns: the same ratios in this process's CPU time (all its threads), which a\n"
        "busy machine disturbs far less than the wall clock: trust them when the load is high."
    )


def print_query_counts(small: list[Captured], large: list[Captured], n: int, n10: int) -> bool:
    """SQL statements per page at two sizes; returns whether every count is equal."""
    rows = []
    equal = True
    for a, b in zip(small, large, strict=True):
        same = a.queries == b.queries
        equal &= same
        rows.append([a.page.name, a.queries, b.queries, "yes" if same else "NO: grows (N+1?)"])
    print(
        table(
            f"SQL statements per page (incl. the session lookup) at {n} and {n10} projects",
            ["page", f"at {n:,}", f"at {n10:,}", "same"],
            rows,
        )
    )
    return equal


async def run(
    small: BenchApp, large: BenchApp, *, quick: bool, http: bool
) -> tuple[list[Captured], list[Captured], dict[str, dict[str, Timing]]]:
    """The whole pages benchmark on two prepared datasets (N and 10N)."""
    captured = await capture(small)
    captured_large = await capture(large)
    for item in captured_large:
        # Only N's contexts feed the tmpl baseline; the rest would only make the heap (and
        # so every garbage collection) bigger than an app process's.
        item.context = {}
    runs, per_run = (2, 3) if quick else (5, 15)
    clients = Clients(small)
    try:
        timings = await compare(small, clients, captured, runs=runs, per_run=per_run)
    finally:
        await clients.aclose()
    print_comparison(small, captured, timings)
    print_query_counts(
        captured, captured_large, len(small.data.project_ids), len(large.data.project_ids)
    )
    if http:
        await loopback.run(small, captured, quick=quick)
        await loopback.run(large, captured_large, quick=quick, pages=loopback.LARGE_PAGES)
    else:
        print("\n(Pages over HTTP: skipped in this run.)")
    return captured, captured_large, timings


def sizes(quick: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """N and 10N: projects (one per team) and judges grow together, so a judge's load stays."""
    if quick:
        small, large = {"teams": 12, "judges": 4}, {"teams": 120, "judges": 40}
    else:
        small, large = {"teams": 100, "judges": 10}, {"teams": 1000, "judges": 100}
    return {**small, "extras": True}, {**large, "extras": True}


async def main(quick: bool, http: bool, postgres: str | None, also: int | None) -> None:
    small_args, large_args = sizes(quick)
    async with (
        bench_app(postgres=postgres, database="madrina_bench_n", **small_args) as small,
        bench_app(postgres=postgres, database="madrina_bench_10n", **large_args) as large,
    ):
        print(f"Pages on {'PostgreSQL' if postgres else 'SQLite'}", flush=True)
        captured, _large, _timings = await run(small, large, quick=quick, http=http)
        n = len(small.data.project_ids)
    if also:
        # The statements once more on a dataset of `also` projects (e.g. 5,000), one at a time.
        async with bench_app(
            postgres=postgres,
            database="madrina_bench_big",
            teams=also,
            judges=max(4, also // 10),
            extras=True,
        ) as big:
            print_query_counts(captured, await capture(big), n, also)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--no-http", action="store_true", help="skip the uvicorn part")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on this PostgreSQL server (scratch databases madrina_bench_n and "
        "madrina_bench_10n, made and dropped), e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument(
        "--also", type=int, metavar="PROJECTS", help="count the statements at this size too"
    )
    args = parser.parse_args()
    asyncio.run(main(args.quick, not args.no_http, args.postgres, args.also))
