"""Certificates per second: our render path against WeasyPrint alone on the same HTML.

ours = app.certificates.render as the worker runs it: document_for (the certificate's
facts, from the database) -> certificate_html (template, translations, QR code) ->
html_to_pdf (PDF/A-3b with an output intent, the stylesheet, the deny-by-default fetcher).
Against it, on the HTML ours produced: WeasyPrint with the same stylesheet, and plain
HTML(string=...).write_pdf() as in WeasyPrint's first example (no stylesheet, so less
layout work). Timed interleaved, so the ratios hold even on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from itertools import cycle
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from weasyprint import CSS, HTML

from app.certificates import render, service
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.db import utcnow
from bench.harness import BenchApp, bench_app, ms, table, time_calls


async def make_certificates(env: BenchApp) -> list[Certificate]:
    """One certificate of each kind, recorded as the results would record them."""
    data = env.data
    now = utcnow()
    project_id = data.project_ids[0]
    async with env.db.transaction() as session:
        rows = [
            (CertificateKind.PARTICIPATION, "member:1", "Giulia Rossi", "Orto verticale"),
            (CertificateKind.AWARD, "member:1:award:1", "Giulia Rossi",
             "Miglior idea \u2014 Orto verticale per i giardini scolastici"),
            (CertificateKind.ADOPTION, f"sponsor:{data.sponsor_ids[0]}", "Rossi S.p.A.",
             "Orto verticale per i giardini scolastici"),
            (CertificateKind.JUDGE, f"user:{data.judge_ids[0]}", "Marco Bianchi", ""),
        ]  # fmt: skip
        await session.execute(
            insert(Certificate.__table__),  # type: ignore[attr-defined]
            [
                {
                    "code": service.new_code(),
                    "challenge_id": data.challenge_ids[0],
                    "kind": kind.value,
                    "recipient_key": key,
                    "recipient_name": name,
                    "subject": subject,
                    "project_id": None if kind == CertificateKind.JUDGE else project_id,
                    "version": 1,
                    "status": CertificateStatus.PENDING.value,
                    "created_at": now,
                    "revoke_reason": "",
                }
                for kind, key, name, subject in rows
            ],
        )
    async with env.db.read() as session:
        result = await session.execute(select(Certificate).order_by(col(Certificate.id)))
        return list(result.scalars())


async def ours_html(env: BenchApp, certificate: Certificate) -> tuple[str, float, float]:
    """The certificate's HTML as the worker makes it, with the seconds of each step."""
    started = time.perf_counter()
    async with env.db.read() as session:
        document = await render.document_for(
            session, certificate=certificate, site_url=env.settings.base_url, issued_at=utcnow()
        )
    fetched = time.perf_counter()
    html = render.certificate_html(document, locale=env.settings.default_locale)
    return html, fetched - started, time.perf_counter() - fetched


def weasyprint_with_css(html: str) -> bytes:
    css = CSS(string=render.STYLESHEET.read_text(encoding="utf-8"))
    pdf: bytes = HTML(string=html, base_url=render.base_url()).write_pdf(stylesheets=[css])
    return pdf


def weasyprint_plain(html: str) -> bytes:
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


async def run(env: BenchApp, *, quick: bool) -> None:
    certificates = await make_certificates(env)
    htmls = [(await ours_html(env, c))[0] for c in certificates]
    steps: dict[str, list[float]] = {"document_for": [], "certificate_html": [], "pdf": []}
    sizes: dict[str, int] = {}
    next_ours = cycle(certificates)
    next_html = cycle(htmls)

    async def ours() -> None:
        html, fetch, template = await ours_html(env, next(next_ours))
        started = time.perf_counter()
        pdf = render.html_to_pdf(html)
        steps["document_for"].append(fetch)
        steps["certificate_html"].append(template)
        steps["pdf"].append(time.perf_counter() - started)
        sizes["ours"] = len(pdf)

    def blocking(name: str, fn: Callable[[str], bytes]) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            sizes[name] = len(fn(next(next_html)))

        return call

    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "ours": ours,
        "weasy+css": blocking("weasy+css", weasyprint_with_css),
        "weasy": blocking("weasy", weasyprint_plain),
    }
    runs, per_run = (1, 2) if quick else (5, 4)
    timings = await time_calls(calls, runs=runs, per_run=per_run, warmup=1)
    ours_median = timings["ours"].median
    labels = {
        "ours": "ours: document_for + certificate_html + html_to_pdf (PDF/A-3b)",
        "weasy+css": "WeasyPrint, same HTML and stylesheet",
        "weasy": "WeasyPrint alone: HTML(string=html).write_pdf()",
    }
    rows = [
        [labels[name], t.per_second, ms(t.median), ms(t.p90), sizes[name] / 1024,
         ours_median / t.median]
        for name, t in timings.items()
    ]  # fmt: skip
    print(
        table(
            f"Certificates, one at a time, the four kinds in turn ({runs}x{per_run} each)",
            ["path", "PDFs/s", "p50 ms", "p90 ms", "KB", "ours/this"],
            rows,
        )
    )
    parts = {name: sorted(values)[len(values) // 2] for name, values in steps.items()}
    print(
        "ours, step by step (median ms): "
        + ", ".join(f"{name} {ms(value):.1f}" for name, value in parts.items())
    )


async def main(quick: bool) -> None:
    async with bench_app(teams=4, judges=2) as env:
        await run(env, quick=quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    asyncio.run(main(parser.parse_args().quick))
